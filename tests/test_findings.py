"""Findings pages from the page index (linkdoctor.findings) on real SQLite: the same answers as the table read
directly, for every filter, search, sort, order and page; the index follows the scan's life (built when a real
scan ends, left out while it runs, deleted by the rotation, untouched by confirm and restore)."""

import itertools
import os
import random

import pytest

from linkdoctor.findings import findings_page, index_findings
from linkdoctor.models import (
    COMPLETED, RUNNING, Finding, FindingOrder, FindingSearch, SymlinkScan, db,
)
from linkdoctor.scanner.checks import PROBLEM_CATEGORIES
from linkdoctor.scans import rotate_scans
from tests.support.api import wait_for_scan

SORT_KEYS = {"": lambda f: f.id, "path": lambda f: f.path, "target": lambda f: f.target,
             "category": lambda f: f.category}


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def add_scan(findings, status=COMPLETED) -> int:
    scan = SymlinkScan(status=status)
    db.session.add(scan)
    db.session.flush()
    db.session.add_all(Finding(scan_id=scan.id, path=path, target=target, category=category, proposed=False)
                       for path, target, category in findings)
    db.session.commit()
    return scan.id


def awkward_findings(count: int, seed: int = 7) -> list[tuple[str, str, str]]:
    """Names with case, accents, LIKE wildcards and equal paths, in an order unlike any sort."""
    rng = random.Random(seed)
    words = ["Dune", "dune", "ALIEN", "Été", "été", "50%_off", "a_b", "Zed", "zed", "Über"]
    found = []
    for n in range(count):
        word = rng.choice(words)
        path = f"/medias/{word}/{rng.choice(words)} {n % 7}.mkv"
        found.append((path, f"/mnt/{rng.choice(words)}/{n % 5}.mkv", rng.choice(PROBLEM_CATEGORIES[:4] + ("corrupted",))))
    return found


def expected(scan_id, category, q, sort, order, page, per_page):
    """The page as the findings table itself says it: filtered, searched and sorted in Python."""
    rows = list(db.session.execute(db.select(Finding).where(Finding.scan_id == scan_id)).scalars())
    if q:  # SQLite's LIKE: ASCII letters without case, everything else as it is
        fold = lambda text: "".join(c.lower() if c.isascii() else c for c in text)  # noqa: E731
        rows = [f for f in rows if fold(q) in fold(f.path) or fold(q) in fold(f.target)]
    counts = {name: sum(f.category == name for f in rows) for name in PROBLEM_CATEGORIES}
    if category:
        rows = [f for f in rows if f.category == category]
    rows.sort(key=lambda f: (SORT_KEYS[sort](f), f.id), reverse=order == "desc")
    shown = rows[(page - 1) * per_page:page * per_page]
    return counts, len(rows), [f.id for f in shown]


