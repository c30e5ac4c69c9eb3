"""The task manager with real threads: start, progress, cancel, one at a time, restart recovery."""

import time

import pytest

from linkdoctor.errors import ScanAlreadyRunningError
from linkdoctor.models import SymlinkScan, db
from tests.support.waiting import wait_until


def manager_of(app):
    return app.extensions["linkdoctor.tasks"]


def set_config(app, **values):
    from linkdoctor.config import update_config

    with app.app_context():
        update_config(values)


def test_progress_callbacks_and_final_row(app, library):
    for i in range(50):
        library.healthy(f"Films/F{i}/f{i}.mkv")
    seen = []
    with app.app_context():
        manager = manager_of(app)
        scan_id = manager.start_scan(None, on_progress=lambda sid, snap: seen.append((sid, snap.phase)))
        assert manager.wait(scan_id, 30)
        scan = db.session.get(SymlinkScan, scan_id)
        db.session.refresh(scan)
        assert (scan.status, scan.total_analyzed, scan.phase1_ok) == ("completed", 50, 50)
        assert scan.duration > 0 and scan.finished_at is not None
    assert seen and all(sid == scan_id for sid, _ in seen)
    assert seen[-1][1] == "done"


def test_second_scan_is_refused_with_the_running_id(app, hanging_library):
    set_config(app, file_timeout=30.0)
    with app.app_context():
        manager = manager_of(app)
        first = manager.start_scan(None)
        with pytest.raises(ScanAlreadyRunningError) as refused:
            manager.start_scan(None)
        assert refused.value.extra["scan_id"] == first
        manager.cancel(first)
        assert manager.wait(first, 10)


def test_second_scan_through_the_api_is_409(app, client, hanging_library):
    set_config(app, file_timeout=30.0)
    first = client.post("/api/symlink/scan/start", json={}).get_json()["scan_id"]
    second = client.post("/api/symlink/scan/start", json={})
    assert second.status_code == 409
    assert second.get_json()["scan_id"] == first
    client.post(f"/api/symlink/scan/cancel/{first}", json={})
    assert manager_of(app).wait(first, 10)


def test_cancel_stops_within_seconds_while_targets_hang(app, client, hanging_library, faulty_mount):
    set_config(app, file_timeout=60.0)
    scan_id = client.post("/api/symlink/scan/start", json={}).get_json()["scan_id"]
    wait_until(faulty_mount.held, message="no worker blocked on the dead mount")
    status = client.get(f"/api/symlink/scan/status/{scan_id}").get_json()
    assert status["status"] == "running"
    asked = time.monotonic()
    assert client.post(f"/api/symlink/scan/cancel/{scan_id}", json={}).status_code == 200
    assert manager_of(app).wait(scan_id, 10)
    assert time.monotonic() - asked < 3.0
    status = client.get(f"/api/symlink/scan/status/{scan_id}").get_json()
    assert status["status"] == "cancelled"
    stats = status["statistics"]
    phase1 = sum(stats[f"phase1_{c}"] for c in ("ok", "broken", "inaccessible", "small", "io_error", "timeout"))
    assert phase1 == stats["total_analyzed"]


def test_status_polls_answer_fast_during_a_hanging_scan(app, client, hanging_library):
    set_config(app, file_timeout=30.0)
    scan_id = client.post("/api/symlink/scan/start", json={}).get_json()["scan_id"]
    slowest = 0.0
    for _ in range(10):
        asked = time.monotonic()
        assert client.get(f"/api/symlink/scan/status/{scan_id}").status_code == 200
        slowest = max(slowest, time.monotonic() - asked)
        time.sleep(0.05)
    assert slowest < 0.5
    client.post(f"/api/symlink/scan/cancel/{scan_id}", json={})
    manager_of(app).wait(scan_id, 10)


def test_scan_left_running_by_a_dead_process_is_marked_interrupted(env, library):
    from linkdoctor import create_app
    from linkdoctor.cli.common import build_app

    app = create_app({"TESTING": True})
    with app.app_context():
        db.session.add(SymlinkScan(status="running", owner_pid=999999))
        db.session.commit()
    restarted = build_app(recover=True, web=True)  # what `serve` starts with
    with restarted.app_context():
        scan = db.session.execute(db.select(SymlinkScan)).scalars().one()
        assert scan.status == "interrupted"
        assert "interrupted" in scan.error_message


def test_only_the_last_scans_are_kept_with_their_findings(app, library):
    from linkdoctor.models import Finding

    library.broken("a.mkv")
    set_config(app, scans_to_keep=3)
    with app.app_context():
        manager = manager_of(app)
        ids = []
        for _ in range(5):
            ids.append(manager.start_scan(None))
            manager.wait(ids[-1], 30)
        kept = db.session.execute(db.select(SymlinkScan.id).order_by(SymlinkScan.id)).scalars().all()
        assert kept == ids[-3:]
        finding_scans = set(db.session.execute(db.select(Finding.scan_id)).scalars())
        assert finding_scans == set(ids[-3:])


def test_the_phase2_decode_setting_reaches_the_scan_and_its_record(app, library):
    from linkdoctor.mediagen import make_video

    library.link("Films/Live/live.mkv", make_video(library.source / "live.mkv", piped=True))  # no duration
    results = {}
    for mode in ("off", "suspicious"):
        set_config(app, phase2_decode=mode)
        with app.app_context():
            manager = manager_of(app)
            scan_id = manager.start_scan(None, depth="full")
            assert manager.wait(scan_id, 60)
            scan = db.session.get(SymlinkScan, scan_id)
            db.session.refresh(scan)
            results[mode] = (scan.status, scan.phase2_corrupted, scan.phase2_suspicious, scan.phase2_decoded,
                             scan.phase2_cached, len(scan.warnings))
    # Off: a doubt, counted and named in a warning. Suspicious: decoded (the probe-only verdict
    # was remembered), cleared, no warning.
    assert results == {"off": ("completed", 0, 1, 0, 0, 1), "suspicious": ("completed", 0, 0, 1, 0, 0)}
