"""`healthy` counts only links that passed every check asked for (real scans, real ffprobe)."""


import pytest

from linkdoctor.mediagen import make_video
from linkdoctor.models import SymlinkScan, db
from tests.support.waiting import wait_until


def manager_of(app):
    return app.extensions["linkdoctor.tasks"]


def set_config(app, **values):
    from linkdoctor.config import update_config

    with app.app_context():
        update_config(values)


def finished(app, scan_id) -> SymlinkScan:
    scan = db.session.get(SymlinkScan, scan_id)
    db.session.refresh(scan)
    return scan


@pytest.mark.parametrize(("depth", "counters", "healthy"), [
    ("basic", {"phase1_ok": 10, "phase2_candidates": 0, "phase2_ok": 0}, 10),
    # Six media files to probe, two judged ok so far: the four others are not healthy yet.
    ("full", {"phase1_ok": 10, "phase2_candidates": 6, "phase2_ok": 2}, 6),
    ("full", {"phase1_ok": 10, "phase2_candidates": 6, "phase2_ok": 6}, 10),
])
def test_healthy_from_the_counters(app, depth, counters, healthy):
    with app.app_context():
        scan = SymlinkScan(verification_depth=depth)
        assert scan.statistics(counters)["healthy"] == healthy


def test_a_full_scan_counts_healthy_only_what_phase_2_cleared(app, library):
    library.link("Films/Good/good.mkv", library.video("good.mkv"))
    library.link("Films/Live/live.mkv", make_video(library.source / "live.mkv", piped=True))  # stays suspicious
    library.healthy("Films/Good/good.nfo")  # not media: phase 1 is every check it gets
    library.broken("Films/Gone/gone.mkv")
    set_config(app, phase2_decode="off")
    with app.app_context():
        manager = manager_of(app)
        scan_id = manager.start_scan(None, depth="full")
        assert manager.wait(scan_id, 60)
        stats = finished(app, scan_id).statistics()
    assert (stats["phase1_ok"], stats["phase2_candidates"], stats["phase2_ok"], stats["phase2_suspicious"]) == (3, 2, 1, 1)
    assert stats["healthy"] == 2  # the .nfo and good.mkv; live.mkv is a doubt, not healthy
    # A basic scan of the same library asks for phase 1 only.
    with app.app_context():
        scan_id = manager.start_scan(None, depth="basic")
        assert manager.wait(scan_id, 60)
        assert finished(app, scan_id).statistics()["healthy"] == 3


def test_a_cancelled_full_scan_does_not_count_unprobed_links_healthy(app, client, library):
    video = library.video("one.mkv")
    for i in range(40):  # forty probes, one at a time: long enough to cancel in the middle
        library.link(f"Shows/S01/e{i:02}.mkv", video)
    library.healthy("Shows/S01/notes.txt")
    with app.app_context():
        manager = manager_of(app)
        scan_id = manager.start_scan(None, depth="full", max_workers=1)
    def in_phase2():
        status = client.get(f"/api/symlink/scan/status/{scan_id}").get_json()
        return status["phase"] == "phase2" and (status["probed"] or 0) >= 2 and status["statistics"]

    seen_live = wait_until(in_phase2, 60, interval=0.02, message="phase 2 never showed up")
    client.post(f"/api/symlink/scan/cancel/{scan_id}", json={})
    # While phase 2 runs, a link not yet probed is not healthy yet.
    assert seen_live["phase1_ok"] == 41 and seen_live["phase2_candidates"] == 40
    assert seen_live["healthy"] == 1 + seen_live["phase2_ok"] < 41
    with app.app_context():
        assert manager.wait(scan_id, 30)
        scan = finished(app, scan_id)
        stats = scan.statistics()
    assert scan.status == "cancelled"
    assert stats["phase2_ok"] < 40
    assert stats["healthy"] == 1 + stats["phase2_ok"]
    history = client.get("/api/symlink/scans/history").get_json()["scans"]
    assert history[0]["statistics"]["healthy"] == stats["healthy"]
