"""One library_changed event for every change to the library, job_finished for every job, and their listeners.

Everything real: the services through the API and the CLI, SQLite, the fake Sonarr/Radarr over HTTP
through the real client, a real process killed with SIGKILL.
"""

import os
import signal
import socket
import subprocess
import sys
import time

from linkdoctor.events import JOB_FINISHED, LIBRARY_CHANGED, register_listener
from linkdoctor.models import Job, OutboxEvent, QuarantineEntry, db
from tests.support.api import real_scan, wait_job
from tests.support.followup import confirm_all, wait_for_followup
from tests.support.cli import run_cli


def library_events(app, after: int = 0) -> list[OutboxEvent]:
    with app.app_context():
        db.session.expire_all()
        return list(db.session.execute(db.select(OutboxEvent).where(
            OutboxEvent.kind == LIBRARY_CHANGED, OutboxEvent.id > after).order_by(OutboxEvent.id)).scalars())


def last_event_id(app) -> int:
    with app.app_context():
        return db.session.execute(db.select(db.func.max(OutboxEvent.id))).scalar() or 0


def one_event(app, after: int) -> dict:
    """The one library_changed event committed since `after` (asserts there is exactly one)."""
    events = library_events(app, after)
    assert len(events) == 1, [e.payload for e in events]
    return events[0].payload


def paths_of(payload: dict) -> set[str]:
    return {link["path"] for link in payload["links"]}


def quarantine_ids(client, *paths) -> list[int]:
    items = client.get("/api/symlink/quarantine?per_page=500").get_json()["items"]
    by_path = {item["original_path"]: item["id"] for item in items}
    return [by_path[str(path)] for path in paths]


def wait_for_jobs(client, job_ids) -> list[dict]:
    return [wait_job(client, job_id) for job_id in job_ids]


# -- the bar: the Dashboard's Quarantine view restore reaches Sonarr/Radarr -----------------------

def test_restore_from_the_quarantine_view_rescans_exactly_those_items(app, client, world, sonarr, radarr):
    status = real_scan(client)
    confirm_all(client, status)
    wait_for_followup(client, status["scan_id"])
    sent_sonarr, sent_radarr = len(sonarr.sent_commands()), len(radarr.sent_commands())
    before = last_event_id(app)
    links = world["links"]

    answer = client.post("/api/symlink/quarantine/restore",
                         json={"ids": quarantine_ids(client, links["dune"], links["E01"])})

    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["restored"] == 2 and os.path.islink(links["dune"]) and os.path.islink(links["E01"])
    assert body["services"]["state"] == "started", body["services"]
    payload = one_event(app, before)
    assert payload["action"] == "restored" and paths_of(payload) == {str(links["dune"]), str(links["E01"])}
    [job] = wait_for_jobs(client, [body["services"]["job_id"]])
    assert job["kind"] == "arr_followup" and job["state"] == "completed" and job["params"]["trigger"] == "restore"
    assert job["scan_id"] == status["scan_id"]  # shown with the scan that removed them
    # A rescan of exactly the two items that came back, and no search (they are back).
    assert sonarr.sent_commands()[sent_sonarr:] == [{"name": "RescanSeries", "seriesId": world["show"]}]
    assert radarr.sent_commands()[sent_radarr:] == [{"name": "RescanMovie", "movieId": world["ids"]["dune"]}]
    assert sonarr.violations == [] and radarr.violations == []


# -- every way to change the library: exactly one event, with the right links ----------------------

def test_every_change_from_the_web_is_one_event_with_its_links(app, client, world, sonarr, radarr, env):
    links = world["links"]
    status = real_scan(client)
    before = last_event_id(app)
    removal = confirm_all(client, status)
    confirmed = one_event(app, before)
    assert confirmed["action"] == "quarantined" and confirmed["scan_id"] == status["scan_id"]
    assert paths_of(confirmed) == set(removal["paths"]) and len(removal["paths"]) == 7
    assert all(link["old_target"] and link["new_target"] is None and link["category"] == "broken"
               and link["scan_id"] == status["scan_id"] for link in confirmed["links"])
    wait_for_jobs(client, [removal["services"]["job_id"]])

    before = last_event_id(app)
    restored = client.post(f"/api/symlink/scan/{status['scan_id']}/restore",
                           json={"paths": [str(links["quiet"])]}).get_json()
    payload = one_event(app, before)
    assert payload["action"] == "restored" and paths_of(payload) == {str(links["quiet"])}
    assert payload["links"][0]["new_target"] and restored["services"]["state"] == "started"
    wait_for_jobs(client, [restored["services"]["job_id"]])

    before = last_event_id(app)
    assert client.post("/api/symlink/quarantine/purge", json={"older_than_days": 0}).get_json()["purged"] == 6
    purged = one_event(app, before)
    assert purged["action"] == "purged" and paths_of(purged) == set(removal["paths"]) - {str(links["quiet"])}

    before = last_event_id(app)
    assert client.post("/api/symlink/quarantine/purge", json={"older_than_days": 0}).get_json()["purged"] == 0
    assert library_events(app, before) == []  # nothing changed: nothing announced


