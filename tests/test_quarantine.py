"""Real mode end to end: confirmation, quarantine, restore, the mount-health guard, crash safety."""

import os
import signal
import subprocess
import sys

import pytest

from tests.support.api import real_scan, wait_for_scan
from tests.support.cli import KILLER


def snapshot_tree(root):
    """Every entry under root with what it is and where links point: to prove nothing changed."""
    seen = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            seen[path] = os.readlink(path) if os.path.islink(path) else os.lstat(path).st_size
    return seen


@pytest.fixture
def mixed(library):
    """Six healthy links and two broken ones, all into one source folder."""
    healthy = [library.healthy(f"Films/ok{i}/ok{i}.mkv") for i in range(6)]
    broken = [library.broken(f"Films/bad{i}/bad{i}.mkv") for i in range(2)]
    return healthy, broken


def test_real_scan_waits_and_removes_nothing_before_confirmation(client, library, mixed):
    before = snapshot_tree(library.root)
    status = real_scan(client)
    assert status["status"] == "awaiting_confirmation"
    assert status["confirmation"]["proposed"] == 2 and status["confirmation"]["token"]
    assert snapshot_tree(library.root) == before


def test_confirm_all_moves_links_into_the_quarantine(app, client, library, mixed, env):
    healthy, broken = mixed
    status = real_scan(client)
    result = client.post(f"/api/symlink/scan/{status['scan_id']}/confirm",
                         json={"token": status["confirmation"]["token"]}).get_json()
    assert result["removed"] == 2 and result["skipped"] == []
    for link in broken:
        assert not os.path.lexists(link)
        moved = env / "trash" / "orphans" / link.relative_to(library.root)
        assert os.path.islink(moved) and os.readlink(moved) == str(library.source / ("missing-" + str(link.relative_to(library.root)).replace("/", "__")))
    assert all(os.path.islink(link) for link in healthy)
    after = client.get(f"/api/symlink/scan/status/{status['scan_id']}").get_json()
    assert after["status"] == "completed" and after["statistics"]["files_deleted"] == 2
    journal = client.get(f"/api/symlink/scan/{status['scan_id']}/quarantine").get_json()["entries"]
    assert {e["state"] for e in journal} == {"quarantined"}
    assert {e["original_path"] for e in journal} == {str(link) for link in broken}
    logs = list(env.glob("repair-*.log"))
    assert logs and "QUARANTINE" in logs[0].read_text()


def test_confirm_a_subset(client, library, mixed):
    _, broken = mixed
    status = real_scan(client)
    result = client.post(f"/api/symlink/scan/{status['scan_id']}/confirm",
                         json={"token": status["confirmation"]["token"], "paths": [str(broken[0])]}).get_json()
    assert result["removed"] == 1
    assert not os.path.lexists(broken[0]) and os.path.islink(broken[1])


def test_stale_token_is_refused_and_nothing_moves(client, library, mixed):
    before = snapshot_tree(library.root)
    status = real_scan(client)
    response = client.post(f"/api/symlink/scan/{status['scan_id']}/confirm", json={"token": "0" * 32})
    assert response.status_code == 409 and response.get_json()["error"] == "stale_token"
    assert snapshot_tree(library.root) == before


def test_paths_outside_the_proposed_list_are_refused(client, library, mixed):
    healthy, _ = mixed
    status = real_scan(client)
    response = client.post(f"/api/symlink/scan/{status['scan_id']}/confirm",
                           json={"token": status["confirmation"]["token"], "paths": [str(healthy[0])]})
    assert response.status_code == 400
    assert os.path.islink(healthy[0])


def test_a_link_that_healed_before_confirmation_is_left_alone(client, library, mixed):
    _, broken = mixed
    status = real_scan(client)
    library.target("missing-" + str(broken[0].relative_to(library.root)).replace("/", "__"), 4096)  # came back
    result = client.post(f"/api/symlink/scan/{status['scan_id']}/confirm",
                         json={"token": status["confirmation"]["token"]}).get_json()
    assert result["removed"] == 1
    assert os.path.islink(broken[0])
    assert "changed since the scan" in result["skipped"][0]["reason"]


