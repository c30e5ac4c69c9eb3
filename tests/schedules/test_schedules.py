"""Schedules: validation, next runs, the loop under an injected clock, missed runs, a busy library, the
unattended real mode's cap, and a schedule firing inside the real `linkdoctor serve`."""

import threading
from datetime import datetime, timedelta, timezone

import pytest
import requests

from tests.support.api import wait_for_scan
from tests.fakes.webhook import FakeWebhook
from tests.support.served import linkdoctor_serve, wait_until

NIGHTLY = {"name": "nightly", "cron": "0 3 * * *", "interval_minutes": None, "paths": [], "depth": "basic",
           "mode": "dry-run", "allow_real": False, "max_removals": 50, "then": []}


class FakeClock:
    """The loop's time, moved by the test."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def webhook():
    fake = FakeWebhook().start()
    yield fake
    fake.stop()


def add(client, **changes):
    answer = client.post("/api/symlink/schedules", json={**NIGHTLY, **changes})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def loop_at(app, moment: datetime):
    from linkdoctor.schedules.loop import ScheduleLoop

    return ScheduleLoop(app, clock=FakeClock(moment))


def created_at(app, schedule_id: int) -> datetime:
    from linkdoctor.models import Schedule, db

    with app.app_context():
        return db.session.get(Schedule, schedule_id).created_at.replace(tzinfo=timezone.utc)


def scans(client) -> list[dict]:
    return client.get("/api/symlink/scans/history").get_json()["scans"]


@pytest.mark.parametrize("changes, field", [
    ({"cron": "61 * * * *"}, "cron"),
    ({"cron": "every day"}, "cron"),
    ({"cron": None, "interval_minutes": 0}, "interval_minutes"),
    ({"cron": None, "interval_minutes": None}, "cron"),
    ({"interval_minutes": 5}, "cron"),  # both
    ({"mode": "real"}, "allow_real"),
    ({"mode": "real", "allow_real": True, "max_removals": 0}, "max_removals"),
    ({"then": ["delete-everything"]}, "then"),
    ({"depth": "deep"}, "depth"),
    ({"name": ""}, "name"),
    ({"paths": "TV"}, "paths"),
    ({"surprise": 1}, "surprise"),
])
def test_a_schedule_that_cannot_run_as_asked_is_refused_with_its_field_and_nothing_saved(client, changes, field):
    answer = client.post("/api/symlink/schedules", json={**NIGHTLY, **changes})
    assert answer.status_code == 400 and field in answer.get_json()["fields"], answer.get_json()
    assert client.get("/api/symlink/schedules").get_json()["schedules"] == []


def test_schedules_are_listed_with_their_next_run_in_the_servers_time_zone_and_removed(client, cli):
    schedule = add(client)
    next_run = datetime.fromisoformat(schedule["next_run"])
    assert next_run.tzinfo is not None and (next_run.hour, next_run.minute) == (3, 0)
    assert next_run > datetime.now(timezone.utc)
    listed = client.get("/api/symlink/schedules").get_json()
    assert [s["name"] for s in listed["schedules"]] == ["nightly"] and listed["timezone"]
    assert listed["scheduler_running"] is False  # only `serve` runs them
    assert client.post("/api/symlink/schedules", json=NIGHTLY).status_code == 409  # the name is taken
    assert "#1" in cli("schedule", "list").stdout and "nightly" in cli("schedule", "list").stdout
    added = cli("schedule", "add", "hourly", "--every", "60", "--then", "import")
    assert added.returncode == 0 and "next run" in added.stdout
    refused = cli("schedule", "add", "reckless", "--cron", "0 4 * * *", "--mode", "real")
    assert refused.returncode == 2 and "allow_real" in refused.stderr and "Traceback" not in refused.stderr
    assert client.delete(f"/api/symlink/schedules/{schedule['id']}").status_code == 200
    assert cli("schedule", "remove", "2").returncode == 0
    assert client.get("/api/symlink/schedules").get_json()["schedules"] == []
    assert client.delete("/api/symlink/schedules/1").status_code == 404


def test_a_schedule_due_now_fires_within_a_second_under_a_fake_clock(app, client, library):
    library.broken("Films/Gone (2020)/gone.mkv")
    schedule = add(client, cron=None, interval_minutes=60)
    loop = loop_at(app, created_at(app, schedule["id"]) + timedelta(minutes=59))
    assert loop.due() == []  # not yet
    loop.clock.now += timedelta(minutes=1, seconds=1)
    loop.start()
    try:
        wait_until(lambda: scans(client), 1.0, "the scheduled scan started")
    finally:
        loop.stop(30)
    [scan] = scans(client)
    assert scan["origin"] == "schedule"
    assert wait_for_scan(client, scan["scan_id"])["origin"] == "schedule"
    jobs = client.get("/api/symlink/jobs?kind=scan").get_json()["jobs"]
    assert [job["origin"] for job in jobs] == ["schedule"]
    shown = client.get("/api/symlink/schedules").get_json()["schedules"][0]
    assert shown["last_scan_id"] == scan["scan_id"] and "completed" in shown["last_outcome"]


def test_a_run_missed_while_the_server_was_down_runs_once_when_less_than_one_interval_late(app, client, library):
    from linkdoctor.models import Schedule, db

    library.healthy("Films/Fine (2021)/fine.mkv")
    schedule = add(client, cron=None, interval_minutes=60)
    start = created_at(app, schedule["id"])
    # Down from 0:30 to 1:40: the 1:00 run was missed, 40 minutes late < one interval: caught up once.
    loop = loop_at(app, start + timedelta(minutes=100))
    assert loop.due() == [schedule["id"]]
    loop.tick()
    assert len(scans(client)) == 1
    assert loop.due() == []  # once, not once per missed run
    loop.clock.now = start + timedelta(minutes=121)
    assert loop.due() == [schedule["id"]]  # the 2:00 run, on time
    # Down for longer than an interval: the missed run is skipped, the next comes at its time.
    with app.app_context():
        db.session.get(Schedule, schedule["id"]).last_run_at = (start + timedelta(hours=2)).replace(tzinfo=None)
        db.session.commit()
    loop.clock.now = start + timedelta(hours=4, minutes=30)
    assert loop.due() == []
    next_run = datetime.fromisoformat(client.get("/api/symlink/schedules").get_json()["schedules"][0]["next_run"])
    assert next_run > datetime.now(timezone.utc)


def test_a_run_that_finds_the_library_busy_waits_its_turn(app, client, library, env, monkeypatch):
    from linkdoctor.locks import library_lock
    from linkdoctor.schedules import runs
    from linkdoctor.schedules.runs import run_schedule

    monkeypatch.setattr(runs, "BUSY_RETRY_SECONDS", 0.1)
    library.healthy("Films/Fine (2021)/fine.mkv")
    schedule = add(client, cron=None, interval_minutes=60)
    outcome = {}
    with library_lock(env):  # another job (here: this test) holds the library
        runner = threading.Thread(target=lambda: outcome.update(text=run_schedule(app, schedule["id"], threading.Event())))
        runner.start()
        wait_until(lambda: client.get("/api/symlink/schedules").get_json()["schedules"][0]["last_run_at"], 10,
                   "the run started waiting")
        assert scans(client) == [] and runner.is_alive()
    runner.join(60)
    assert "completed" in outcome["text"] and len(scans(client)) == 1


def test_an_unattended_real_run_over_its_cap_removes_nothing_and_says_so(app, client, library, webhook):
    from linkdoctor.schedules.runs import run_schedule

    client.post("/api/symlink/notifications", json={"url": webhook.apprise_url(), "events": ["held_back"]})
    for i in range(17):
        library.healthy(f"TV/Show/Season 01/Show.S01E{i + 1:02}.mkv")
    broken = [library.broken(f"TV/Show/Season 02/Show.S02E{i + 1:02}.mkv") for i in range(3)]
    # 20 links scanned: at most 10% (2) may go unattended, whatever max_removals says.
    schedule = add(client, mode="real", allow_real=True, max_removals=50)
    outcome = run_schedule(app, schedule["id"], threading.Event())
    assert "held back" in outcome and "cap of 2" in outcome
    assert all(link.is_symlink() for link in broken)
    [scan] = scans(client)
    assert wait_for_scan(client, scan["scan_id"])["status"] == "awaiting_confirmation"
    [message] = webhook.wait_for(1)
    assert "held back" in message["title"] and "3 link(s)" in message["message"]


def test_an_unattended_real_run_within_its_cap_quarantines_then_imports(app, client, library, webhook):
    from linkdoctor.schedules.runs import run_schedule

    client.post("/api/symlink/notifications", json={"url": webhook.apprise_url(), "events": ["links_quarantined"]})
    for i in range(28):
        library.healthy(f"TV/Show/Season 01/Show.S01E{i + 1:02}.mkv")
    gone = [library.broken(f"Films/Gone {i} (2020)/gone.mkv") for i in range(2)]
    schedule = add(client, mode="real", allow_real=True, max_removals=5, then=["import"])
    outcome = run_schedule(app, schedule["id"], threading.Event())
    assert "removed 2 link(s) into the quarantine" in outcome and "import job" in outcome
    assert not any(link.is_symlink() for link in gone)
    quarantined = client.get("/api/symlink/quarantine").get_json()
    assert quarantined["total"] == 2
    [message] = webhook.wait_for(1)
    assert message["title"] == "linkdoctor: 2 link(s) moved to the quarantine"
    imports = client.get("/api/symlink/jobs?kind=import").get_json()["jobs"]
    assert [job["origin"] for job in imports] == ["schedule"] and imports[0]["state"] == "completed"


def test_a_schedule_fires_in_the_real_serve_and_the_json_target_gets_the_counts(env, tmp_path, library, webhook):
    for i in range(3):
        library.broken(f"TV/Show/Season 01/Show.S01E{i + 1:02}.mkv")
    library.healthy("Films/Fine (2021)/fine.mkv")
    with linkdoctor_serve(tmp_path) as served:
        api = f"{served.url}/api/symlink"
        assert requests.post(f"{api}/notifications", json={"url": webhook.apprise_url(), "events": ["scan_problems"]},
                             timeout=10).status_code == 201
        schedule = requests.post(f"{api}/schedules", json={**NIGHTLY, "cron": None, "interval_minutes": 1},
                                 timeout=10).json()
        listed = requests.get(f"{api}/schedules", timeout=10).json()
        assert listed["scheduler_running"] is True and listed["schedules"][0]["next_run"]
        # Its first run is a minute away; run it now, as the Run button does (the loop fires it).
        assert requests.post(f"{api}/schedules/{schedule['id']}/run", json={}, timeout=10).status_code == 202
        [message] = webhook.wait_for(1, timeout=60)
        assert "found 3 problem(s)" in message["title"] and "broken 3" in message["message"]
        history = requests.get(f"{api}/scans/history", timeout=10).json()["scans"]
        assert [scan["origin"] for scan in history] == ["schedule"]
        health = requests.get(f"{api}/health", timeout=10).json()
        assert health["checks"]["scheduler"]["ok"] and "next_run" in health["checks"]
