"""Benchmark: peak memory of a phase-1 scan through the real CLI as the library grows.

Usage: python bench/memory.py [--sizes 10000,100000] [--shape folder100] [--workers N]
       python bench/memory.py --sizes 100000,1000000      # the million (builds in minutes)

For each size a library is built (bench/common.build_shape, folders of 100 links by
default, every 50th link broken, the others into 1000 shared targets), then
`linkdoctor scan --json` runs on it as a user runs it (job runner, engine, worker pool,
findings written into SQLite). While it runs, the peak RSS (VmHWM, /proc/PID/status) of
the CLI process and of every worker process it starts is sampled every 50 ms; the CLI's
own peak is also read exactly from os.wait4() when it ends (ru_maxrss; it includes this
small benchmark process's RSS at spawn time, as Linux carries a parent's high-water mark
across exec). A worker that lives less than 50 ms may be missed; phase-1 workers live for
the whole scan.

Goal: the largest process stays under 300 MB, and its peak at the largest size is within
20 % of its peak at the smallest (memory does not grow with the library).
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "src"))

from common import OtherLoad, build_shape, cli_environment, exit_on_sigterm, timed  # noqa: E402
from poolstats import vm_hwm_kb  # noqa: E402


def _descendants(root_pid: int) -> list[int]:
    """The processes under `root_pid` (children, grandchildren, ...), from /proc/*/stat."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    parents[int(entry)] = int(handle.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [], [root_pid]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found.extend(children)
        frontier.extend(children)
    return found


def _command(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def scan_with_peaks(tmp: Path, root: Path, workers: int | None) -> dict:
    """Run the CLI scan; its duration and the peaks of the CLI and of its worker processes."""
    command = [str(Path(sys.executable).with_name("linkdoctor")), "scan", "--json"]
    if workers:
        command += ["--workers", str(workers)]
    out = open(tmp / "scan.json", "wb")
    proc = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL, env=cli_environment(tmp, root))
    peaks: dict[int, int] = {}
    others: set[str] = set()
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            for pid in [proc.pid, *_descendants(proc.pid)]:
                # A child between fork and exec still shows the CLI's pages (shared, not its own):
                # only the CLI itself and processes already running the worker program count.
                command = _command(pid)
                if pid != proc.pid and "worker_tasks" not in command:
                    others.add(command[:80])
                    continue
                kb = vm_hwm_kb(pid)
                if kb:
                    peaks[pid] = max(peaks.get(pid, 0), kb)
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    out.close()
    import json
    document = json.loads((tmp / "scan.json").read_text())
    workers_kb = [kb for pid, kb in peaks.items() if pid != proc.pid]
    return {"cli_kb": max(usage.ru_maxrss, peaks.get(proc.pid, 0)), "cli_sampled_kb": peaks.get(proc.pid, 0),
            "workers_kb": workers_kb, "duration": document["duration"], "wall": wall,
            "statistics": document["statistics"], "exit": os.waitstatus_to_exitcode(status), "others": others}


def mib(kb: float) -> str:
    return f"{kb / 1024:.1f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--shape", default="folder100")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    exit_on_sigterm()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"phase-1 scan through `linkdoctor scan --json`, shape {args.shape}, local disk; cores: {os.cpu_count()}")
    rows = []
    for links in sizes:
        tmp = Path(tempfile.mkdtemp(prefix="linkdoctor-bench-mem-"))
        try:
            root = tmp / "medias"
            build_seconds, _ = timed(lambda: build_shape(root, tmp / "source", links, args.shape, sparse=True))
            with OtherLoad() as load:
                report = scan_with_peaks(tmp, root, args.workers)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        stats = report["statistics"]
        assert stats["total_analyzed"] == links, stats
        largest = max([report["cli_kb"], *report["workers_kb"]])
        rows.append((links, largest))
        print(f"{links:>8} links (built in {build_seconds:.0f}s; scan {report['duration']:.1f}s, CLI wall "
              f"{report['wall']:.1f}s, {stats['phase1_broken']} broken): largest process {mib(largest)}; CLI "
              f"{mib(report['cli_kb'])} (sampled VmHWM {mib(report['cli_sampled_kb'])}); "
              f"{len(report['workers_kb'])} workers, largest {mib(max(report['workers_kb'], default=0))} "
              f"[{load.note()}]", flush=True)
        if report["others"]:
            print(f"    other child processes seen (not counted): {sorted(report['others'])}")
    (small, first), (large, last) = rows[0], rows[-1]
    growth = (last - first) / first
    verdict = "met" if last < 300 * 1000 * 1000 / 1024 and abs(growth) <= 0.2 else "NOT met"
    print(f"largest process from {small:,} to {large:,} links: {mib(first)} -> {mib(last)} ({growth:+.0%}); "
          f"goal < 300 MB and within 20 %: {verdict}")


if __name__ == "__main__":
    main()