def test_restore_puts_links_back_and_refuses_occupied_paths(client, library, mixed):
    _, broken = mixed
    status = real_scan(client)
    scan_id = status["scan_id"]
    client.post(f"/api/symlink/scan/{scan_id}/confirm", json={"token": status["confirmation"]["token"]})
    broken[1].write_text("the user put a file here")  # now occupied
    result = client.post(f"/api/symlink/scan/{scan_id}/restore", json={}).get_json()
    assert result["restored"] == 1
    assert os.path.islink(broken[0])
    assert result["conflicts"] == [{"path": str(broken[1]), "reason": "something now occupies this path"}]
    assert broken[1].read_text() == "the user put a file here"


def test_restore_of_unknown_scan_is_404(client):
    assert client.post("/api/symlink/scan/42/restore", json={}).status_code == 404


def test_guard_blocks_a_missing_source_root_until_forced(app, client, library):
    debrid = library.source / "debrid"
    links = []
    for i in range(3):
        target = library.target(f"debrid/f{i}.mkv")
        links.append(library.link(f"Films/F{i}/f{i}.mkv", target))
    client.post("/api/symlink/config", json={"source_roots": [str(debrid)]})
    for child in debrid.iterdir():
        child.unlink()
    debrid.rmdir()  # the mount went away: every link looks broken
    status = real_scan(client)
    guard = status["confirmation"]["sources"]
    assert guard[0]["blocked"] and "missing" in guard[0]["reason"]
    assert any("missing" in w for w in status["warnings"])
    token = status["confirmation"]["token"]
    result = client.post(f"/api/symlink/scan/{status['scan_id']}/confirm", json={"token": token}).get_json()
    assert result["removed"] == 0 and len(result["skipped"]) == 3
    assert all(os.path.islink(link) for link in links)


def test_guard_blocks_a_mostly_broken_source_and_force_overrides(client, library):
    for i in range(3):
        library.broken(f"Films/B{i}/b{i}.mkv")
    library.healthy("Films/ok/ok.mkv")
    client.post("/api/symlink/config", json={"source_roots": [str(library.source)]})
    status = real_scan(client)
    verdict = status["confirmation"]["sources"][0]
    assert verdict["blocked"] and "3 of 4" in verdict["reason"]
    token = status["confirmation"]["token"]
    scan_id = status["scan_id"]
    assert client.post(f"/api/symlink/scan/{scan_id}/confirm", json={"token": token}).get_json()["removed"] == 0
    # Still waiting: the user may now override deliberately, with the same list.
    status = client.get(f"/api/symlink/scan/status/{scan_id}").get_json()
    assert status["status"] == "awaiting_confirmation"
    forced = client.post(f"/api/symlink/scan/{scan_id}/confirm", json={"token": token, "force": True}).get_json()
    assert forced["removed"] == 3
    assert client.get(f"/api/symlink/scan/status/{scan_id}").get_json()["status"] == "completed"


def test_an_empty_confirmation_discards_the_proposal(client, library, mixed):
    _, broken = mixed
    status = real_scan(client)
    result = client.post(f"/api/symlink/scan/{status['scan_id']}/confirm",
                         json={"token": status["confirmation"]["token"], "paths": []}).get_json()
    assert result["removed"] == 0
    assert client.get(f"/api/symlink/scan/status/{status['scan_id']}").get_json()["status"] == "completed"
    assert all(os.path.islink(link) for link in broken)


def test_findings_can_be_filtered_to_the_proposed_ones(client, library, mixed):
    library.link("Films/dir", library.source)  # a healthy link to a folder: not a finding
    status = real_scan(client)
    page = client.get(f"/api/symlink/scan/{status['scan_id']}/findings?proposed=1").get_json()
    assert page["total"] == 2 and all(item["proposed"] for item in page["items"])


