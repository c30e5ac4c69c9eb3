"""Benchmark 1: phase 1 on local disk through the real CLI against `find -xtype l` over the same tree.

Usage: python bench/phase1_local.py [--shape season20|folder100|flat|all] [--links 100000]
                                    [--flat-links 50000] [--rounds 3] [--workers N] [--no-wait]

For each shape (bench/common.SHAPES: season folders of 20 links, folders of 100, one flat
folder) a library is built in a temporary folder (every 50th link broken, the others into
1000 shared 2 KiB targets unless --distinct-targets), then in turns, best of --rounds: `find ROOT
-xtype l` and `linkdoctor scan --json` (the real CLI: job runner, engine, worker pool, findings
written into the SQLite database), whose reported `duration` is the scan's own time (walk,
checks, database writes; not the process start-up). Warm cache: one untimed run of each first
(the CLI's also creates the database). Checks that both find the same broken links.
Goal: linkdoctor within 2x of find on every shape.
"""

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from common import (SHAPES, OtherLoad, build_shape, cli_scan, exit_on_sigterm, find_xtype_l,  # noqa: E402
                    timed, wait_for_quiet)


def measure(shape: str, links: int, rounds: int, workers: int | None, sparse: bool, wait: bool) -> dict:
    """Build one shape, time find and the CLI scan in turns; the best of each and the load."""
    tmp = Path(tempfile.mkdtemp(prefix="linkdoctor-bench-p1-"))
    try:
        root = tmp / "medias"
        build_shape(root, tmp / "source", links, shape, sparse=sparse)
        if wait:
            # Writing the new library back to disk (kernel threads) would run during the first rounds.
            os.sync()
            print(wait_for_quiet(limit=60))
        find_count = find_xtype_l(root)
        cli_scan(tmp, root, workers)  # creates the database; warms the cache
        find_times, scan_times, walls = [], [], []
        with OtherLoad() as load:
            for _ in range(rounds):
                find_times.append(timed(lambda: find_xtype_l(root))[0])
                duration, wall, document = cli_scan(tmp, root, workers)
                scan_times.append(duration)
                walls.append(wall)
                stats = document["statistics"]
                assert stats["phase1_broken"] == find_count == len(document["findings"]), (stats, find_count)
                assert stats["total_analyzed"] == links, stats
        return {"find": min(find_times), "scan": min(scan_times), "wall": min(walls), "load": load.note(),
                "broken": find_count, "all_find": find_times, "all_scan": scan_times}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shape", choices=[*SHAPES, "all"], default="all")
    parser.add_argument("--links", type=int, default=100_000, help="links of the folder shapes")
    parser.add_argument("--flat-links", type=int, default=50_000, help="links of the flat folder")
    parser.add_argument("--workers", type=int, default=None, help="--workers of the scan (default: the setting)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--distinct-targets", action="store_true",
                        help="one target file per link (default: 1000 shared targets; deleting 100,000 files "
                             "takes minutes on a disk with online discard)")
    parser.add_argument("--no-wait", action="store_true", help="do not wait for a quiet machine first")
    args = parser.parse_args()
    exit_on_sigterm()
    shapes = list(SHAPES) if args.shape == "all" else [args.shape]
    worst = 0.0
    for shape in shapes:
        links = args.flat_links if shape == "flat" else args.links
        result = measure(shape, links, args.rounds, args.workers, not args.distinct_targets, not args.no_wait)
        ratio = result["scan"] / result["find"]
        worst = max(worst, ratio)
        print(f"{shape:<9} {links:>7} links ({result['broken']} broken): find -xtype l {result['find']:.3f}s, "
              f"linkdoctor scan {result['scan']:.3f}s (CLI wall {result['wall']:.2f}s) -> {ratio:.2f}x find "
              f"[best of {args.rounds}; find {', '.join(f'{t:.2f}' for t in result['all_find'])}; "
              f"scan {', '.join(f'{t:.2f}' for t in result['all_scan'])}; {result['load']}]", flush=True)
    print(f"worst ratio linkdoctor/find: {worst:.2f}x (goal <= 2x: {'met' if worst <= 2 else 'NOT met'})")


if __name__ == "__main__":
    main()
