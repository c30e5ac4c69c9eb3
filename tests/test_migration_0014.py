"""Migration 0014: the findings' page index. Scans kept from before are indexed on their first page, and the
pages say what the findings table says; a downgrade drops the index and keeps the findings."""

import sqlite3

from linkdoctor.schema import upgrade_database
from tests.support.migrations import migrate

FINDINGS = [("broken", f"Shows/Dune/Season 1/dune.s01e{n:02}.mkv") for n in range(1, 31)] + [
    ("small", "Movies/Alien (1979)/alien.mkv"), ("timeout", "Movies/Heat (1995)/heat.mkv")]


def add_scan_at_0013(database, status: str) -> int:
    with sqlite3.connect(database) as connection:
        scan_id = connection.execute(
            "INSERT INTO symlink_scan (scan_date, mode, selected_paths, verification_depth, origin, status, phase, "
            "progress, total_analyzed, phase1_ok, phase1_broken, phase1_inaccessible, phase1_small, phase1_io_error, "
            "phase1_timeout, phase2_analyzed, phase2_corrupted, phase2_cached, phase2_timeout, phase2_decoded, "
            "phase2_suspicious, files_deleted, duration, warnings, source_stats, guard) VALUES ('2026-12-07 10:00:00', "
            "'dry-run', '[]', 'basic', 'cli', ?, 'done', 1.0, 40, 8, 30, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2.0, '[]', "
            "'{}', '[]')", (status,)).lastrowid
        connection.executemany(
            "INSERT INTO finding (scan_id, path, target, category, detail, source, proposed) "
            "VALUES (?, ?, ?, ?, '', '/mnt/zurg', 0)",
            [(scan_id, f"/medias/{path}", f"/mnt/zurg/{n:03}.mkv", category) for n, (category, path) in
             enumerate(reversed(FINDINGS))])
    return scan_id


def tables(database, kind: str = "table") -> set[str]:
    with sqlite3.connect(database) as connection:
        return {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = ?", (kind,))}


def test_scans_kept_from_before_are_indexed_on_their_first_page_and_the_downgrade_keeps_their_findings(release):
    migrate(release.database, "0013", stamp_first="0001")
    scan_id = add_scan_at_0013(release.database, "completed")
    upgrade_database(release.database)  # what a start does
    assert {"finding_order", "finding_search"} <= tables(release.database)
    assert "ix_finding_scan_category_proposed" in tables(release.database, "index")

    from linkdoctor.cli.common import build_app
    from linkdoctor.models import SymlinkScan, db

    app = build_app(recover=True, web=True)
    client = app.test_client()
    with app.app_context():
        assert db.session.get(SymlinkScan, scan_id).finding_counts is None  # not indexed by the upgrade itself
    url = f"/api/symlink/scan/{scan_id}/findings"
    page = client.get(url, query_string={"per_page": 10, "page": 4, "sort": "path"}).get_json()
    assert (page["total"], page["pages"]) == (32, 4)
    assert [item["path"].rsplit("/", 1)[1] for item in page["items"]] == ["dune.s01e29.mkv", "dune.s01e30.mkv"]
    assert page["counts"]["broken"] == 30 and page["counts"]["small"] == 1 and page["counts"]["timeout"] == 1
    found = client.get(url, query_string={"q": "ALIEN (1979)"}).get_json()
    assert [item["category"] for item in found["items"]] == ["small"]
    with app.app_context():
        assert db.session.get(SymlinkScan, scan_id).finding_counts["broken"] == 30

    migrate(release.database, "0013", down=True)
    assert not {"finding_order", "finding_search"} & tables(release.database)
    assert "ix_finding_scan_category" in tables(release.database, "index")
    with sqlite3.connect(release.database) as connection:
        assert connection.execute("SELECT count(*) FROM finding WHERE scan_id = ?", (scan_id,)).fetchone() == (32,)
        columns = {row[1] for row in connection.execute("PRAGMA table_info(symlink_scan)")}
    assert "finding_counts" not in columns