def test_force_removes_despite_the_guard(client, library):
    broken = [library.broken(f"Films/B{i}/b{i}.mkv") for i in range(3)]
    library.healthy("Films/ok/ok.mkv")
    client.post("/api/symlink/config", json={"source_roots": [str(library.source)]})
    status = real_scan(client)
    result = client.post(f"/api/symlink/scan/{status['scan_id']}/confirm",
                         json={"token": status["confirmation"]["token"], "force": True}).get_json()
    assert result["removed"] == 3 and result["forced"] is True
    assert not any(os.path.lexists(link) for link in broken)


def test_dry_run_changes_nothing_on_a_library_full_of_problems(client, library, env):
    for i in range(10):
        library.broken(f"Films/B{i}/b{i}.mkv")
        library.empty(f"Films/E{i}/e{i}.mkv")
    library.link("Films/loop.mkv", library.root / "Films/loop.mkv")
    before = snapshot_tree(library.root)
    status = wait_for_scan(client, client.post("/api/symlink/scan/start", json={"mode": "dry-run"}).get_json()["scan_id"])
    assert status["status"] == "completed" and status["statistics"]["phase1_broken"] == 11
    assert status["confirmation"] is None
    assert snapshot_tree(library.root) == before
    assert not (env / "trash").exists()


def test_purge_deletes_only_old_quarantined_links(client, library, mixed, env):
    status = real_scan(client)
    client.post(f"/api/symlink/scan/{status['scan_id']}/confirm", json={"token": status["confirmation"]["token"]})
    assert client.post("/api/symlink/quarantine/purge", json={"older_than_days": 30}).get_json()["purged"] == 0
    assert client.post("/api/symlink/quarantine/purge", json={"older_than_days": 0}).get_json()["purged"] == 2
    assert not any(p.is_symlink() for p in (env / "trash").rglob("*"))
    assert client.post("/api/symlink/quarantine/purge", json={"older_than_days": -1}).status_code == 400


def test_kill_mid_batch_loses_no_link(app, client, library, env):
    links = [library.broken(f"Films/B{i:03}/b{i}.mkv") for i in range(150)]
    for i in range(400):
        library.healthy(f"Films/ok{i:03}/ok.mkv", size=2048)
    status = real_scan(client)
    scan_id = status["scan_id"]
    killed = subprocess.run([sys.executable, "-c", KILLER, str(scan_id), "120"], capture_output=True, text=True,
                            env=dict(os.environ))
    assert killed.returncode == -signal.SIGKILL, killed.stderr

    from linkdoctor import create_app
    from linkdoctor.jobs.recovery import recover_interrupted
    from linkdoctor.quarantine import entries_of

    restarted = create_app({"TESTING": True})
    with restarted.app_context():
        recover_interrupted(env)  # what serve and the scan/quarantine commands run at start
        entries = {e["original_path"]: e for e in entries_of(scan_id)}
    assert {e["state"] for e in entries.values()} <= {"quarantined", "rolled_back"}
    in_quarantine = 0
    for link in links:
        entry = entries[str(link)]
        if entry["state"] == "quarantined":
            assert not os.path.lexists(link) and os.path.islink(entry["quarantine_path"])
            in_quarantine += 1
        else:
            assert os.path.islink(link) and not os.path.lexists(entry["quarantine_path"])
    assert in_quarantine == 120  # the 120th move happened; recovery finished it


def test_source_gone_after_the_scan_blocks_removal(client, library):
    debrid = library.source / "debrid"
    healthy = [library.link(f"Films/ok{i}/ok.mkv", library.target(f"debrid/ok{i}.mkv")) for i in range(5)]
    broken = library.link("Films/bad/bad.mkv", debrid / "gone.mkv")
    client.post("/api/symlink/config", json={"source_roots": [str(debrid)]})
    status = real_scan(client)
    assert status["confirmation"]["blocked"] == 0  # 1 of 6 broken: the source looked healthy
    for child in debrid.iterdir():
        child.unlink()  # then the mount went away before the user confirmed
    result = client.post(f"/api/symlink/scan/{status['scan_id']}/confirm",
                         json={"token": status["confirmation"]["token"]}).get_json()
    assert result["removed"] == 0
    assert "empty" in result["blocked_sources"][0]["reason"]
    assert os.path.islink(broken) and all(os.path.islink(link) for link in healthy)


