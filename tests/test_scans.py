"""Scan records on real SQLite: rotation, findings pages, the probe verdict cache, interrupted scans."""

import os

import pytest

from linkdoctor import scans
from linkdoctor.errors import NotFoundError, ValidationError
from linkdoctor.models import (
    AWAITING_CONFIRMATION, CANCELLED, COMPLETED, ERROR, PENDING, RUNNING, Finding, ProbeVerdictEntry,
    QuarantineEntry, SymlinkScan, db,
)
from linkdoctor.scanner.engine import FindingRecord, ScanProgress
from linkdoctor.scanner.phase2 import CachedVerdict
from linkdoctor.jobs.recovery import mark_interrupted
from linkdoctor.findings import findings_page
from linkdoctor.scans import DatabaseSink, DatabaseVerdictCache, rotate_scans


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def add_scan(status=COMPLETED, findings=()):
    """A scan row with findings given as (category, name, proposed)."""
    scan = SymlinkScan(status=status)
    db.session.add(scan)
    db.session.flush()
    for category, name, proposed in findings:
        db.session.add(Finding(scan_id=scan.id, path=f"/medias/{name}", target=f"/src/{name}",
                               category=category, proposed=proposed))
    db.session.commit()
    return scan.id


def scan_ids() -> list[int]:
    return sorted(db.session.execute(db.select(SymlinkScan.id)).scalars())


def finding_scan_ids() -> set[int]:
    return set(db.session.execute(db.select(Finding.scan_id)).scalars())


def reloaded(scan_id: int) -> SymlinkScan:
    db.session.expire_all()
    return db.session.get(SymlinkScan, scan_id)


# --- rotation -------------------------------------------------------------------------

def test_rotation_keeps_the_newest_finished_scans_and_deletes_their_findings(ctx):
    ids = [add_scan(COMPLETED, [("broken", f"s{i}.mkv", False)]) for i in range(5)]

    deleted = rotate_scans(3)

    assert sorted(deleted) == ids[:2]
    assert scan_ids() == ids[2:]
    assert finding_scan_ids() == set(ids[2:])
    assert [row["scan_id"] for row in scans.history()] == ids[:1:-1]  # newest first


def test_rotation_never_deletes_pending_or_running_scans(ctx):
    pending = add_scan(PENDING, [("broken", "p.mkv", False)])
    old = [add_scan(status) for status in (COMPLETED, ERROR, CANCELLED)]
    running = add_scan(RUNNING, [("small", "r.mkv", False)])
    awaiting = add_scan(AWAITING_CONFIRMATION, [("broken", "a.mkv", True)])

    deleted = rotate_scans(1)

    # The waiting proposal does not count against the one kept (issue 10): the newest old one stays.
    assert sorted(deleted) == old[:2]
    assert scan_ids() == sorted([pending, old[2], running, awaiting])
    assert finding_scan_ids() == {pending, running, awaiting}


def test_rotation_never_removes_a_waiting_proposal_nor_counts_it(ctx):
    # Issue 10: a proposal waiting for the user goes only once confirmed or discarded.
    older_waiting = add_scan(AWAITING_CONFIRMATION, [("broken", "old.mkv", True)])
    waiting = add_scan(AWAITING_CONFIRMATION, [("broken", "a.mkv", True)])
    newer = [add_scan(COMPLETED) for _ in range(4)]

    deleted = rotate_scans(3)

    assert deleted == [newer[0]]
    assert scan_ids() == sorted([older_waiting, waiting, *newer[1:]])


def test_rotation_with_nothing_to_delete_changes_nothing(ctx):
    ids = [add_scan() for _ in range(2)]
    assert rotate_scans(3) == []
    assert rotate_scans(2) == []
    assert scan_ids() == ids


def test_quarantine_journal_outlives_rotated_scans(ctx):
    old = add_scan(COMPLETED, [("broken", "gone.mkv", True)])
    db.session.add(QuarantineEntry(scan_id=old, original_path="/medias/gone.mkv",
                                   quarantine_path="/data/trash/gone.mkv", state="quarantined"))
    db.session.commit()
    add_scan()

    assert rotate_scans(1) == [old]
    entries = db.session.execute(db.select(QuarantineEntry)).scalars().all()
    assert [(e.scan_id, e.original_path) for e in entries] == [(old, "/medias/gone.mkv")]


