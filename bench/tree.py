"""Benchmark: the folder tree's first levels (GET /api/symlink/directories?depth=2, what the Scanner tab asks
first: counts cut at QUICK_SECONDS, marked partial) and then its full counts (?depth=1&full=1, what the
page asks next when the first answer was partial) over a library of 1,000,000 links, against
`find ROOT -type l` in the same run. Wall time and CPU time (this process and its workers: the machine
is shared, CPU time says what the work itself cost).

Usage: python bench/tree.py [--links 1000000] [--per-folder 100] [--rounds 3]

Also timed: the next thousand sub-folders of Movies (?path=Movies&depth=1&offset=1000, the page's
"show more" row), which holds one folder per movie (200,000 at a million links).

The library: `Shows/<show>/Season NN/` folders of `--per-folder` links and `Movies/<movie>/` folders of
one link, four links in five in the shows; the links point at files that do not exist (the tree counts
links, it never follows them). Built once in a temporary folder (not timed), removed at the end.
Goal: the first answer under 1 s.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from common import app_in_process, timed_cpu  # noqa: E402


def build(root: Path, links: int, per_folder: int) -> None:
    shows = links * 4 // 5
    made = 0
    while made < shows:
        show, season = divmod(made // per_folder, 10)
        folder = root / "Shows" / f"Show {show:05}" / f"Season {season + 1:02}"
        folder.mkdir(parents=True, exist_ok=True)
        for episode in range(min(per_folder, shows - made)):
            os.symlink(f"/mnt/zurg/__all__/{made}.mkv", folder / f"Show {show:05} - S{season + 1:02}E{episode + 1:03}.mkv")
            made += 1
    for movie in range(links - shows):
        folder = root / "Movies" / f"Movie {movie:06} ({1950 + movie % 70})"
        folder.mkdir(parents=True)
        os.symlink(f"/mnt/zurg/__all__/m{movie}.mkv", folder / f"Movie {movie:06}.mkv")


def timed(run) -> tuple[object, float, float]:
    """(run's result, wall seconds, CPU seconds of this process and the children it started)."""
    from linkdoctor.workers.pool import wait_for_killed

    # The tree's workers end once it has answered: reaped, their CPU time is counted.
    wall, cpu, result = timed_cpu(run, settle=lambda: wait_for_killed(10))
    return result, wall, cpu


def _row(name: str, walls: list[float], cpus: list[float]) -> str:
    return (f"{name}: {' '.join(f'{t:.2f}' for t in walls)} s (median {statistics.median(walls):.2f}), "
            f"CPU {' '.join(f'{t:.2f}' for t in cpus)} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--links", type=int, default=1_000_000)
    parser.add_argument("--per-folder", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory(prefix="linkdoctor-bench-") as tmp:
        media = Path(tmp) / "medias"
        started = time.perf_counter()
        build(media, args.links, args.per_folder)
        print(f"{args.links:,} links built in {time.perf_counter() - started:.0f} s")
        client = app_in_process(Path(tmp), media, {"TESTING": True}).test_client()
        runs = {"find -type l": ([], []), "tree, depth 2 (first answer)": ([], []), "tree, full=1": ([], []),
                "Movies, its next sub-folders (offset=1000)": ([], [])}

        def ask(query: dict) -> dict:
            answer = client.get("/api/symlink/directories", query_string=query)
            assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
            return answer.get_json()

        for _ in range(args.rounds):  # in turns, so that a change of load hits all alike
            found, *cost = timed(lambda: subprocess.run(["find", str(media), "-type", "l"], capture_output=True,
                                                        check=True).stdout.count(b"\n"))
            runs["find -type l"][0].append(cost[0]), runs["find -type l"][1].append(cost[1])
            quick, *cost = timed(lambda: ask({"depth": 2}))
            runs["tree, depth 2 (first answer)"][0].append(cost[0]), runs["tree, depth 2 (first answer)"][1].append(cost[1])
            print(f"first answer: {quick['symlink_count']:,} links counted of {found:,}, partial: {quick['partial']}, "
                  f"{len(quick['subdirs'])} folders on the first level, "
                  f"{sum(len(sub['subdirs']) for sub in quick['subdirs']):,} listed on the second, "
                  f"{sum(sub['more_subdirs'] for sub in quick['subdirs']):,} more not listed")
            assert quick["symlink_count"] <= found and (quick["partial"] or quick["symlink_count"] == found)
            full, *cost = timed(lambda: ask({"depth": 1, "full": 1}))
            runs["tree, full=1"][0].append(cost[0]), runs["tree, full=1"][1].append(cost[1])
            assert full["symlink_count"] == found == args.links, (full["symlink_count"], found)
            assert not full["partial"]
            # The page's "show more" row of Movies (whose movie folders are more than one answer lists).
            more, *cost = timed(lambda: ask({"path": "Movies", "depth": 1, "offset": 1000}))
            runs["Movies, its next sub-folders (offset=1000)"][0].append(cost[0])
            runs["Movies, its next sub-folders (offset=1000)"][1].append(cost[1])
            assert more["subdirs"][0]["name"] == "Movie 001000 (1970)", more["subdirs"][0]["name"]
        for name, (walls, cpus) in runs.items():
            print(_row(name, walls, cpus))
        print("goal: the first answer < 1 s")
        print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
