"""Benchmark: what ignore rules cost a phase-1 scan, against the same scan without rules and `find -xtype l`.

Usage: python bench/ignores.py [--series 200] [--flat 5000] [--rules 1000] [--workers 6]

The library has the shapes users have: series of season folders holding 10-25 episodes each, and
one flat folder with thousands of links. The rules are what a long-used install gathers: one
folder rule covering a whole series, one target prefix covering a tenth of the flat folder's
targets, and as many link rules as asked that match nothing in the walk (links long gone).
Every link is checked against every kind of rule, so this is the matcher's worst case.
Prints the best of N rounds (warm cache) and the ratios.
"""

import argparse
import os
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from common import CountingSink, find_xtype_l, timed  # noqa: E402

from linkdoctor.ignores import IgnoreRules  # noqa: E402
from linkdoctor.scanner.engine import ScanEngine, ScanRequest  # noqa: E402


def build(root: Path, source: Path, series: int, flat: int, seed: int = 7) -> int:
    """Season folders of 10-25 episodes and a flat folder; every 50th target missing. Returns the link count."""
    rng = random.Random(seed)
    payload = b"x" * 2048
    count = 0

    def link(path: Path, target: Path) -> None:
        nonlocal count
        if count % 50:
            target.write_bytes(payload)
        os.symlink(target, path)
        count += 1

    for s in range(series):
        for season in range(1, rng.randint(2, 6)):
            folder = root / "Series" / f"Show {s:04} (2010)" / f"Season {season:02}"
            folder.mkdir(parents=True)
            store = source / "shows" / f"show{s:04}" / f"s{season:02}"
            store.mkdir(parents=True)
            for e in range(1, rng.randint(10, 25) + 1):
                link(folder / f"Show {s:04} - S{season:02}E{e:02}.mkv", store / f"e{e:02}.mkv")
    flat_folder = root / "Movies"
    flat_folder.mkdir(parents=True)
    for m in range(flat):
        store = source / "movies" / f"batch{m % 10}"
        store.mkdir(parents=True, exist_ok=True)
        link(flat_folder / f"Movie {m:05} (2001).mkv", store / f"m{m:05}.mkv")
    return count


def scan(root: Path, workers: int, rules: IgnoreRules | None) -> dict:
    request = ScanRequest(paths=[str(root)], max_workers=workers, ignores=rules)
    return ScanEngine(request, CountingSink(), None).run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--series", type=int, default=200)
    parser.add_argument("--flat", type=int, default=5000)
    parser.add_argument("--rules", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="linkdoctor-bench-") as tmp:
        root, source = Path(tmp) / "medias", Path(tmp) / "source"
        links = build(root, source, args.series, args.flat)
        rules = IgnoreRules(
            links=[str(root / "Gone" / f"old{i}.mkv") for i in range(args.rules)],
            folders=[str(root / "Series" / "Show 0000 (2010)")],
            targets=[str(source / "movies" / "batch3")],
        )
        find_xtype_l(root)  # warms the cache for all
        times = {"find": [], "no rules": [], "rules": []}
        counters = {}
        for _ in range(args.rounds):
            times["find"].append(timed(lambda: find_xtype_l(root))[0])
            seconds, counters["no rules"] = timed(lambda: scan(root, args.workers, None))
            times["no rules"].append(seconds)
            seconds, counters["rules"] = timed(lambda: scan(root, args.workers, rules))
            times["rules"].append(seconds)
        best = {name: min(values) for name, values in times.items()}
        # The matcher alone, over every (link, target) of the library, with fresh folder caches.
        pairs = [(os.path.join(folder, name), os.readlink(os.path.join(folder, name)))
                 for folder, _dirs, files in os.walk(root) for name in files]
        fresh = IgnoreRules(rules.links, rules.folders, rules.targets)
        matcher_seconds, matched = timed(lambda: sum(fresh.matches(p, t) for p, t in pairs))
        assert matched == counters["rules"]["ignored"]
        ignored = counters["rules"]["ignored"]
        assert counters["rules"]["total_analyzed"] + ignored == counters["no rules"]["total_analyzed"] == links
        print(f"links: {links} ({args.series} series in season folders, {args.flat} in one flat folder), "
              f"workers: {args.workers}, rules: {args.rules + 2}, ignored by them: {ignored}")
        for name, seconds in best.items():
            print(f"{name:<9}: {seconds:.3f}s (best of {args.rounds})")
        print(f"matcher alone: {matcher_seconds * 1e6 / len(pairs):.2f} µs per link "
              f"(the scan costs {best['no rules'] * 1e6 / links:.0f} µs per link)")
        print(f"ratio scan with rules / without: {best['rules'] / best['no rules']:.2f}x "
              f"(it checks {ignored} fewer links)")
        print(f"ratio scan without rules / find -xtype l: {best['no rules'] / best['find']:.2f}x; "
              f"with rules / find: {best['rules'] / best['find']:.2f}x")


if __name__ == "__main__":
    main()
