"""Recovery of interrupted work runs where it is needed (serve, scans, the quarantine), not on `config show`."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from linkdoctor.models import PLANNED, Job, QuarantineEntry, SymlinkScan, db
from tests.support.browser import chromium_available
from tests.support.cli import run_cli
from tests.support.waiting import wait_until


def cli(*args):
    return run_cli(*args, timeout=60)


@pytest.fixture
def interrupted(app, library, env):
    """A scan, a job and a removal left half-done by a process that died."""
    link = library.broken("Films/gone.mkv")
    with app.app_context():
        scan = SymlinkScan(status="running", owner_pid=999999)
        db.session.add(scan)
        db.session.flush()
        db.session.add_all([
            Job(kind="import", state="running", owner_pid=999999),
            QuarantineEntry(scan_id=scan.id, original_path=str(link),
                            quarantine_path=str(env / "trash" / "orphans" / "Films" / "gone.mkv"), state=PLANNED),
        ])
        db.session.commit()
    return app


def states(app):
    with app.app_context():
        db.session.expire_all()
        return (db.session.execute(db.select(SymlinkScan.status)).scalar_one(),
                db.session.execute(db.select(Job.state)).scalar_one(),
                db.session.execute(db.select(QuarantineEntry.state)).scalar_one())


def test_config_show_and_a_new_app_leave_interrupted_work_alone(interrupted):
    from linkdoctor import create_app

    assert cli("config", "show").returncode == 0
    create_app({"TESTING": True})
    assert states(interrupted) == ("running", "running", "planned")


@pytest.mark.parametrize("command", [["history"], ["quarantine", "list", "1"], ["restore", "1"]])
def test_commands_that_touch_scans_or_the_quarantine_recover_first(interrupted, command):
    cli(*command)
    assert states(interrupted) == ("interrupted", "interrupted", "rolled_back")


def test_recovery_waits_when_another_process_holds_the_library(interrupted, env):
    from linkdoctor.locks import LibraryLock
    from linkdoctor.jobs.recovery import recover_interrupted

    lock = LibraryLock(env)
    assert lock.acquire()
    try:
        with interrupted.app_context():
            assert recover_interrupted(env) is None  # their rows are not stale: someone is working
    finally:
        lock.release()
    assert states(interrupted) == ("running", "running", "planned")


# -- a scan killed mid-way: its real run time, not 0 nor the time until the restart ----------------

RAN_SECONDS = 3.5  # how long the command runs before it is killed (its last save may be 1.25 s older)
DOWN_SECONDS = 3.0  # how long nothing runs after the kill, before the restart


def api_date(text: str):
    """The API's naive UTC timestamps as aware datetimes."""
    from datetime import datetime, timezone

    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def wait_until_running(data_dir, query: str, timeout: float = 60.0) -> None:
    """Poll the real database until `query` finds a row (start-up can be slow under load)."""
    def found():
        try:
            with sqlite3.connect(data_dir / "linkdoctor.db") as database:
                return database.execute(query).fetchone()
        except sqlite3.OperationalError:
            return None  # the database or its tables do not exist yet

    wait_until(found, timeout, interval=0.1, message=f"never found: {query}")


def kill_while_running(data_dir, args: list[str], running: str):
    """Run `linkdoctor *args`, SIGKILL it RAN_SECONDS after `running` finds its row; when it was killed."""
    from datetime import datetime, timezone

    child = subprocess.Popen([sys.executable, "-m", "linkdoctor", *args], stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ))
    try:
        wait_until_running(data_dir, running)
        time.sleep(RAN_SECONDS)
    finally:
        child.send_signal(signal.SIGKILL)  # no handler runs: the rows stay "running"
        killed_at = datetime.now(timezone.utc)
        child.wait(10)  # the reads blocked on the mount are in its worker processes, not in it
    time.sleep(DOWN_SECONDS)
    return killed_at


def test_a_killed_cli_scan_and_its_job_keep_the_time_they_really_ran(env, hanging_library, request):
    from datetime import timedelta

    from linkdoctor.cli.common import build_app

    assert cli("config", "set", "file_timeout", "60").returncode == 0  # the scan waits on the hanging mount
    killed_at = kill_while_running(env, ["scan", "--json"], "select 1 from symlink_scan where status = 'running'")

    app = build_app(recover=True, web=True)  # what `serve` (or, without the web part, the next command) does at start
    client = app.test_client()
    [summary] = client.get("/api/symlink/scans/history").get_json()["scans"]
    assert summary["status"] == "interrupted" and summary["error_message"].startswith("interrupted")
    ran = (killed_at - api_date(summary["scan_date"])).total_seconds()
    assert RAN_SECONDS <= ran < RAN_SECONDS + 10  # sanity of the measure itself
    # Its progress (and run time) is saved at most once a second: at most that much is lost.
    assert 2.0 <= summary["duration"] <= 4.5 and ran - 2.0 <= summary["duration"] <= ran, (summary, ran)
    ended = api_date(summary["finished_at"])
    assert abs((ended - api_date(summary["scan_date"])).total_seconds() - summary["duration"]) < 0.01
    assert ended <= killed_at  # not when the restart noticed it
    status = client.get(f"/api/symlink/scan/status/{summary['scan_id']}").get_json()
    assert status["duration"] == summary["duration"]

    # The scan ran as a job: its duration is its run time too, ended at its last sign of life.
    [job] = client.get("/api/symlink/jobs?kind=scan").get_json()["jobs"]
    job = client.get(f"/api/symlink/jobs/{job['job_id']}").get_json()
    assert job["state"] == "interrupted" and job["scan_id"] == summary["scan_id"]
    assert 2.0 <= job["duration"] <= 4.5 and job["duration"] <= ran, job
    assert api_date(job["finished_at"]) <= killed_at + timedelta(seconds=0.01)

    if not chromium_available():  # no Chromium here: the JSON above is what the Dashboard reads
        return
    page = request.getfixturevalue("page")  # the Dashboard's history, as a user reads it
    page.open("dashboard")
    shown = f"{summary['duration']:.1f} s"
    page.wait(lambda _: [td.text for td in page.css("#history-body td[data-label='Duration']")] == [shown],
              message=f"the history never showed the duration {shown}")
    assert page.by_id("latest-duration").text == shown


@pytest.mark.parametrize("command", ["import", "check"])
def test_a_killed_import_or_check_job_keeps_the_time_it_really_ran(env, hanging_library, command):
    from datetime import timedelta

    from linkdoctor.cli.common import build_app

    assert cli("config", "set", "file_timeout", "60").returncode == 0  # its walk waits on the hanging mount
    killed_at = kill_while_running(env, [command], f"select 1 from job where kind = '{command}' and state = 'running'")

    client = build_app(recover=True, web=True).test_client()
    [job] = client.get(f"/api/symlink/jobs?kind={command}").get_json()["jobs"]
    job = client.get(f"/api/symlink/jobs/{job['job_id']}").get_json()
    assert job["state"] == "interrupted", job
    ran = (killed_at - api_date(job["started_at"])).total_seconds()
    assert RAN_SECONDS <= ran < RAN_SECONDS + 10  # sanity of the measure itself
    # Saved with its progress at most once a second while its workers wait on the mount.
    assert 2.0 <= job["duration"] <= 4.5 and ran - 2.0 <= job["duration"] <= ran, (job, ran)
    assert api_date(job["finished_at"]) <= killed_at + timedelta(seconds=0.01)
