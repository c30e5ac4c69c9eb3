"""Benchmark: phase 2 (probe, and decode per phase2_decode) against plain ffprobe and ffmpeg loops.

Usage: python bench/phase2.py [--files 300] [--workers 6,2] [--formats mkv,mp4,avi,ts]

Builds --files small videos with linkdoctor.mediagen.make_video (2 s, 160x90, H.264/AAC
or MPEG-4/MP3 depending on the container; generation is not timed) and one symlink
per file in a movie-style library: a library of clean files. Then measures on the same files:

* baselines: `ffprobe -v error -show_format -show_streams FILE` run file after file, and
  `ffmpeg -v error -i FILE -f null -` (a full decode) run file after file;
* linkdoctor, per worker count: a basic scan (phase 1 only, for reference); then, for
  each phase2_decode mode (off, suspicious, all), a first full scan with an empty
  in-memory verdict cache and a re-scan of the unchanged library with the same cache
  (every verdict is a cache hit). The modes take turns within each round.

What is reported for a first full scan:
* "total": the whole scan, phase 1 + phase 2, as a user waits for it;
* "phase 2 only": from the engine's own phase-2 start (engine.phase2.started, after
  phase 1 has finished) to the end; it includes starting phase 2's worker processes
  and the cache look-ups. This is the fair figure against the loops, which do no link
  checking. (A basic scan's time is printed too; total - basic ~ phase 2.)
Goals: with "suspicious" (the default), a clean library costs at most 10% more than with
"off" (probe only, as before the decode existed); the first scan (default mode) >= 1.8x
faster than the ffprobe loop (6 workers, 2 cores); re-scan >= 20x faster than the first
scan. "all" is reported against the ffprobe loop and the decode loop.

With --long-clips N (and --only-long to skip the part above): N clips of --long-minutes
(10) at --long-size (1280x720), H.264 with a key frame every --long-keyint frames (250,
x264's default: 10 s at 25 fps) and AAC: one minute encoded, repeated without re-encoding
(not timed). On the same clips, a
first full scan with an empty cache in each of off, suspicious, sampled and all (in turns,
best of --rounds): the time of phase 2, sampled against off and all (goal: sampled under
15 % of all's time on ten-minute 720p clips), and each mode's cost per hour of video.

Then (unless --no-profile) where the time goes: wall and CPU time per file of plain
ffprobe, of linkdoctor's probe_media() run in this process, and of plain ffprobe run N
at a time from a thread pool (the best a parallel loop can do on this machine).
CPU times come from RUSAGE_CHILDREN: the benchmark reaps the killed workers for that.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "src"))

from common import (CountingSink, OtherLoad, cpu_seconds, exit_on_sigterm, live_children, timed_cpu,  # noqa: E402
                    wait_for_quiet)
from poolstats import pool_stats  # noqa: E402

from linkdoctor.mediagen import make_video  # noqa: E402
from linkdoctor.scanner.engine import ScanEngine, ScanRequest  # noqa: E402
from linkdoctor.scanner.phase2 import CachedVerdict  # noqa: E402
from linkdoctor.scanner.probe import probe_media  # noqa: E402

PLAIN_FFPROBE = ["ffprobe", "-v", "error", "-show_format", "-show_streams"]
PLAIN_DECODE = ["ffmpeg", "-nostdin", "-v", "error", "-i"]  # FILE, then "-f null -"
MODES = ("off", "suspicious", "all")
LONG_MODES = ("off", "suspicious", "sampled", "all")


class MemoryVerdictCache:
    """The engine's VerdictCache protocol, in a dict: identity -> (CachedVerdict, probe seconds)."""

    def __init__(self):
        self.verdicts: dict[tuple, tuple[CachedVerdict, float]] = {}

    def lookup(self, identities: list[tuple]) -> dict[tuple, CachedVerdict]:
        return {i: self.verdicts[i][0] for i in identities if i in self.verdicts}

    def store(self, identity: tuple, verdict: CachedVerdict, probe_seconds: float) -> None:
        self.verdicts[identity] = (verdict, probe_seconds)

    def mean_probe_seconds(self) -> float | None:
        if not self.verdicts:
            return None
        return statistics.fmean(v[1] for v in self.verdicts.values())