# --- findings pages -------------------------------------------------------------------

@pytest.fixture
def scan_with_findings(ctx):
    findings = [("broken", f"b{i}.mkv", i % 2 == 0) for i in range(7)]
    findings += [("small", "s0.mkv", True), ("corrupted", "c0.mkv", False), ("timeout", "t0.mkv", False)]
    return add_scan(AWAITING_CONFIRMATION, findings)


def names(page):
    return [os.path.basename(item["path"]) for item in page["items"]]


def test_findings_are_paged_in_discovery_order(scan_with_findings):
    first = findings_page(scan_with_findings, None, page=1, per_page=4)
    assert (first["total"], first["pages"], first["page"], first["per_page"]) == (10, 3, 1, 4)
    assert names(first) == ["b0.mkv", "b1.mkv", "b2.mkv", "b3.mkv"]
    last = findings_page(scan_with_findings, None, page=3, per_page=4)
    assert names(last) == ["c0.mkv", "t0.mkv"]
    beyond = findings_page(scan_with_findings, None, page=4, per_page=4)
    assert beyond["items"] == [] and beyond["total"] == 10
    item = first["items"][0]
    assert item["target"] == "/src/b0.mkv" and item["category"] == "broken" and item["proposed"] is True


def test_findings_filtered_by_category(scan_with_findings):
    broken = findings_page(scan_with_findings, "broken", page=1, per_page=500)
    assert broken["category"] == "broken"
    assert broken["total"] == 7 and broken["pages"] == 1
    assert names(broken) == [f"b{i}.mkv" for i in range(7)]
    assert names(findings_page(scan_with_findings, "corrupted", 1, 10)) == ["c0.mkv"]
    empty = findings_page(scan_with_findings, "io_error", 1, 10)
    assert (empty["total"], empty["pages"], empty["items"]) == (0, 0, [])
    assert findings_page(scan_with_findings, "", 1, 10)["category"] is None


def test_findings_filtered_by_proposed(scan_with_findings):
    proposed = findings_page(scan_with_findings, None, 1, 50, proposed=True)
    assert names(proposed) == ["b0.mkv", "b2.mkv", "b4.mkv", "b6.mkv", "s0.mkv"]
    assert all(item["proposed"] for item in proposed["items"])
    kept = findings_page(scan_with_findings, None, 1, 50, proposed=False)
    assert names(kept) == ["b1.mkv", "b3.mkv", "b5.mkv", "c0.mkv", "t0.mkv"]
    both = findings_page(scan_with_findings, "broken", 1, 50, proposed=True)
    assert names(both) == ["b0.mkv", "b2.mkv", "b4.mkv", "b6.mkv"]


def test_findings_of_other_scans_are_not_shown(scan_with_findings):
    add_scan(COMPLETED, [("broken", "other.mkv", True)])
    page = findings_page(scan_with_findings, None, 1, 50)
    assert "other.mkv" not in names(page) and page["total"] == 10


@pytest.mark.parametrize("category", ["ok", "Broken", "bogus"])
def test_unknown_category_is_refused(scan_with_findings, category):
    with pytest.raises(ValidationError) as refused:
        findings_page(scan_with_findings, category, 1, 10)
    assert refused.value.message.startswith("category must be one of broken, inaccessible, small")


@pytest.mark.parametrize("page", [0, -1])
def test_page_below_one_is_refused(scan_with_findings, page):
    with pytest.raises(ValidationError, match="page must be between 1 and"):
        findings_page(scan_with_findings, None, page, 10)


@pytest.mark.parametrize("per_page", [0, -5, 501])
def test_per_page_out_of_bounds_is_refused(scan_with_findings, per_page):
    with pytest.raises(ValidationError, match="per_page must be between 1 and 500"):
        findings_page(scan_with_findings, None, 1, per_page)


def test_per_page_bounds_are_inclusive(scan_with_findings):
    assert findings_page(scan_with_findings, None, 1, 1)["pages"] == 10
    assert findings_page(scan_with_findings, None, 1, 500)["pages"] == 1


