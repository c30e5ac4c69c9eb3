"""Benchmark: repair-links for 1,000 broken links against a source of 50,000 files.

The source has season folders of 10-25 episodes and one folder per movie, scene
names; the library has Sonarr/Radarr-named links whose targets are gone (the
releases were re-added under other names). Timed, each through the real CLI in a
fresh process: the first dry run (builds the source index), a second dry run (the
index refreshed incrementally: folders stat'ed, none listed again), and --auto
(re-points the links). Baselines in the same run: `find SOURCE -type f` and a
plain Python os.walk of the source.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SYLLABLES = ["ka", "ro", "mi", "ten", "su", "va", "lo", "ner", "di", "po", "gra", "vel", "zu", "an", "tho", "qui"]


def title(number: int) -> list[str]:
    """A made-up title of two or three words, unique per number."""
    words = []
    for _ in range(2 + number % 2):
        number, a = divmod(number, len(SYLLABLES))
        number, b = divmod(number, len(SYLLABLES))
        words.append((SYLLABLES[a] + SYLLABLES[b]).capitalize())
        number += 7
    return words


def build(source: Path, library: Path, files: int, links: int, seed: int = 1) -> int:
    rng = random.Random(seed)
    made, show = 0, 0
    episodes_wanted = int(files * 0.7)
    episodes = []
    while made < episodes_wanted:
        words = title(show * 3 + 1)
        for season in range(1, rng.randint(1, 4) + 1):
            folder = source / f"{'.'.join(words)}.S{season:02d}.1080p.WEB.x264-GRP"
            folder.mkdir(parents=True)
            for number in range(1, rng.randint(10, 25) + 1):
                (folder / f"{'.'.join(words)}.S{season:02d}E{number:02d}.1080p.WEB.x264-GRP.mkv").write_bytes(b"")
                episodes.append((" ".join(words), season, number))
                made += 1
        show += 1
    movies = []
    movie = 0
    while made < files:
        words, year = title(movie * 3 + 2), 1950 + movie % 70
        folder = source / f"{'.'.join(words)}.{year}.1080p.BluRay.x264-GRP"
        folder.mkdir()
        (folder / f"{'.'.join(words)}.{year}.1080p.BluRay.x264-GRP.mkv").write_bytes(b"")
        movies.append((" ".join(words), year))
        made += 1
        movie += 1
    for name, season, number in rng.sample(episodes, links // 2):
        link = library / "Series" / name / f"Season {season:02d}" / f"{name} - S{season:02d}E{number:02d}.mkv"
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(source / "gone" / f"{name}.S{season:02d}E{number:02d}.720p.HDTV.mkv", link)
    for name, year in rng.sample(movies, links - links // 2):
        link = library / "Movies" / f"{name} ({year})" / f"{name} ({year}).mkv"
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(source / "gone" / f"{name}.{year}.720p.mkv", link)
    return made


def cli(env, *args):
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "linkdoctor", *args], capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    if result.returncode not in (0, 1):
        raise SystemExit(f"linkdoctor {' '.join(args)} failed: {result.stderr}")
    return seconds, result.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=50_000)
    parser.add_argument("--links", type=int, default=1_000)
    parser.add_argument("--workers", type=int, default=6)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="linkdoctor-bench-repair-"))
    try:
        source, library, data = work / "source", work / "library", work / "data"
        source.mkdir()
        library.mkdir()
        started = time.perf_counter()
        made = build(source, library, args.files, args.links)
        print(f"built {made} source files and {args.links} broken links in {time.perf_counter() - started:.1f}s")
        env = {**os.environ, "LINKDOCTOR_DATA_DIR": str(data), "LINKDOCTOR_MEDIA_PATH": str(library)}
        cli(env, "config", "set", "source_roots", str(source))
        cli(env, "config", "set", "max_workers", str(args.workers))

        started = time.perf_counter()
        subprocess.run(["find", str(source), "-type", "f"], check=True, stdout=subprocess.DEVNULL)
        find_seconds = time.perf_counter() - started
        started = time.perf_counter()
        walked = sum(len(files) for _, _, files in os.walk(source))
        walk_seconds = time.perf_counter() - started

        first, out = cli(env, "repair-links", "--auto", "--dry-run", "--json")
        first_doc = json.loads(out)
        second, out = cli(env, "repair-links", "--auto", "--dry-run", "--json")
        auto, out = cli(env, "repair-links", "--auto", "--json")
        doc = json.loads(out)
        healthy = sum(os.path.exists(p) for p in (r["path"] for r in doc["repaired"]))
        print(f"baseline find -type f: {find_seconds:.2f}s; python os.walk ({walked} files): {walk_seconds:.2f}s")
        print(f"repair-links --auto --dry-run, first (builds the index): {first:.2f}s "
              f"({len(first_doc['repaired'])} would be repaired, {len(first_doc['ambiguous'])} ambiguous, "
              f"{len(first_doc['no_candidate'])} without candidate)")
        print(f"repair-links --auto --dry-run, index up to date: {second:.2f}s ({second / find_seconds:.1f}x find)")
        print(f"repair-links --auto (applies): {auto:.2f}s, {len(doc['repaired'])} repaired, {healthy} now healthy")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