def build(tmp: Path, count: int, formats: list[str], seconds: float) -> tuple[Path, list[Path]]:
    """count videos in tmp/source, one link each in tmp/medias/<Title>/<Movie>/."""
    source, root = tmp / "source", tmp / "medias"
    files = [source / f"v{i:04}.{formats[i % len(formats)]}" for i in range(count)]
    with ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        list(pool.map(lambda path: make_video(path, seconds=seconds), files))
    for i, path in enumerate(files):
        folder = root / f"Title {i // 100:02}" / f"Movie {i:04} (2001)"
        folder.mkdir(parents=True)
        os.symlink(path, folder / f"Movie {i:04}{path.suffix}")
    return root, files


def ffprobe_plain(path: Path) -> None:
    subprocess.run([*PLAIN_FFPROBE, str(path)], capture_output=True, check=True)


def decode_plain(path: Path) -> None:
    subprocess.run([*PLAIN_DECODE, str(path), "-f", "null", "-"], capture_output=True, check=True)


def plain_loop(run_one, files: list[Path]) -> tuple[float, float, OtherLoad]:
    with OtherLoad() as load:
        wall, cpu, _ = timed_cpu(lambda: [run_one(f) for f in files])
    return wall, cpu, load


def scan(root: Path, workers: int, depth: str, cache, mode: str = "suspicious") -> dict:
    """One scan; wall time, phase-2-only time, CPU time (workers reaped), counters, pool use."""
    request = ScanRequest(paths=[str(root)], max_workers=workers, verification_depth=depth, phase2_decode=mode)
    with pool_stats() as stats, OtherLoad() as load:
        cpu0 = cpu_seconds()
        engine = ScanEngine(request, CountingSink(), cache)
        started = time.monotonic()
        counters = engine.run()
        ended = time.monotonic()
        unreaped = stats.reap()
        cpu = cpu_seconds() - cpu0
    phase2 = ended - engine.phase2.started if engine.phase2.started else 0.0
    return {"wall": ended - started, "phase2": phase2, "cpu": cpu, "counters": counters, "load": load,
            "warnings": engine.warnings, "stats": stats, "unreaped": unreaped,
            "probe_seconds": list(engine.phase2.probe_seconds)}


def check_counters(label: str, result: dict, files: int, probed: int, cached: int, problems: list[str],
                   decoded: int = 0) -> None:
    c = result["counters"]
    expected = {"total_analyzed": files, "phase1_ok": files, "phase2_analyzed": probed,
                "phase2_cached": cached, "phase2_corrupted": 0, "phase2_timeout": 0,
                "phase2_decoded": decoded, "phase2_suspicious": 0}
    wrong = {k: (c[k], v) for k, v in expected.items() if c[k] != v}
    if wrong:
        problems.append(f"{label}: counters (got, expected) {wrong}")
    if result["warnings"]:
        problems.append(f"{label}: warnings {result['warnings']}")
    if result["unreaped"]:
        problems.append(f"{label}: {result['unreaped']} killed workers did not exit within 5 s")


def profile(files: list[Path], worker_counts: list[int]) -> None:
    n = len(files)
    wall, cpu, _ = plain_loop(ffprobe_plain, files)
    print(f"  plain ffprobe, sequential      : {wall / n * 1000:6.1f} ms wall, {cpu / n * 1000:6.1f} ms CPU per file")
    wall, cpu, _ = timed_cpu(lambda: [probe_media(str(f)) for f in files])
    print(f"  probe_media(), sequential      : {wall / n * 1000:6.1f} ms wall, {cpu / n * 1000:6.1f} ms CPU per file "
          f"(layout check in Python + one ffprobe -show_entries ... -of json)")
    loop_wall = wall
    for workers in worker_counts:
        with ThreadPoolExecutor(workers) as pool:
            wall, cpu, _ = timed_cpu(lambda: list(pool.map(ffprobe_plain, files)))
        print(f"  plain ffprobe, {workers} at a time    : {wall:6.2f} s for {n} files "
              f"({wall / n * 1000:.1f} ms per file, {cpu / n * 1000:.1f} ms CPU per file)")
        with ThreadPoolExecutor(workers) as pool:
            wall, cpu, _ = timed_cpu(lambda: list(pool.map(lambda f: probe_media(str(f)), files)))
        print(f"  probe_media(), {workers} at a time    : {wall:6.2f} s for {n} files "
              f"({loop_wall / wall:.2f}x its sequential loop)")