def test_findings_of_a_missing_scan_are_not_found(ctx):
    with pytest.raises(NotFoundError, match="no scan with id 999"):
        findings_page(999, None, 1, 10)


# --- the sink of a running scan ---------------------------------------------------------

def test_sink_makes_findings_and_counters_visible_to_a_status_poll(ctx):
    scan_id = add_scan(RUNNING)
    sink = DatabaseSink(scan_id)
    sink.finding(FindingRecord("/medias/a.mkv", "/src/a.mkv", "broken", "target missing" + "!" * 2000, "/src"))
    counters = {name: 0 for name in SymlinkScan.COUNTERS} | {"total_analyzed": 5, "phase1_broken": 1,
                                                              "phase1_ok": 4}
    sink.progress(ScanProgress("phase1", 0.5, None, counters, 5, 5, True, 0, 0, ["slow source"]))

    scan = reloaded(scan_id)
    assert (scan.phase, scan.progress, scan.total_analyzed, scan.phase1_broken) == ("phase1", 0.5, 5, 1)
    assert scan.warnings == ["slow source"]
    stored = findings_page(scan_id, "broken", 1, 10)["items"]
    assert [(i["path"], i["source"]) for i in stored] == [("/medias/a.mkv", "/src")]
    assert len(stored[0]["detail"]) == 1000


# --- verdict cache ----------------------------------------------------------------------

@pytest.fixture
def identities(tmp_path):
    """Real (device, inode, size, mtime_ns) identities of files on disk."""
    result = []
    for i in range(3):
        path = tmp_path / f"f{i}.mkv"
        path.write_bytes(b"x" * (100 + i))
        st = os.stat(path)
        result.append((st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns))
    return result


OK_PROBED = CachedVerdict("ok", "ok", "probe")
TRUNCATED = CachedVerdict("corrupted", "container size: Matroska segment declares 9 bytes, file has 5", "probe")


def test_verdict_cache_round_trip(ctx, identities):
    cache = DatabaseVerdictCache()
    doubt_cleared = CachedVerdict("ok", "ok: decoded cleanly (probe: no duration)", "decode")
    cache.store(identities[0], OK_PROBED, 1.5)
    cache.store(identities[1], TRUNCATED, 0.5)
    cache.store(identities[2], doubt_cleared, 0.7)
    cache.store(None, TRUNCATED, 9.0)  # a file without identity is not remembered
    cache.flush()

    again = DatabaseVerdictCache()  # a later scan
    found = again.lookup(identities + [None])
    assert found == {identities[0]: OK_PROBED, identities[1]: TRUNCATED, identities[2]: doubt_cleared}
    rows = db.session.execute(db.select(ProbeVerdictEntry).order_by(ProbeVerdictEntry.id)).scalars().all()
    assert [(r.ok, r.level, r.checked_by) for r in rows] == [
        (True, "ok", "probe"), (False, "corrupted", "probe"), (True, "ok", "decode")]


def test_verdicts_stored_before_levels_existed_are_checked_again(ctx, identities):
    # Such rows may call a file without duration corrupted: they are not trusted.
    device, inode, size, mtime_ns = identities[0]
    db.session.add(ProbeVerdictEntry(device=device, inode=inode, size=size, mtime_ns=mtime_ns, ok=False,
                                     detail="no duration"))
    db.session.commit()
    cache = DatabaseVerdictCache()
    assert cache.lookup([identities[0]]) == {}
    cache.store(identities[0], OK_PROBED, 1.0)
    cache.flush()
    assert cache.lookup([identities[0]]) == {identities[0]: OK_PROBED}
    assert db.session.execute(db.select(db.func.count()).select_from(ProbeVerdictEntry)).scalar() == 1


def test_a_changed_file_is_not_found_in_the_cache(ctx, identities):
    cache = DatabaseVerdictCache()
    cache.store(identities[0], OK_PROBED, 1.0)
    cache.flush()
    device, inode, size, mtime_ns = identities[0]
    assert cache.lookup([(device, inode, size + 1, mtime_ns)]) == {}
    assert cache.lookup([(device, inode, size, mtime_ns + 1)]) == {}
    assert cache.lookup([list(identities[0])]) == {identities[0]: OK_PROBED}
    assert cache.lookup([]) == {} and cache.lookup([None]) == {}


