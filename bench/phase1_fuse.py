"""Benchmark: phase 1 over links into a slow FUSE mount, against `find -xtype l`.

Usage: python bench/phase1_fuse.py [--links 2000] [--shape season20] [--workers 6,16,32] [--latency-ms 10]

The library (folders and symlinks, laid out as --shape: season folders of 20 links by
default, bench/common.SHAPES) is on local disk; every link points into a FUSE
passthrough mount (tests/support/faultmount.FaultyMount) that sleeps --latency-ms at
the start of every operation and has kernel attribute/entry caching disabled, so each
stat() through it costs two round trips (LOOKUP + GETATTR, ~20 ms). `find -xtype l`
stats every link target through the mount, one after the other. linkdoctor's phase 1
does readlink (local) + open + lseek + read 1 KiB + close per link, spread over its
worker processes. Goal: linkdoctor at least 8x faster than find at 32 workers.

Also printed, to explain the result:
* the serial cost of one link through the mount (find's stat vs linkdoctor's check),
* how the engine used its pool (check tasks, their sizes, workers busy at once),
* a "perfect split" ceiling: the same per-link check (checks.check_link) run in N plain
  processes, each given 1/N of the links, so what the mount allows at N-way concurrency.
Build time is not measured. The mount is unmounted on exit, also on error or Ctrl-C.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))  # for tests.support.faultmount

from common import (SHAPES, CountingSink, OtherLoad, build_shape, exit_on_sigterm, find_xtype_l,  # noqa: E402
                    fuse_mount_lines, live_children, timed, wait_for_quiet)
from poolstats import pool_stats  # noqa: E402

from linkdoctor.scanner.checks import check_link  # noqa: E402
from linkdoctor.scanner.engine import ScanEngine, ScanRequest  # noqa: E402
from tests.support.faultmount import FaultyMount, fuse_available  # noqa: E402

# One shard of links per process, read from stdin; prints the number of broken ones.
CHECK_SHARD = (
    "import sys\n"
    "from linkdoctor.scanner.checks import check_link\n"
    "broken = 0\n"
    "for path in open(sys.argv[1], encoding='utf-8').read().splitlines():\n"
    "    result = check_link(path, 1024)\n"
    "    broken += result is not None and result.category == 'broken'\n"
    "print(broken)\n"
)


def build(tmp: Path, links: int, shape: str) -> tuple[Path, Path, Path]:
    """Library at tmp/medias with links to tmp/mnt/f*.mkv; the files themselves in tmp/backing."""
    root, backing, mnt = tmp / "medias", tmp / "backing", tmp / "mnt"
    build_shape(root, mnt, links, shape)  # writes the targets into mnt/ ...
    mnt.rename(backing)  # ... which then becomes the backing directory of the mount at mnt/
    mnt.mkdir()
    return root, backing, mnt


def all_links(root: Path) -> list[str]:
    return [os.path.join(folder, name) for folder, _, names in os.walk(root) for name in names]


def serial_ms(func, paths: list[str]) -> float:
    started = time.perf_counter()
    for path in paths:
        func(path)
    return (time.perf_counter() - started) / len(paths) * 1000


def stat_or_none(path: str):
    try:
        return os.stat(path)
    except OSError:
        return None


def perfect_split(links: list[str], processes: int, tmp: Path) -> tuple[float, int]:
    """Seconds for `processes` plain Python processes to check_link 1/N of the links each."""
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    shards = []
    for i in range(processes):
        shards.append(tmp / f"shard{i}.txt")
        shards[-1].write_text("\n".join(links[i::processes]), encoding="utf-8")
    started = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-P", "-c", CHECK_SHARD, str(shard)], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, env=env, start_new_session=True)
             for shard in shards]
    try:
        outputs = [proc.communicate()[0] for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return time.perf_counter() - started, sum(int(out) for out in outputs)


def scan(root: Path, workers: int):
    request = ScanRequest(paths=[str(root)], max_workers=workers)
    with pool_stats() as stats:
        engine = ScanEngine(request, CountingSink(), None)
        seconds, counters = timed(engine.run)
    return seconds, counters, engine.warnings, stats


def wait_for_no_workers(limit: float = 3.0) -> list[str]:
    """Killed workers take a moment to die; report any still alive after `limit` s."""
    deadline = time.monotonic() + limit
    while True:
        left = [child for child in live_children() if "linkdoctor.worker_tasks" in child]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--links", type=int, default=2000)
    parser.add_argument("--shape", choices=list(SHAPES), default="season20")
    parser.add_argument("--workers", default="6,16,32", help="comma-separated worker counts to run")
    parser.add_argument("--goal-workers", type=int, default=32, help="the worker count the goal is about")
    parser.add_argument("--goal", type=float, default=8.0, help="required speed-up over find")
    parser.add_argument("--latency-ms", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2, help="runs of each scan (best is kept, all are shown)")
    parser.add_argument("--find-rounds", type=int, default=1, help="runs of find (best is kept)")
    parser.add_argument("--no-ceiling", action="store_true", help="skip the perfect-split ceiling")
    parser.add_argument("--no-wait", action="store_true",
                        help="do not wait for other processes to leave the CPUs idle first")
    args = parser.parse_args()
    worker_counts = sorted({int(w) for w in args.workers.split(",")} | {args.goal_workers})

    available, reason = fuse_available()
    if not available:
        sys.exit(f"FUSE not available: {reason}")
    exit_on_sigterm()
    tmp = Path(tempfile.mkdtemp(prefix="linkdoctor-bench-fuse-"))
    mount = None
    try:
        root, backing, mnt = build(tmp, args.links, args.shape)
        links = all_links(root)
        mount = FaultyMount(backing, mnt, latency_ms=args.latency_ms)
        mount.start()
        print(f"links: {len(links)} (local disk, shape {args.shape}) -> targets in a FUSE mount adding {args.latency_ms} ms "
              f"to every operation, attr/entry caching off; workers: {worker_counts}; cores: {os.cpu_count()}")

        sample = links[1:21]
        print(f"serial cost per link through the mount: stat (what find does) "
              f"{serial_ms(stat_or_none, sample):.1f} ms, "
              f"linkdoctor check_link (readlink+open+fstat+read 1 KiB+close) "
              f"{serial_ms(lambda p: check_link(p, 1024), sample):.1f} ms")

        if not args.no_wait:
            print(wait_for_quiet())
        find_times = []
        with OtherLoad() as load:
            for _ in range(args.find_rounds):
                seconds, find_count = timed(lambda: find_xtype_l(root))
                find_times.append(seconds)
        find_best = min(find_times)
        print(f"find -xtype l : {find_best:.3f}s (best of {args.find_rounds}), broken: {find_count} "
              f"[{load.note()}]")

        results, problems = {}, []
        for workers in worker_counts:
            times = []
            with OtherLoad() as load:
                for _ in range(args.rounds):
                    seconds, counters, warnings, stats = scan(root, workers)
                    times.append(seconds)
                    if counters["phase1_broken"] != find_count:
                        problems.append(f"{workers} workers: {counters['phase1_broken']} broken, find says {find_count}")
                    bad = {k: v for k, v in counters.items()
                           if k in ("phase1_timeout", "phase1_io_error", "phase1_inaccessible") and v}
                    if bad or warnings or counters["total_analyzed"] != len(links):
                        problems.append(f"{workers} workers: {bad} warnings={warnings} "
                                        f"analyzed={counters['total_analyzed']}")
                    if stats.spawned > workers:
                        problems.append(f"{workers} workers: {stats.spawned} worker processes started "
                                        f"(replacements after kills?)")
            best = min(times)
            results[workers] = best
            print(f"linkdoctor p1 : {best:.3f}s (best of {args.rounds}: {', '.join(f'{t:.3f}' for t in times)}) "
                  f"with {workers} workers -> {find_best / best:.2f}x faster than find "
                  f"[last run: {stats.spawned} worker processes started; {stats.summary('check')}; "
                  f"{stats.summary('list')}; {load.note()}]")

        if not args.no_ceiling:
            for processes in sorted({min(worker_counts), args.goal_workers}):
                with OtherLoad() as load:
                    seconds, broken = perfect_split(links, processes, tmp)
                note = "" if broken == find_count else f" (found {broken} broken, find {find_count}!)"
                print(f"ceiling: check_link in {processes} plain processes, 1/{processes} of the links each: "
                      f"{seconds:.3f}s -> {find_best / seconds:.2f}x faster than find{note} [{load.note()}]")

        left = wait_for_no_workers()
        if left:
            problems.append(f"worker processes still running after the scans: {left}")
        goal_best = results[args.goal_workers]
        ratio = find_best / goal_best
        verdict = "met" if ratio >= args.goal else "NOT met"
        print(f"ratio find/linkdoctor at {args.goal_workers} workers: {ratio:.2f}x "
              f"(goal >= {args.goal:g}x: {verdict}; {ratio / args.goal:.0%} of the goal)")
        for problem in problems:
            print(f"PROBLEM: {problem}")
    finally:
        if mount is not None:
            mount.stop()
        still = fuse_mount_lines()
        mine = [line for line in still if str(tmp) in line]
        if mine:
            print(f"WARNING: mount still present, leaving {tmp} in place: {mine}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