def build_long(tmp: Path, count: int, minutes: float, size: str, keyint: int) -> tuple[Path, list[Path]]:
    """count clips of `minutes` at `size` in tmp/long-source, one link each in tmp/long/<Movie>/."""
    source, root = tmp / "long-source", tmp / "long"
    files = [source / f"clip{i:02}.mkv" if i % 2 == 0 else source / f"clip{i:02}.mp4" for i in range(count)]
    # One minute is encoded, then repeated without re-encoding (a minute is six whole GOPs of 250
    # frames at 25 fps): decoding costs what a ten-minute encode would, generating a tenth of it.
    pieces = {suffix: make_video(source / f"minute{suffix}", seconds=60, size=size, keyint=keyint)
              for suffix in {path.suffix for path in files}}
    for path in files:
        listing = source / f"{path.stem}.ffconcat"
        listing.write_text("ffconcat version 1.0\n" + f"file '{pieces[path.suffix].name}'\n" * int(minutes))
        subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-f", "concat", "-safe", "0", "-i", str(listing),
                        "-c", "copy", "-y", str(path)], check=True)
    for i, path in enumerate(files):
        folder = root / f"Movie {i:02} (2001)"
        folder.mkdir(parents=True)
        os.symlink(path, folder / f"Movie {i:02}{path.suffix}")
    return root, files


