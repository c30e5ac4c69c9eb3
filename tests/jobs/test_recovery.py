"""Recovery of interrupted work runs where it is needed (serve, scans, the quarantine), not on `config show`."""

import os
import subprocess
import sys

import pytest

from linkdoctor.models import PLANNED, Job, QuarantineEntry, SymlinkScan, db


def cli(*args):
    return subprocess.run([sys.executable, "-m", "linkdoctor", *args], capture_output=True, text=True,
                          timeout=60, env=dict(os.environ))


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
    assert states(interrupted) == ("error", "interrupted", "rolled_back")


def test_recovery_waits_when_another_process_holds_the_library(interrupted, env):
    from linkdoctor.jobs.lock import LibraryLock
    from linkdoctor.jobs.recovery import recover_interrupted

    lock = LibraryLock(env)
    assert lock.acquire()
    try:
        with interrupted.app_context():
            assert recover_interrupted(env) is None  # their rows are not stale: someone is working
    finally:
        lock.release()
    assert states(interrupted) == ("running", "running", "planned")
