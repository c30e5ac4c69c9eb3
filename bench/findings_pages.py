"""Benchmark: findings pages, search, filter and sorts of one scan of 250,000 findings, through the HTTP API.

Usage: python bench/findings_pages.py [--findings 250000] [--per-page 50] [--rounds 5] [--scans 3]

Builds a data folder with the real migrations, then writes `--scans` finished scans of
`--findings` findings each straight into SQLite (as DatabaseSink's batches would, through the
same triggers), and times GET /api/symlink/scan/<id>/findings through Flask's test client (the
whole route: arguments, query, JSON) for the newest scan: the first page, a middle page, the last
page, a search, a category filter, and each sort in both orders, median of `--rounds` (the first
round, with a cold page cache, is shown apart). Run from a checkout without linkdoctor/findings.py
(this file and bench/common.py copied in), it measures that version the same way (for a before/after).
Then the rotation: a new scan is recorded and `rotate_scans` deletes the oldest one with its findings,
timed. Goal: every request under 200 ms.
"""

import argparse
import os
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from common import app_in_process, timed_cpu  # noqa: E402

try:
    from linkdoctor.findings import index_findings
except ImportError:  # a version before the page index (database 0013): the same requests, the old way
    index_findings = None

CATEGORY_SHARES = (("broken", 0.80), ("small", 0.08), ("io_error", 0.04), ("timeout", 0.03),
                   ("inaccessible", 0.02), ("corrupted", 0.03))
WORDS = ("dune", "alien", "matrix", "arrival", "heat", "fargo", "ronin", "brazil", "tenet", "memento",
         "parasite", "amelie", "gravity", "solaris", "stalker", "vertigo", "psycho", "jaws", "rocky", "up")