@pytest.mark.parametrize("block", [4, 256])
def test_every_filter_search_sort_and_page_matches_the_table(ctx, monkeypatch, block):
    monkeypatch.setattr(FindingOrder, "BLOCK", block)  # 4: every page spans blocks
    scan_id = add_scan(awkward_findings(83))
    add_scan(awkward_findings(20, seed=8))  # another scan's findings are never shown
    for category, q, sort, order, per_page in itertools.product(
            ["", "broken", "io_error", "timeout"], ["", "dune", "été", "50%_", "_", "zed/", "nothing"],
            ["", "path", "target", "category"], ["asc", "desc"], [7, 50]):
        counts, total, ids = expected(scan_id, category, q, sort, order, 1, per_page)
        for page in {1, 2, (total + per_page - 1) // per_page, (total + per_page - 1) // per_page + 1} - {0}:
            counts, total, ids = expected(scan_id, category, q, sort, order, page, per_page)
            got = findings_page(scan_id, category or None, page, per_page, q=q or None, sort=sort or None,
                                order=order)
            asked = (category, q, sort, order, page, per_page)
            assert [item["id"] for item in got["items"]] == ids, asked
            assert (got["counts"], got["total"], got["pages"]) == (counts, total, -(-total // per_page)), asked
    assert db.session.get(SymlinkScan, scan_id).finding_counts is not None  # read from the index, not the table


def test_a_running_scans_findings_are_read_from_the_table_and_indexed_once_finished(ctx):
    scan_id = add_scan(awkward_findings(30), status=RUNNING)
    page = findings_page(scan_id, None, 2, 10, sort="path")
    assert [item["id"] for item in page["items"]] == expected(scan_id, "", "", "path", "asc", 2, 10)[2]
    scan = db.session.get(SymlinkScan, scan_id)
    assert scan.finding_counts is None
    assert db.session.execute(db.select(db.func.count()).select_from(FindingOrder)).scalar() == 0

    scan.status = COMPLETED
    db.session.commit()
    again = findings_page(scan_id, None, 2, 10, sort="path")
    assert again["items"] == page["items"] and again["counts"] == page["counts"]
    assert sum(db.session.get(SymlinkScan, scan_id).finding_counts.values()) == 30


def categories(scan_id) -> set[str]:
    return set(db.session.execute(db.select(Finding.category).where(Finding.scan_id == scan_id)).scalars())


def index_rows(scan_id) -> tuple[int, int]:
    ranks = db.session.execute(db.select(db.func.count()).where(FindingOrder.scan_id == scan_id)).scalar()
    texts = db.session.execute(db.select(db.func.count()).where(FindingSearch.scan_id == scan_id)).scalar()
    return ranks, texts


def test_the_rotation_deletes_the_index_with_the_findings(ctx):
    ids = [add_scan(awkward_findings(12, seed=i)) for i in range(4)]
    for scan_id in ids:
        index_findings(scan_id)
    assert index_rows(ids[0]) == (3 + 3 * len(categories(ids[0])), 12)  # three orders, over all and per category

    assert rotate_scans(3) == [ids[0]]
    assert index_rows(ids[0]) == (0, 0)
    assert index_rows(ids[1]) == (3 + 3 * len(categories(ids[1])), 12)


def test_a_real_scan_is_indexed_when_it_ends_and_confirm_and_restore_keep_its_pages(client, library, app):
    for n in range(12):
        library.broken(f"Shows/Dune {n}/dune.s01e{n:02}.mkv")
    library.empty("Movies/Alien/alien.mkv")
    library.healthy("Movies/Heat/heat.mkv")
    scan_id = client.post("/api/symlink/scan/start", json={"mode": "real"}).get_json()["scan_id"]
    status = wait_for_scan(client, scan_id)
    with app.app_context():
        assert db.session.get(SymlinkScan, scan_id).finding_counts == {
            name: {"broken": 12, "small": 1}.get(name, 0) for name in PROBLEM_CATEGORIES}
        assert index_rows(scan_id) == (3 * 3, 13)  # 3 orders: over all, broken, small

    def page(**args):
        return client.get(f"/api/symlink/scan/{scan_id}/findings", query_string={"per_page": 5, **args}).get_json()

    before = [page(page=n, sort="path", order="desc") for n in (1, 2, 3)]
    assert [os.path.basename(item["path"]) for item in before[0]["items"]] == [
        "dune.s01e09.mkv", "dune.s01e08.mkv", "dune.s01e07.mkv", "dune.s01e06.mkv", "dune.s01e05.mkv"]  # "Dune 9" > "Dune 11"
    assert page(q="DUNE 1", category="broken")["total"] == 3  # Dune 1, Dune 10, Dune 11

    confirmed = client.post(f"/api/symlink/scan/{scan_id}/confirm",  # forced: most of its source is broken
                            json={"token": status["confirmation"]["token"], "force": True})
    assert confirmed.get_json()["removed"] == 13, confirmed.get_json()
    entry = client.get("/api/symlink/quarantine").get_json()["items"][0]
    assert client.post("/api/symlink/quarantine/restore", json={"ids": [entry["id"]]}).status_code == 200

    after = [page(page=n, sort="path", order="desc") for n in (1, 2, 3)]
    assert [[item["id"] for item in p["items"]] for p in after] == [[item["id"] for item in p["items"]] for p in before]
    with app.app_context():
        assert index_rows(scan_id) == (3 * 3, 13)  # 3 orders: over all, broken, small
        rows = db.session.execute(db.select(FindingSearch.finding_id, FindingSearch.path, FindingSearch.target)
                                  .where(FindingSearch.scan_id == scan_id).order_by(FindingSearch.finding_id)).all()
        table = db.session.execute(db.select(Finding.id, Finding.path, Finding.target)
                                   .where(Finding.scan_id == scan_id).order_by(Finding.id)).all()
        assert [tuple(r) for r in rows] == [tuple(r) for r in table]
