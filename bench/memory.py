"""Benchmark: peak memory of a phase-1 scan as the library grows (10k, 50k, 100k links).

Usage: python bench/memory.py [--sizes 10000,50000,100000] [--workers 6]

For each size a library is built (bench/common.build_link_library: one folder per
movie, 1000 movie folders per title folder, every 50th link broken), then a phase-1
scan (ScanEngine, verification_depth="basic", a counting sink, no cache) runs in a
fresh child process, so that the figures belong to the scan alone:

* scanning process: its peak RSS, as VmHWM of its own address space (/proc/self/status)
  and as ru_maxrss (RUSAGE_SELF), both before and after the scan;
* workers: each worker's VmHWM, read just before the pool kills it (bench/poolstats.py),
  as the largest and the sum; and, after the child has reaped its killed workers,
  RUSAGE_CHILDREN ru_maxrss (the largest single worker, not a sum) and the sum of the
  ru_maxrss that os.wait4() returned for each worker it reaped itself;
* the engine's peak queue lengths (folders waiting to be listed, links waiting to be
  checked), to show what the scanning process's memory is made of.

Why VmHWM is the figure to read: Linux carries the high-water mark of the address space
a process had before exec() into its ru_maxrss, so a child's ru_maxrss is never below
its parent's RSS at spawn time. The workers are spawned by the scanning process, so
their ru_maxrss reads at least as high as the scanning process's RSS, whatever they
use themselves; the same applies to the scanning process, spawned by this one.

Memory staying flat means the scanning process's peak does not grow with N.
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "src"))

from common import CountingSink, build_link_library, exit_on_sigterm  # noqa: E402


def child(root: str, workers: int) -> None:
    """Run in the measured process: one scan, then report peaks as JSON on stdout."""
    from poolstats import pool_stats, vm_hwm_kb

    from linkdoctor.scanner import engine as engine_module

    queues = {"folders": 0, "links": 0}
    on_listing = engine_module.ScanEngine._on_listing

    def tracking_on_listing(self, outcome):  # the queues only grow when a listing comes back
        on_listing(self, outcome)
        queues["folders"] = max(queues["folders"], len(self.folders))
        queues["links"] = max(queues["links"], len(self.links))

    engine_module.ScanEngine._on_listing = tracking_on_listing
    before = {"hwm_kb": vm_hwm_kb(), "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}
    with pool_stats() as stats:
        request = engine_module.ScanRequest(paths=[root], max_workers=workers)
        started = time.perf_counter()
        counters = engine_module.ScanEngine(request, CountingSink(), None).run()
        seconds = time.perf_counter() - started
    after = {"hwm_kb": vm_hwm_kb(), "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}
    # The pool kills its workers without waiting; reap them here so that RUSAGE_CHILDREN
    # covers them all (those the pool's own poll() reaped are in it already).
    wait4_kb = {}
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            pid, _status, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            time.sleep(0.01)
            continue
        wait4_kb[pid] = usage.ru_maxrss
    print(json.dumps({
        "before": before, "after": after, "seconds": seconds, "counters": counters, "queues": queues,
        "workers": len(stats.processes), "worker_hwm_kb": list(stats.hwm_kb.values()),
        "wait4_kb": list(wait4_kb.values()),
        "children_maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    }))


def measure(root: Path, workers: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", str(root), "--workers", str(workers)],
                         stdout=subprocess.PIPE, check=True).stdout
    return json.loads(out)


def mib(kb: float) -> str:
    return f"{kb / 1024:.1f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,50000,100000")
    parser.add_argument("--workers", type=int, default=6)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.workers)
        return
    exit_on_sigterm()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"phase-1 scan, {args.workers} workers, local disk; cores: {os.cpu_count()}")
    rows = []
    for links in sizes:
        tmp = Path(tempfile.mkdtemp(prefix="linkdoctor-bench-mem-"))
        try:
            root = tmp / "medias"
            build_link_library(root, tmp / "source", links)
            report = measure(root, args.workers)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        counters = report["counters"]
        assert counters["total_analyzed"] == links, counters
        before, after, hwm = report["before"], report["after"], report["worker_hwm_kb"]
        rows.append((links, report))
        print(f"{links:>7} links ({report['seconds']:.1f}s, {counters['phase1_broken']} broken):")
        print(f"    scanning process: peak {mib(after['hwm_kb'])} VmHWM (before the scan {mib(before['hwm_kb'])}, "
              f"+{mib(after['hwm_kb'] - before['hwm_kb'])}); ru_maxrss {mib(after['maxrss_kb'])} "
              f"(before {mib(before['maxrss_kb'])}); peak queues: {report['queues']['folders']} folders, "
              f"{report['queues']['links']} links")
        print(f"    {report['workers']} workers: VmHWM largest {mib(max(hwm, default=0))}, sum {mib(sum(hwm))}"
              f"{'' if len(hwm) == report['workers'] else f' (of {len(hwm)} workers only!)'}; "
              f"ru_maxrss: RUSAGE_CHILDREN {mib(report['children_maxrss_kb'])}, "
              f"sum over the {len(report['wait4_kb'])} reaped by wait4 {mib(sum(report['wait4_kb']))}")
        print(f"    total (scanning process + workers, VmHWM): {mib(after['hwm_kb'] + sum(hwm))}")
    (small, first), (large, last) = rows[0], rows[-1]
    a, b = first["after"]["hwm_kb"], last["after"]["hwm_kb"]
    print(f"scanning process peak (VmHWM) from {small} to {large} links: {mib(a)} -> {mib(b)} "
          f"({(b - a) / a:+.0%}, ~{(b - a) / ((large - small) / 10_000):.0f} KiB per 10k more links)")
    wa, wb = max(first["worker_hwm_kb"]), max(last["worker_hwm_kb"])
    print(f"largest worker (VmHWM) from {small} to {large} links: {mib(wa)} -> {mib(wb)}")


if __name__ == "__main__":
    main()
