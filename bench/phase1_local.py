"""Benchmark 1: phase 1 over N links on local disk against `find -xtype l` over the same tree.

Usage: python bench/phase1_local.py [--links 100000] [--workers 6]
Prints both times (warm cache, best of 3) and the ratio. Goal: within 2x of find.
"""

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from common import CountingSink, build_link_library, find_xtype_l, timed  # noqa: E402

from linkdoctor.scanner.engine import ScanEngine, ScanRequest  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--links", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="linkdoctor-bench-") as tmp:
        root, source = Path(tmp) / "medias", Path(tmp) / "source"
        build_link_library(root, source, args.links)
        find_count = find_xtype_l(root)  # warms the cache for both
        find_times, scan_times, counters = [], [], None
        for _ in range(args.rounds):
            find_times.append(timed(lambda: find_xtype_l(root))[0])
            request = ScanRequest(paths=[str(root)], max_workers=args.workers)
            seconds, counters = timed(lambda: ScanEngine(request, CountingSink(), None).run())
            scan_times.append(seconds)
        find_best, scan_best = min(find_times), min(scan_times)
        assert counters["phase1_broken"] == find_count, (counters, find_count)
        print(f"links: {args.links}, broken: {find_count}, workers: {args.workers}")
        print(f"find -xtype l : {find_best:.3f}s (best of {args.rounds})")
        print(f"linkdoctor p1 : {scan_best:.3f}s (best of {args.rounds}) "
              f"[checks: stat + open + read 1 KiB + size, per link]")
        print(f"ratio linkdoctor/find: {scan_best / find_best:.2f}x (goal <= 2x)")


if __name__ == "__main__":
    main()