def test_storing_the_same_identity_twice_keeps_one_row_with_the_newest_verdict(ctx, identities):
    cache = DatabaseVerdictCache()
    doubt = CachedVerdict("suspicious", "no duration", "probe")
    confirmed = CachedVerdict("corrupted", "decode error at 00:00:01.0: x (probe: no duration)", "decode")
    cache.store(identities[0], doubt, 1.0)
    cache.store(identities[0], confirmed, 1.0)  # the decode, before a flush
    cache.flush()
    assert cache.lookup([identities[0]]) == {identities[0]: confirmed}

    cache.store(identities[0], OK_PROBED, 3.0)  # and again in a later batch
    cache.flush()
    rows = db.session.execute(db.select(ProbeVerdictEntry)).scalars().all()
    assert [(r.ok, r.detail, r.probe_seconds) for r in rows] == [(True, "ok", 3.0)]
    assert cache.lookup([identities[0]]) == {identities[0]: OK_PROBED}


def test_verdicts_are_written_every_flush_every_stores(ctx, identities):
    cache = DatabaseVerdictCache(flush_every=2)
    cache.store(identities[0], OK_PROBED, 1.0)
    assert DatabaseVerdictCache().lookup(identities) == {}
    cache.store(identities[1], OK_PROBED, 1.0)
    assert set(DatabaseVerdictCache().lookup(identities)) == {identities[0], identities[1]}


def test_long_details_are_cut_to_fit(ctx, identities):
    cache = DatabaseVerdictCache()
    cache.store(identities[0], CachedVerdict("corrupted", "x" * 5000, "probe"), 1.0)
    cache.flush()
    assert cache.lookup([identities[0]])[identities[0]] == CachedVerdict("corrupted", "x" * 1000, "probe")


def test_mean_probe_seconds(ctx, identities):
    cache = DatabaseVerdictCache()
    assert cache.mean_probe_seconds() is None
    for identity, seconds in zip(identities, (1.0, 2.0, 6.0)):
        cache.store(identity, OK_PROBED, seconds)
    cache.flush()
    assert cache.mean_probe_seconds() == pytest.approx(3.0)


# --- interrupted scans ------------------------------------------------------------------

def test_mark_interrupted_turns_active_scans_into_interrupted_ones(ctx, env):
    pending, running = add_scan(PENDING), add_scan(RUNNING)
    done = add_scan(COMPLETED)
    awaiting = add_scan(AWAITING_CONFIRMATION)

    assert sorted(mark_interrupted(env)["scans"]) == [pending, running]

    for scan_id in (pending, running):
        scan = reloaded(scan_id)
        assert scan.status == "interrupted"
        assert scan.error_message.startswith("interrupted")
        assert scan.finished_at is not None
        assert scans.scan_summary(scan)["error_message"] == scan.error_message
    assert reloaded(done).status == COMPLETED and reloaded(done).error_message is None
    assert reloaded(awaiting).status == AWAITING_CONFIRMATION
    assert mark_interrupted(env)["scans"] == []


def test_a_restarted_app_reports_a_scan_left_running_as_interrupted(app, env):
    from linkdoctor.cli.common import build_app

    with app.app_context():
        running = add_scan(RUNNING)
    restarted = build_app(recover=True, web=True)  # what `serve` starts with
    with restarted.app_context():
        scan = db.session.get(SymlinkScan, running)
        assert scan.status == "interrupted" and "interrupted" in scan.error_message


# --- limits found by these tests, now handled -------------------------------------------

def test_a_huge_page_number_is_refused_or_empty(scan_with_findings):
    try:
        page = findings_page(scan_with_findings, None, 10**19, 10)
    except ValidationError:
        return
    assert page["items"] == []


def test_inode_numbers_above_2_63_can_be_cached(ctx):
    identity = (64, 2**63 + 5, 4096, 1_700_000_000_000_000_000)
    cache = DatabaseVerdictCache()
    assert cache.lookup([identity]) == {}
    cache.store(identity, OK_PROBED, 1.0)
    cache.flush()
    assert cache.lookup([identity]) == {identity: OK_PROBED}