def test_a_failing_listener_changes_nothing_else(app, client, world, sonarr, radarr):
    seen = []

    def broken_listener(event):
        seen.append(event.id)
        raise RuntimeError("this listener is broken")

    register_listener(app, LIBRARY_CHANGED, "broken", broken_listener)
    status = real_scan(client)
    removal = confirm_all(client, status)

    assert removal["removed"] == 7 and not any(os.path.lexists(p) for p in removal["paths"])
    assert removal["services"]["state"] == "started"  # the follow-up still started
    followup = wait_job(client, removal["services"]["job_id"])
    assert followup["state"] == "completed" and followup["result"]["ok"]
    [event] = library_events(app)
    assert seen == [event.id] and event.delivered_at is not None
    assert event.outcome["broken"] == {"state": "error", "message": "RuntimeError: this listener is broken"}
    with app.app_context():
        states = set(db.session.execute(db.select(QuarantineEntry.state)).scalars())
    assert states == {"quarantined"}  # the change it followed stands


def test_a_failing_listener_is_recorded_on_the_job_of_the_change(app, client, env):
    def broken_listener(event):
        raise RuntimeError(f"cannot follow {event.payload['kind']}")

    register_listener(app, JOB_FINISHED, "broken", broken_listener)
    runner = app.extensions["linkdoctor.jobs"]
    with app.app_context():
        ctx = runner.start("import", lambda ctx: {"summary": "imported nothing"}, origin="cli")
    ctx.done.wait(30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job = wait_job(client, ctx.job_id)
        if job["result"].get("listener_errors"):
            break
        time.sleep(0.05)
    assert job["state"] == "completed" and job["result"]["summary"] == "imported nothing"
    [error] = job["result"]["listener_errors"]
    assert error["listener"] == "broken" and error["message"] == "RuntimeError: cannot follow import"
    with app.app_context():
        [finished] = db.session.execute(db.select(OutboxEvent).where(OutboxEvent.kind == JOB_FINISHED)).scalars()
    assert finished.payload == {"job_id": ctx.job_id, "kind": "import", "state": "completed", "origin": "cli",
                                "scan_id": None, "summary": "imported nothing", "params": {}}


def test_every_change_from_the_cli_is_one_event_and_reaches_sonarr_radarr(app, client, world, sonarr, radarr, env):
    links = world["links"]
    scanned = run_cli("scan", "--mode", "real", "--yes", "--json", timeout=300)
    assert scanned.returncode in (0, 1), scanned.stderr
    confirmed = one_event(app, 0)
    assert confirmed["action"] == "quarantined" and confirmed["origin"] == "cli" and len(confirmed["links"]) == 7
    with app.app_context():
        [followup] = db.session.execute(db.select(Job).where(Job.kind == "arr_followup")).scalars()
    assert followup.state == "completed" and followup.origin == "cli"  # waited for by the command
    assert {"name": "RescanMovie", "movieId": world["ids"]["dune"]} in radarr.sent_commands()

    before = last_event_id(app)
    sent = len(radarr.sent_commands())
    restored = run_cli("restore", str(confirmed["scan_id"]), str(links["dune"]), timeout=300)
    assert restored.returncode == 0, restored.stderr
    payload = one_event(app, before)
    assert payload["action"] == "restored" and paths_of(payload) == {str(links["dune"])}
    assert radarr.sent_commands()[sent:] == [{"name": "RescanMovie", "movieId": world["ids"]["dune"]}]
    assert "Sonarr/Radarr follow-up" in restored.stdout

    before = last_event_id(app)
    purged = run_cli("quarantine", "purge", "--older-than", "0", timeout=300)
    assert purged.returncode == 0, purged.stderr
    assert paths_of(one_event(app, before)) == {link["path"] for link in confirmed["links"]} - {str(links["dune"])}


# -- a crash between the change and the end of its follow-up ---------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, timeout: float, message: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(message)


def test_a_follow_up_cut_by_sigkill_is_delivered_again_by_the_next_serve(app, client, world, sonarr, radarr, env):
    links = world["links"]
    status = real_scan(client)
    confirm_all(client, status)
    wait_for_followup(client, status["scan_id"])
    rescans = radarr.sent_commands().count({"name": "RescanMovie", "movieId": world["ids"]["dune"]})
    radarr.command_seconds = 3600  # the rescan never completes: the follow-up job waits for it
    child = subprocess.Popen([sys.executable, "-m", "linkdoctor", "restore", str(status["scan_id"]),
                              str(links["dune"])], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=dict(os.environ))
    try:
        wait_until(lambda: radarr.sent_commands().count(
            {"name": "RescanMovie", "movieId": world["ids"]["dune"]}) > rescans, 120,
            "the restore's follow-up never reached Radarr")
    finally:
        child.send_signal(signal.SIGKILL)  # the change is committed, its follow-up is cut short
        child.wait(30)
    assert os.path.islink(links["dune"])
    [event] = [e for e in library_events(app) if e.payload["action"] == "restored"]
    assert paths_of(event.payload) == {str(links["dune"])}

    radarr.command_seconds = 0.3
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "linkdoctor", "serve", "--port", str(port)],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=dict(os.environ))
    try:
        def completed_again():
            with app.app_context():
                db.session.expire_all()
                jobs = db.session.execute(db.select(Job).where(Job.kind == "arr_followup", Job.params["event_id"]
                                                               .as_integer() == event.id)).scalars().all()
                return [job for job in jobs if job.state == "completed"]

        [again] = wait_until(completed_again, 120, "the cut follow-up was not run again by serve")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    assert again.origin == "cli" and again.params["paths"] == [str(links["dune"])]
    with app.app_context():
        cut = db.session.execute(db.select(Job).where(Job.kind == "arr_followup", Job.id < again.id)
                                 .order_by(Job.id.desc())).scalars().first()
    assert cut.state == "interrupted"
    assert radarr.sent_commands().count({"name": "RescanMovie", "movieId": world["ids"]["dune"]}) == rescans + 2


