"""Benchmark: `linkdoctor import` over a 10,000-file library, first import and re-import, then `check`, against baselines.

Usage: python bench/import.py [--files 10000] [--workers 6] [--big 40] [--scene-share 0.02] [--target-kib N]
                              [--movie-group N] [--no-baselines]

Each import and the check run as jobs of the app's job runner, in this process: the figures include
the process's peak RSS (VmHWM, reset before each run through /proc/self/clear_refs) and the last
progress message the job gave (what the web and the CLI show: count, rate, ETA).

The library: series in season folders of 10-25 episodes and flat movie folders,
Sonarr/Radarr names, a share of scene-style names (read by guessit, ~50 ms each),
targets of 2-16 KiB (or all of `--target-kib`: 1 keeps a million targets to 1 GB on disk)
and `--big` of 3 MiB (to exercise the 2 MiB sampling).
Baselines measured in the same run, warm cache:
  - `find -L ROOT -type f -print0 | xargs -0 stat`: stat every target, nothing read;
  - a plain Python walk that reads the same bytes (first and last MiB) and hashes them with xxh3,
    in one process: what the import does, without workers, identification or database.
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from common import timed  # noqa: E402

MIB = 1 << 20


def build(root: Path, source: Path, files: int, big: int, scene_share: float, rng: random.Random,
          target_kib: int = 0, movie_group: int = 0) -> None:
    """Half episodes in season folders, half movies in their own folders."""
    source.mkdir(parents=True)
    big_every = max(1, files // big) if big else 0
    made = 0

    def target(name: str) -> Path:
        nonlocal made
        path = source / f"{made:06}-{name}"
        size = 3 * MIB if big_every and made % big_every == 0 else (target_kib or rng.randint(2, 16)) * 1024
        path.write_bytes(os.urandom(size))
        made += 1
        return path

    def link(rel: str, to: Path) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(to, path)

    series = 0
    while made < files // 2:
        series += 1
        title = f"Série {series:04}"
        for season in range(1, 4):
            for episode in range(1, rng.randint(10, 25) + 1):
                if made >= files // 2:
                    break
                scene = rng.random() < scene_share
                name = (f"Serie.{series:04}.S{season:02}E{episode:02}.720p.WEB.x264.mkv" if scene
                        else f"{title} - S{season:02}E{episode:02} - Épisode {episode}.mkv")
                link(f"Séries/{title}/Saison {season:02}/{name}", target(f"s{series}e{episode}.mkv"))
    movie = 0
    while made < files:
        movie += 1
        year = 1950 + movie % 70
        scene = rng.random() < scene_share
        name = f"Film.{movie:05}.{year}.1080p.BluRay.mkv" if scene else f"Film {movie:05} ({year}).mkv"
        group = f"{movie // movie_group:04}/" if movie_group else ""  # else one folder of N/2 movie folders
        link(f"Films/{group}Film {movie:05} ({year})/{name}", target(f"m{movie}.mkv"))


def find_stat(root: Path) -> None:
    subprocess.run(f"find -L '{root}' -type f -print0 | xargs -0 stat > /dev/null", shell=True, check=True)


def python_read(root: Path) -> int:
    import xxhash

    count = 0
    for folder, _, names in os.walk(root):
        for name in names:
            with open(os.path.join(folder, name), "rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                digest = xxhash.xxh3_64(handle.read(MIB))
                if size > MIB:
                    handle.seek(max(MIB, size - MIB))
                    digest.update(handle.read())
                digest.update(size.to_bytes(8, "little"))
                count += 1
    return count


def peak_rss_mib() -> float:
    """This process's peak RSS since the last reset (VmHWM)."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024


def reset_peak_rss() -> None:
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")


