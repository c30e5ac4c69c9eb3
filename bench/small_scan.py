"""Benchmark: small scans are instant, in the server and from the CLI.

Usage: python bench/small_scan.py [--server-links 100] [--cli-links 10] [--rounds 10]

* Server: `linkdoctor serve` (the real app on waitress, its job runner) on a library of
  --server-links links in season folders of 20; each round POSTs /api/symlink/scan/start and
  polls GET /api/symlink/scan/status/<id> every 5 ms until the scan is completed: the time
  from sending the request to the first status that says so (goal: under 0.3 s), with the
  scan's own duration and the worker processes the server had started meanwhile (sampled).
* CLI: `linkdoctor scan --json` of --cli-links links, the wall time of the whole command
  as a user waits for it, process start-up included (goal: under 1 s).

Medians and maxima over --rounds, and the CPU other processes used meanwhile.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import OtherLoad, build_shape, cli_scan, exit_on_sigterm, served, wait_for_quiet  # noqa: E402
from memory import _command, _descendants  # noqa: E402


def server_rounds(tmp: Path, root: Path, rounds: int) -> tuple[list[float], list[float], int]:
    """(request-to-completed seconds, the scans' own durations, workers seen) over `rounds` scans."""
    session = requests.Session()
    with served(tmp, root) as (base, server):
        times, durations, workers = [], [], set()
        for _ in range(rounds + 1):  # the first round warms the cache and the server
            started = time.perf_counter()
            scan_id = session.post(f"{base}/scan/start", json={}, timeout=30).json()["scan_id"]
            while True:
                body = session.get(f"{base}/scan/status/{scan_id}", timeout=30).json()
                workers.update(pid for pid in _descendants(server.pid) if "worker_tasks" in _command(pid))
                if body["status"] not in ("pending", "running"):
                    break
                time.sleep(0.005)
            times.append(time.perf_counter() - started)
            durations.append(body["duration"])
            assert body["status"] == "completed", body
        return times[1:], durations[1:], len(workers)


def describe(times: list[float]) -> str:
    return f"median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server-links", type=int, default=100)
    parser.add_argument("--cli-links", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--no-wait", action="store_true", help="do not wait for a quiet machine first")
    args = parser.parse_args()
    exit_on_sigterm()
    tmp = Path(tempfile.mkdtemp(prefix="linkdoctor-bench-small-"))
    try:
        build_shape(tmp / "server" / "medias", tmp / "server" / "source", args.server_links, "season20")
        build_shape(tmp / "cli" / "medias", tmp / "cli" / "source", args.cli_links, "season20")
        if not args.no_wait:
            print(wait_for_quiet(limit=60))
        with OtherLoad() as load:
            times, durations, workers = server_rounds(tmp / "server", tmp / "server" / "medias", args.rounds)
        print(f"server, {args.server_links} links: request to completed {describe(times)}; the scan's own "
              f"duration {describe(durations)}; {workers} worker processes started in all "
              f"(goal < 300 ms: {'met' if statistics.median(times) < 0.3 else 'NOT met'}) [{load.note()}]")
        cli_root = tmp / "cli" / "medias"
        cli_scan(tmp / "cli", cli_root)  # creates the database
        walls, durations = [], []
        with OtherLoad() as load:
            for _ in range(args.rounds):
                duration, wall, _document = cli_scan(tmp / "cli", cli_root)
                walls.append(wall)
                durations.append(duration)
        print(f"CLI, {args.cli_links} links: `linkdoctor scan --json` wall {describe(walls)}; the scan's own "
              f"duration {describe(durations)} (goal < 1 s: {'met' if statistics.median(walls) < 1 else 'NOT met'}) "
              f"[{load.note()}]")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