def long_section(tmp: Path, args, problems: list[str]) -> None:
    """Phase 2 in every mode on long clips: sampled against off and all, and the cost per hour of video."""
    started = time.perf_counter()
    root, files = build_long(tmp, args.long_clips, args.long_minutes, args.long_size, args.long_keyint)
    hours = len(files) * args.long_minutes / 60
    size = sum(f.stat().st_size for f in files)
    print(f"long clips: {len(files)} x {args.long_minutes:g} min at {args.long_size} (H.264 ultrafast, key frame every "
          f"{args.long_keyint} frames, AAC; mkv and mp4 in turn; {size / len(files) / 2**20:.0f} MiB each; generated "
          f"in {time.perf_counter() - started:.0f}s, not measured); {hours:.2f} hours of video")
    if not args.no_wait:
        print(wait_for_quiet())
    workers = args.long_workers
    runs = {mode: [] for mode in LONG_MODES}
    for _ in range(args.rounds):
        for mode in LONG_MODES:  # in turns, so that a change of load hits every mode alike
            runs[mode].append(scan(root, workers, "full", MemoryVerdictCache(), mode))
            c = runs[mode][-1]["counters"]
            if c["phase2_corrupted"] or c["phase2_timeout"] or c["phase2_suspicious"] or c["phase2_io_error"]:
                problems.append(f"long clips, {mode}: counters {c}")
    best = {mode: min(results, key=lambda r: r["phase2"]) for mode, results in runs.items()}
    print(f"linkdoctor, {workers} workers, first full scan with an empty cache (best of {args.rounds}):")
    for mode in LONG_MODES:
        r = best[mode]
        print(f"  [{mode:10}] phase 2 {r['phase2']:7.2f}s, {r['cpu']:7.1f} CPU-s, decoded "
              f"{r['counters']['phase2_decoded']}/{len(files)} -> {r['phase2'] / hours / 60:6.2f} min per hour of video "
              f"({r['cpu'] / hours / 60:.2f} CPU-min) [{r['load'].note()}]")
    sampled, every, off = best["sampled"], best["all"], best["off"]
    share = sampled["phase2"] / every["phase2"]
    print(f"  sampled: {share:.1%} of all's time ({sampled['cpu'] / every['cpu']:.1%} of its CPU-s), "
          f"{sampled['phase2'] / off['phase2']:.1f}x off's time")
    print(f"goal sampled < {args.goal_sampled:.0%} of all's time: {share:.1%} -> "
          f"{'met' if share < args.goal_sampled else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--workers", default="6,2", help="comma-separated worker counts to run")
    parser.add_argument("--goal-workers", type=int, default=6)
    parser.add_argument("--goal-first", type=float, default=1.8, help="first scan vs the ffprobe loop")
    parser.add_argument("--goal-cost", type=float, default=1.10, help="suspicious vs off, at most")
    parser.add_argument("--goal-rescan", type=float, default=20.0, help="re-scan vs first scan")
    parser.add_argument("--formats", default="mkv,mp4,avi,ts", help="containers, used in turn")
    parser.add_argument("--seconds", type=float, default=2.0, help="duration of each video")
    parser.add_argument("--rounds", type=int, default=2,
                        help="runs of the ffprobe loop and of each scan; the best is kept")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--long-clips", type=int, default=0, help="long clips for the sampled mode (0: none)")
    parser.add_argument("--long-minutes", type=float, default=10.0)
    parser.add_argument("--long-size", default="1280x720")
    parser.add_argument("--long-keyint", type=int, default=250)
    parser.add_argument("--long-workers", type=int, default=2)
    parser.add_argument("--goal-sampled", type=float, default=0.15, help="sampled vs all on long clips, under")
    parser.add_argument("--only-long", action="store_true", help="only the long clips")
    parser.add_argument("--no-wait", action="store_true",
                        help="do not wait for other processes to leave the CPUs idle first")
    args = parser.parse_args()
    worker_counts = list(dict.fromkeys([int(w) for w in args.workers.split(",")] + [args.goal_workers]))
    exit_on_sigterm()
    tmp = Path(tempfile.mkdtemp(prefix="linkdoctor-bench-p2-"))
    try:
        if args.only_long:
            problems = []
            long_section(tmp, args, problems)
            for problem in problems:
                print(f"PROBLEM: {problem}")
            return
        started = time.perf_counter()
        root, files = build(tmp, args.files, args.formats.split(","), args.seconds)
        size = sum(f.stat().st_size for f in files)
        print(f"files: {len(files)} ({args.formats}, {args.seconds:g} s each, {size / len(files) / 1024:.0f} KiB "
              f"on average; generated in {time.perf_counter() - started:.1f}s, not measured); cores: {os.cpu_count()}")
        ffprobe_plain(files[0])  # warm-up: ffprobe and its libraries into the page cache
        if not args.no_wait:
            print(wait_for_quiet())
        n = len(files)
        loop_wall, loop_cpu, loop_load = min((plain_loop(ffprobe_plain, files) for _ in range(args.rounds)),
                                             key=lambda r: r[0])
        print(f"ffprobe loop  : {loop_wall:.3f}s (best of {args.rounds}; {loop_wall / n * 1000:.1f} ms per file, "
              f"{loop_cpu:.2f} CPU-s) [{' '.join(PLAIN_FFPROBE)} FILE, one after the other; {loop_load.note()}]")
        dec_wall, dec_cpu, dec_load = min((plain_loop(decode_plain, files) for _ in range(args.rounds)),
                                          key=lambda r: r[0])
        print(f"decode loop   : {dec_wall:.3f}s (best of {args.rounds}; {dec_wall / n * 1000:.1f} ms per file, "
              f"{dec_cpu:.2f} CPU-s) [{' '.join(PLAIN_DECODE)} FILE -f null -, one after the other; {dec_load.note()}]")

        problems, summary = [], {}
        for workers in worker_counts:
            basics, firsts, agains = [], {m: [] for m in MODES}, {m: [] for m in MODES}
            for _ in range(args.rounds):
                basics.append(scan(root, workers, "basic", None))
                check_counters(f"{workers} workers, basic scan", basics[-1], n, 0, 0, problems)
                for mode in MODES:  # in turns, so that a change of load hits every mode alike
                    cache = MemoryVerdictCache()
                    firsts[mode].append(scan(root, workers, "full", cache, mode))
                    agains[mode].append(scan(root, workers, "full", cache, mode))
                    check_counters(f"{workers} workers, first scan ({mode})", firsts[mode][-1], n, n, 0, problems,
                                   decoded=n if mode == "all" else 0)
                    check_counters(f"{workers} workers, re-scan ({mode})", agains[mode][-1], n, n, n, problems)
            basic = min(basics, key=lambda r: r["wall"])
            print(f"linkdoctor, {workers} workers (best of {args.rounds} each):")
            print(f"  basic scan (phase 1 only)   : {basic['wall']:.3f}s")
            best = {}
            for mode in MODES:
                first = min(firsts[mode], key=lambda r: r["wall"])
                again = min(agains[mode], key=lambda r: r["wall"])
                best[mode] = (first, again)
                mean_probe = statistics.fmean(first["probe_seconds"]) if first["probe_seconds"] else float("nan")
                print(f"  [{mode}] first full scan, total : {first['wall']:.3f}s -> "
                      f"{loop_wall / first['wall']:.2f}x the ffprobe loop, {dec_wall / first['wall']:.2f}x the decode "
                      f"loop ({first['cpu']:.2f} CPU-s incl. workers, ffprobes and ffmpegs; {first['load'].note()})")
                print(f"  [{mode}] first full scan, phase 2: {first['phase2']:.3f}s -> "
                      f"{loop_wall / first['phase2']:.2f}x the ffprobe loop "
                      f"[{first['stats'].summary('probe')}; {first['stats'].summary('decode')}; "
                      f"mean probe_media in a worker {mean_probe * 1000:.1f} ms]")
                print(f"  [{mode}] re-scan, same cache      : {again['wall']:.3f}s -> "
                      f"{first['wall'] / again['wall']:.1f}x faster than the first scan "
                      f"({again['counters']['phase2_cached']} cached verdicts, phase 2 {again['phase2'] * 1000:.0f} ms)")
            off, default = best["off"][0], best["suspicious"][0]
            print(f"  suspicious vs off           : total {default['wall'] / off['wall']:.3f}x, "
                  f"phase 2 {default['phase2'] / off['phase2']:.3f}x the time, {default['cpu'] / off['cpu']:.3f}x "
                  f"the CPU-s ({default['stats'].summary('decode')})")
            summary[workers] = best

        best = summary[args.goal_workers]
        off, first, again = best["off"][0], best["suspicious"][0], best["suspicious"][1]
        every = best["all"][0]
        ratio_cost, ratio_cost_p2 = first["wall"] / off["wall"], first["phase2"] / off["phase2"]
        ratio_total, ratio_p2 = loop_wall / first["wall"], loop_wall / first["phase2"]
        ratio_rescan = first["wall"] / again["wall"]
        print(f"goal suspicious costs <= {args.goal_cost:g}x off on a clean library at {args.goal_workers} workers: "
              f"total {ratio_cost:.3f}x, phase 2 only {ratio_cost_p2:.3f}x, CPU-s {first['cpu'] / off['cpu']:.3f}x -> "
              f"{'met' if ratio_cost <= args.goal_cost else 'NOT met'} (both modes probe every file and, on clean "
              f"files, decode none: a difference is noise)")
        print(f"goal first scan >= {args.goal_first:g}x the ffprobe loop at {args.goal_workers} workers: "
              f"total {ratio_total:.2f}x, phase 2 only {ratio_p2:.2f}x -> "
              f"{'met' if ratio_total >= args.goal_first else 'NOT met'} "
              f"({ratio_total / args.goal_first:.0%} of the goal on the total, {ratio_p2 / args.goal_first:.0%} "
              f"on phase 2 only)")
        print(f"goal re-scan >= {args.goal_rescan:g}x faster than the first scan: {ratio_rescan:.1f}x -> "
              f"{'met' if ratio_rescan >= args.goal_rescan else 'NOT met'}")
        print(f"mode all at {args.goal_workers} workers: total {every['wall']:.3f}s = {every['wall'] / loop_wall:.2f}x "
              f"the ffprobe loop's time ({loop_wall / every['wall']:.2f}x its speed), {every['wall'] / dec_wall:.2f}x "
              f"the decode loop's time; phase 2 only {every['phase2'] / loop_wall:.2f}x / "
              f"{every['phase2'] / dec_wall:.2f}x")
        if args.long_clips:
            long_section(tmp, args, problems)
        if not args.no_profile:
            print("profile (same files, outside the engine):")
            profile(files, worker_counts)
        time.sleep(0.5)
        left = [child for child in live_children() if "linkdoctor.worker_tasks" in child]
        if left:
            problems.append(f"worker processes still running: {left}")
        for problem in problems:
            print(f"PROBLEM: {problem}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