def cpu_seconds() -> float:
    """CPU time of this process and of its children that ended (the pool's workers once they exit)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def run_job(app, start) -> tuple[float, float, dict, str, float]:
    """(seconds, peak RSS in MiB, result, the last progress message, CPU seconds) of one job started by `start(runner)`."""
    runner = app.extensions["linkdoctor.jobs"]
    reset_peak_rss()
    cpu = cpu_seconds()
    messages = []

    def wait():
        ctx = start(runner)
        while not ctx.done.wait(0.5):
            messages.append(ctx.live.message)
        return ctx

    seconds, ctx = timed(wait)
    status = runner.status(ctx.job_id)
    assert status["state"] == "completed", status
    shown = [m for m in messages if "/s" in m] or messages or [status["message"]]
    return seconds, peak_rss_mib(), status["result"], shown[-1], cpu_seconds() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=6)
    parser.add_argument("--big", type=int, default=40, help="targets of 3 MiB among them")
    parser.add_argument("--scene-share", type=float, default=0.02, help="share of names that need guessit")
    parser.add_argument("--target-kib", type=int, default=0, help="every small target of this size (default 2-16)")
    parser.add_argument("--movie-group", type=int, default=0,
                        help="movie folders in groups of this many (default: all in Films/, one listing of N/2)")
    parser.add_argument("--no-baselines", action="store_true", help="skip find and the Python walk")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory(prefix="linkdoctor-bench-") as tmp:
        root, source, data = Path(tmp) / "medias", Path(tmp) / "source", Path(tmp) / "data"
        root.mkdir()
        build(root, source, args.files, args.big, args.scene_share, random.Random(11), args.target_kib,
              args.movie_group)
        os.environ.update(LINKDOCTOR_DATA_DIR=str(data), LINKDOCTOR_MEDIA_PATH=str(root))
        from linkdoctor import create_app
        from linkdoctor.config import get_config
        from linkdoctor.library.identify import guess_name
        from linkdoctor.library.service import start_check, start_import

        guess_name("Warm.Up.2001.mkv")  # guessit's first call builds its rules: not the import's cost
        find_seconds = read_seconds = float("nan")
        if not args.no_baselines:
            find_seconds = timed(lambda: find_stat(root))[0]
            find_seconds = min(find_seconds, timed(lambda: find_stat(root))[0])
            read_seconds, read_count = timed(lambda: python_read(root))
            assert read_count == args.files
        app = create_app()
        with app.app_context():
            db_config = get_config()
            db_config.max_workers = args.workers
            from linkdoctor.models import db

            db.session.commit()
        print(f"RSS before the jobs: {peak_rss_mib():.0f} MiB (peak so far)")
        with app.app_context():
            first_seconds, first_rss, first, first_message, first_cpu = run_job(app, lambda runner: start_import(runner))
            again_seconds, again_rss, again, again_message, again_cpu = run_job(app, lambda runner: start_import(runner))
            check_seconds, check_rss, check, check_message, check_cpu = run_job(app, lambda runner: start_check(runner))
        assert first["imported"] == args.files and first["errors"] == 0, first
        assert again["skipped"] == args.files and again["imported"] == again["updated"] == 0, again
        assert check["checked"] == args.files, check
        n = args.files
        print(f"files: {n} ({args.big} of 3 MiB, {args.scene_share:.0%} scene names for guessit), "
              f"workers: {args.workers}, cpus: {os.cpu_count()}, pending after import: {first['pending']}")
        print(f"find -L | xargs stat       : {find_seconds:6.2f}s  {n / find_seconds:8.0f} files/s")
        print(f"python walk + read + xxh3  : {read_seconds:6.2f}s  {n / read_seconds:8.0f} files/s")
        print(f"linkdoctor import (first)  : {first_seconds:6.2f}s  {n / first_seconds:8.0f} files/s  "
              f"CPU {first_cpu:.1f} s")
        print(f"linkdoctor import (again)  : {again_seconds:6.2f}s  {n / again_seconds:8.0f} files/s  "
              f"CPU {again_cpu:.1f} s (nothing read: size and mtime unchanged)")
        print(f"linkdoctor check           : {check_seconds:6.2f}s  {n / check_seconds:8.0f} files/s  "
              f"CPU {check_cpu:.1f} s")
        for name, rss, message in (("import (first)", first_rss, first_message), ("import (again)", again_rss,
                                   again_message), ("check", check_rss, check_message)):
            print(f"peak RSS, {name:15}: {rss:6.0f} MiB   last progress: {message}")
        print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