def finding_rows(scan_id: int, count: int, rng: random.Random):
    """Findings shaped like a real library's: series in season folders, one link per episode."""
    weights = [share for _, share in CATEGORY_SHARES]
    names = [name for name, _ in CATEGORY_SHARES]
    for n in range(count):
        show = f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} {n // 250:04}"
        season, episode = n // 25 % 10 + 1, n % 25 + 1
        link = f"/srv/media/Shows/{show}/Season {season:02}/{show} - S{season:02}E{episode:02}.mkv"
        target = f"/mnt/zurg/__all__/{show.replace(' ', '.')}.S{season:02}.1080p.WEB/{n:07}.mkv"
        category = rng.choices(names, weights)[0]
        yield (scan_id, link, target, category, f"{category}: detail of {n}", "/mnt/zurg", category == "broken")


def write_scans(database: Path, scans: int, findings: int) -> list[int]:
    rng = random.Random(23)
    ids = []
    with sqlite3.connect(database) as connection:
        for _ in range(scans):
            scan_id = connection.execute(
                "INSERT INTO symlink_scan (scan_date, mode, selected_paths, verification_depth, origin, status, "
                "phase, progress, total_analyzed, phase1_ok, phase1_broken, phase1_inaccessible, phase1_small, "
                "phase1_io_error, phase1_timeout, phase2_analyzed, phase2_corrupted, phase2_cached, phase2_timeout, "
                "phase2_decoded, phase2_suspicious, files_deleted, duration, warnings, source_stats, guard, "
                "finished_at) VALUES (datetime('now'), 'dry-run', '[]', 'full', 'cli', 'completed', 'done', 1.0, "
                "?, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 60.0, '[]', '{}', '[]', datetime('now'))",
                (findings * 4,)).lastrowid
            rows = finding_rows(scan_id, findings, rng)
            while batch := [row for _, row in zip(range(500), rows)]:
                connection.executemany("INSERT INTO finding (scan_id, path, target, category, detail, source, "
                                       "proposed) VALUES (?, ?, ?, ?, ?, ?, ?)", batch)
            ids.append(scan_id)
    return ids


def requests_to_time(scan_id: int, findings: int, per_page: int) -> list[tuple[str, str]]:
    pages = (findings + per_page - 1) // per_page
    base = f"/api/symlink/scan/{scan_id}/findings?per_page={per_page}"
    middle = max(1, pages // 2)
    asked = [("first page", f"{base}&page=1"), (f"page {middle:,} (the middle)", f"{base}&page={middle}"),
             ("last page", f"{base}&page={pages}"),
             ("search q=arrival tenet (first page)", f"{base}&q=Arrival%20Tenet"),
             ("search q=S03E07 (first page)", f"{base}&q=S03E07"),
             ("search q=arrival tenet, last page", f"{base}&q=Arrival%20Tenet&page=1000000"),
             ("category=small (first page)", f"{base}&category=small"),
             ("category=small, last page", f"{base}&category=small&page=1000000"),
             ("category=broken, middle page", f"{base}&category=broken&page={pages // 2}")]
    for sort in ("path", "category", "target"):
        for order in ("asc", "desc"):
            asked.append((f"sort={sort} {order}, first page", f"{base}&sort={sort}&order={order}"))
        asked.append((f"sort={sort}, page {middle:,}", f"{base}&sort={sort}&page={middle}"))
    asked.append(("sort=path, category=timeout, last page", f"{base}&sort=path&category=timeout&page=1000000"))
    # What the proposal's panel asks (confirm.js): its counts, then a whole category 500 at a time.
    asked += [("proposed=1, per_page=1 (the proposal's counts)", f"{base.split('?')[0]}?proposed=1&per_page=1"),
              ("category=broken&proposed=1, per_page=500, p. 200",
               f"{base.split('?')[0]}?category=broken&proposed=1&per_page=500&page=200")]
    # The Dashboard's requests, with these scans kept.
    asked += [("dashboard: GET /system", "/api/symlink/system"),
              ("dashboard: GET /scans/history", "/api/symlink/scans/history"),
              ("scanner: GET /scan/status/<id>", f"/api/symlink/scan/status/{scan_id}")]
    return asked


def time_request(client, url: str, rounds: int) -> tuple[float, float, float, dict]:
    """(cold wall time, median wall time, median CPU time, the answer) of GET url."""
    times, cpu = [], []
    for _ in range(rounds):
        wall, cpu_seconds, response = timed_cpu(lambda: client.get(url))
        times.append(wall)
        cpu.append(cpu_seconds)
        assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[:300])
    data = response.get_json()
    if data.get("pages") and data.get("page", 0) > data["pages"]:  # a page past the end: the page's JS asks for the last
        return time_request(client, re.sub(r"([?&]page=)\d+", rf"\g<1>{data['pages']}", url), rounds)
    return times[0], statistics.median(times[1:] or times), statistics.median(cpu[1:] or cpu), data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--findings", type=int, default=250_000)
    parser.add_argument("--per-page", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--scans", type=int, default=3)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory(prefix="linkdoctor-bench-") as tmp:
        media = Path(tmp) / "medias"
        media.mkdir()
        app = app_in_process(Path(tmp), media, {"TESTING": True})
        from linkdoctor.settings import load_settings

        database = load_settings().database_path
        started = time.perf_counter()
        ids = write_scans(database, args.scans, args.findings)
        print(f"{args.scans} scans of {args.findings:,} findings written in {time.perf_counter() - started:.1f} s "
              f"(database {database.stat().st_size / 2**20:.0f} MiB)")
        with app.app_context():
            for scan_id in ids if index_findings else ():  # what the end of each scan does (scan_manager), timed
                seconds, cpu, _ = timed_cpu(lambda: index_findings(scan_id))
                print(f"scan {scan_id}: findings indexed in {seconds:.1f} s ({cpu:.1f} CPU-s)")
        client = app.test_client()
        slowest = 0.0
        print(f"{'request':45} {'cold':>9} {'median':>9} {'CPU':>9}  total / items")
        for name, url in requests_to_time(ids[-1], args.findings, args.per_page):
            cold, median, cpu, data = time_request(client, url, args.rounds)
            slowest = max(slowest, median)
            shown = (f"{data['total']:,} / {len(data['items'])} (page {data['page']} of {data['pages']:,})"
                     if "items" in data else "")
            print(f"{name:45} {cold * 1000:7.1f}ms {median * 1000:7.1f}ms {cpu * 1000:7.1f}ms  {shown}")
        with app.app_context():
            from linkdoctor import scans

            newest = write_scans(database, 1, 10)[0]
            if index_findings:
                index_findings(newest)
            rotation, rotation_cpu, deleted = timed_cpu(lambda: scans.rotate_scans(args.scans))
        print(f"rotation: deleting scan {deleted} ({args.findings:,} findings) took {rotation * 1000:.0f} ms "
              f"({rotation_cpu * 1000:.0f} ms CPU)")
        print(f"slowest request (median wall): {slowest * 1000:.1f} ms (goal < 200 ms); "
              f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
