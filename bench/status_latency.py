"""Status-poll latency of the real web app (waitress) while it scans a 100k-link library.

Usage: python bench/status_latency.py [--links 100000] [--depth basic]
Prints the latency of GET /api/symlink/scan/status/<id> polled every 0.1 s during the
scan (the UI polls once a second), against the same poll with no scan running.
Goal: "well under a second" during any scan.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import build_link_library, served  # noqa: E402


def poll_times(url: str, until, limit: int = 10_000) -> list[float]:
    times = []
    while until() and len(times) < limit:
        started = time.perf_counter()
        requests.get(url, timeout=30).raise_for_status()
        times.append(time.perf_counter() - started)
        time.sleep(0.1)
    return times


def describe(name: str, times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[int(len(ordered) * 0.95) - 1] if len(ordered) > 1 else ordered[0]
    return (f"{name}: {len(times)} polls, median {statistics.median(times) * 1000:.1f} ms, "
            f"p95 {p95 * 1000:.1f} ms, max {max(times) * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--links", type=int, default=100_000)
    parser.add_argument("--depth", default="basic", choices=["basic", "full"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="linkdoctor-bench-") as tmp:
        root, source = Path(tmp) / "medias", Path(tmp) / "source"
        build_link_library(root, source, args.links)
        with served(Path(tmp), root) as (base, _server):
            idle_until = time.monotonic() + 3
            idle = poll_times(f"{base}/config", lambda: time.monotonic() < idle_until)
            scan_id = requests.post(f"{base}/scan/start", json={"verification_depth": args.depth},
                                    timeout=30).json()["scan_id"]
            status_url = f"{base}/scan/status/{scan_id}"
            times, running = [], True
            while running:
                started = time.perf_counter()
                body = requests.get(status_url, timeout=30).json()
                times.append(time.perf_counter() - started)
                running = body["status"] in ("pending", "running")
                time.sleep(0.1)
            print(f"{args.links} links, depth {args.depth}, scan took {body['duration']:.1f}s, "
                  f"{body['statistics']['total_analyzed']} analysed")
            print(describe("no scan (GET config)   ", idle))
            print(describe("during the scan (status)", times))

if __name__ == "__main__":
    main()
