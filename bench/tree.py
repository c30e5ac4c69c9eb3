"""Benchmark: the folder tree's first levels (GET /api/symlink/directories?depth=2, what the Scanner tab asks
first) over a library of 1,000,000 links, against `find ROOT -type l` in the same run.

Usage: python bench/tree.py [--links 1000000] [--per-folder 100] [--rounds 3]

The library: `Shows/<show>/Season NN/` folders of `--per-folder` links and `Movies/<movie>/` folders of
one link, four links in five in the shows; the links point at files that do not exist (the tree counts
links, it never follows them). Built once in a temporary folder (not timed), removed at the end.
Goal: under 1 s.
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
        os.environ.update(LINKDOCTOR_DATA_DIR=str(Path(tmp) / "data"), LINKDOCTOR_MEDIA_PATH=str(media))
        from linkdoctor import create_app

        client = create_app({"TESTING": True}).test_client()
        finds, trees = [], []
        for _ in range(args.rounds):  # in turns, so that a change of load hits both alike
            started = time.perf_counter()
            found = subprocess.run(["find", str(media), "-type", "l"], capture_output=True, check=True).stdout.count(b"\n")
            finds.append(time.perf_counter() - started)
            started = time.perf_counter()
            answer = client.get("/api/symlink/directories", query_string={"depth": 2})
            trees.append(time.perf_counter() - started)
            assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
            tree = answer.get_json()
            assert tree["symlink_count"] == found == args.links, (tree["symlink_count"], found)
        print(f"find -type l: {' '.join(f'{t:.2f}' for t in finds)} s (median {statistics.median(finds):.2f})")
        print(f"tree, depth 2: {' '.join(f'{t:.2f}' for t in trees)} s (median {statistics.median(trees):.2f}); "
              f"{len(tree['subdirs'])} folders on the first level, goal < 1 s")
        print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