# -- repairs and their undo: one event per run, from the web job and from the CLI ---------------------

def test_a_repair_run_and_an_undo_are_one_event_each(app, client, library, source_dir, env):
    from linkdoctor.config import update_config
    from tests.support.trees import Tree

    with app.app_context():
        update_config({"source_roots": [str(source_dir)]})
    tree = Tree(library, source_dir)
    before = last_event_id(app)
    started = client.post("/api/symlink/repair/apply", json={"unambiguous": True}).get_json()
    result = wait_job(client, started["job_id"])["result"]
    repaired = one_event(app, before)
    assert repaired["action"] == "repaired" and repaired["job_id"] == started["job_id"]
    assert paths_of(repaired) == {tree.e02, tree.e21, tree.dune} == {r["path"] for r in result["repaired"]}
    assert {(link["old_target"], link["new_target"]) for link in repaired["links"]} == \
        {(r["old_target"], r["new_target"]) for r in result["repaired"]}
    assert result["event_id"] > before

    dune = next(r for r in result["repaired"] if r["path"] == tree.dune)
    before = last_event_id(app)
    undone = client.post(f"/api/symlink/repair/{dune['id']}/undo", json={}).get_json()
    payload = one_event(app, before)
    assert payload["action"] == "undone" and payload["links"] == [
        {"path": tree.dune, "old_target": dune["new_target"], "new_target": dune["old_target"]}]
    assert undone["services"]["state"] == "off"  # no Sonarr/Radarr here: the listener says so

    before = last_event_id(app)
    again = run_cli("repair-links", "--undo", str(dune["id"]), "--json", timeout=300)
    assert again.returncode == 2 and library_events(app, before) == []  # refused: nothing changed, nothing said