def test_a_taken_quarantine_place_gets_a_timestamped_name(client, library, env):
    link = library.broken("Films/B/b.mkv")
    library.healthy("Films/ok/ok.mkv")
    library.healthy("Films/ok2/ok.mkv")
    first = real_scan(client)
    client.post(f"/api/symlink/scan/{first['scan_id']}/confirm", json={"token": first["confirmation"]["token"]})
    os.symlink(library.source / "missing-again", link)  # the same path breaks again later
    second = real_scan(client)
    client.post(f"/api/symlink/scan/{second['scan_id']}/confirm", json={"token": second["confirmation"]["token"]})
    names = sorted(p.name for p in (env / "trash" / "orphans" / "Films" / "B").iterdir())
    assert names[0] == "b.mkv" and names[1].startswith("b.mkv.") and len(names) == 2
    journal = client.get(f"/api/symlink/scan/{second['scan_id']}/quarantine").get_json()["entries"]
    assert journal[0]["quarantine_path"].endswith(names[1])
    assert os.readlink(env / "trash" / "orphans" / "Films" / "B" / names[1]) == str(library.source / "missing-again")


def test_recovery_finishes_rolls_back_or_reports_each_planned_move(app, library, env):
    from linkdoctor.models import PLANNED, QuarantineEntry, db
    from linkdoctor.quarantine import recover_journal

    quarantine = env / "trash" / "orphans"
    quarantine.mkdir(parents=True)
    moved = library.broken("moved.mkv")
    os.rename(moved, quarantine / "moved.mkv")          # moved, journal not updated
    kept = library.broken("kept.mkv")                   # never moved
    copied = library.broken("copied.mkv")               # cross-filesystem copy made, original not unlinked
    os.symlink(os.readlink(copied), quarantine / "copied.mkv")
    gone = quarantine / "gone.mkv"                      # removed by someone else meanwhile
    with app.app_context():
        for path in (moved, kept, copied, library.root / "gone.mkv"):
            db.session.add(QuarantineEntry(scan_id=1, original_path=str(path),
                                           quarantine_path=str(quarantine / path.name), state=PLANNED))
        db.session.commit()
        assert recover_journal(env) == {"finished": 1, "rolled_back": 2, "restores_finished": 0,
                                        "restores_rolled_back": 0}
        states = {e.original_path.rsplit("/", 1)[1]: e.state
                  for e in db.session.execute(db.select(QuarantineEntry)).scalars()}
    assert states == {"moved.mkv": "quarantined", "kept.mkv": "rolled_back", "copied.mkv": "rolled_back",
                      "gone.mkv": "missing"}
    assert os.path.islink(kept) and os.path.islink(copied) and not os.path.lexists(quarantine / "copied.mkv")
    assert not os.path.lexists(gone)


def test_restore_of_chosen_links_only(client, library, mixed):
    _, broken = mixed
    status = real_scan(client)
    scan_id = status["scan_id"]
    client.post(f"/api/symlink/scan/{scan_id}/confirm", json={"token": status["confirmation"]["token"]})
    result = client.post(f"/api/symlink/scan/{scan_id}/restore", json={"paths": [str(broken[1])]}).get_json()
    assert result["restored"] == 1 and result["paths"] == [str(broken[1])]
    assert os.path.islink(broken[1]) and not os.path.lexists(broken[0])
    refused = client.post(f"/api/symlink/scan/{scan_id}/restore", json={"paths": [str(broken[1])]})
    assert refused.status_code == 400 and "not in this scan's quarantine" in refused.get_json()["message"]
    assert client.post(f"/api/symlink/scan/{scan_id}/restore", json={"paths": "all"}).status_code == 400
    assert client.post(f"/api/symlink/scan/{scan_id}/restore", json={}).get_json()["restored"] == 1
    assert os.path.islink(broken[0])