def test_an_event_committed_by_a_process_killed_before_delivering_it_is_delivered_by_serve(
        app, client, world, sonarr, radarr, env):
    from linkdoctor.events import EVENTS_LOCK_NAME
    from linkdoctor.locks import LibraryLock

    links = world["links"]
    status = real_scan(client)
    confirm_all(client, status)
    wait_for_followup(client, status["scan_id"])
    rescans = radarr.sent_commands().count({"name": "RescanMovie", "movieId": world["ids"]["dune"]})
    # Another deliverer holds the delivery lock (as a busy serve would): the command commits its
    # restore and its event, and is killed while its dispatcher waits for its turn.
    delivering = LibraryLock(env, EVENTS_LOCK_NAME)
    assert delivering.acquire(wait=60)  # (this process's own dispatcher may be delivering the confirm's events)
    child = subprocess.Popen([sys.executable, "-m", "linkdoctor", "restore", str(status["scan_id"]),
                              str(links["dune"])], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=dict(os.environ))
    try:
        event = wait_until(lambda: [e for e in library_events(app) if e.payload["action"] == "restored"], 120,
                           "the restore never committed its event")[0]
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
        delivering.release()
    assert os.path.islink(links["dune"]) and event.delivered_at is None
    with app.app_context():
        assert db.session.execute(db.select(Job).where(Job.params["event_id"].as_integer() == event.id)
                                  ).first() is None  # nothing was started for it

    server = subprocess.Popen([sys.executable, "-m", "linkdoctor", "serve", "--port", str(free_port())],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=dict(os.environ))
    try:
        def followed_up():
            with app.app_context():
                db.session.expire_all()
                return db.session.execute(db.select(Job).where(
                    Job.kind == "arr_followup", Job.state == "completed",
                    Job.params["event_id"].as_integer() == event.id)).scalars().all()

        [job] = wait_until(followed_up, 120, "serve did not deliver the event the killed command left")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    assert job.params["paths"] == [str(links["dune"])] and job.params["trigger"] == "restore"
    assert radarr.sent_commands().count({"name": "RescanMovie", "movieId": world["ids"]["dune"]}) == rescans + 1
    [delivered] = [e for e in library_events(app) if e.id == event.id]
    assert delivered.delivered_at is not None and delivered.outcome["arr_followup"]["job_id"] == job.id


def test_a_repair_run_killed_mid_way_still_announces_what_it_re_pointed(app, client, library, source_dir, env):
    """SIGKILL while `repair-links --auto` re-points 300 links: the run's event holds exactly the links it
    journalled, and the next `serve` delivers it (the Sonarr/Radarr follow-up of those links is not lost)."""
    from linkdoctor.models import RepairEntry

    count = 300
    for i in range(1, count + 1):
        release = source_dir / f"The.Show.S01E{i:03}.1080p.WEB" / f"The.Show.S01E{i:03}.1080p.WEB.mkv"
        release.parent.mkdir(parents=True)
        release.write_bytes(b"\0" * 4096)
        library.link(f"Séries/The Show (2020)/Season 01/The Show - S01E{i:03}.mkv",
                     str(source_dir / "gone" / f"The.Show.S01E{i:03}.HDTV.mkv"))
    assert client.post("/api/symlink/config", json={"source_roots": [str(source_dir)]}).status_code == 200
    before = last_event_id(app)
    child = subprocess.Popen([sys.executable, "-m", "linkdoctor", "repair-links", "--auto"],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env=dict(os.environ))

    def journalled() -> int:
        with app.app_context():
            return db.session.execute(db.select(db.func.count()).select_from(RepairEntry)).scalar_one()

    try:
        wait_until(lambda: journalled() >= 3, 300, "the run never re-pointed a link")
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    [event] = library_events(app, before)
    with app.app_context():
        entries = {e.path for e in db.session.execute(db.select(RepairEntry)).scalars()}
    assert event.delivered_at is None and event.payload["action"] == "repaired"
    assert paths_of(event.payload) == entries and 0 < len(entries) < count
    server = subprocess.Popen([sys.executable, "-m", "linkdoctor", "serve", "--port", str(free_port())],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=dict(os.environ))
    try:
        def delivered():
            [row] = library_events(app, before)
            return row if row.delivered_at is not None else None

        row = wait_until(delivered, 120, "serve did not deliver the run's event the killed command left")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    assert paths_of(row.payload) == entries
    assert row.outcome["arr_followup"]["state"] in ("off", "started", "none")
