"""The job runner with real threads, the real lock file and real SQLite: progress, cancel, one at a time, faults."""

import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from linkdoctor.errors import ConflictError, ScanAlreadyRunningError
from linkdoctor.locks import library_lock
from linkdoctor.jobs.runner import JobCancelled
from linkdoctor.models import Job, db
from tests.support.waiting import wait_until

STATUS_KEYS = {"job_id", "kind", "state", "phase", "progress", "message", "params", "result", "origin",
               "scan_id", "cancel_requested", "created_at", "started_at", "finished_at", "duration"}


@pytest.fixture
def runner(app):
    return app.extensions["linkdoctor.jobs"]


def wait_state(client, job_id, states=("completed", "cancelled", "error"), timeout=20.0) -> dict:
    seen = {}

    def reached():
        seen.update(client.get(f"/api/symlink/jobs/{job_id}").get_json())
        return seen["state"] in states and dict(seen)

    return wait_until(reached, timeout, interval=0.02, message=lambda: f"job {job_id} still {seen.get('state')}")


def wait_working(client, job_id) -> None:
    """Until the job's work function runs (endless_work has reported its progress)."""
    wait_until(lambda: client.get(f"/api/symlink/jobs/{job_id}").get_json()["progress"] == 50.0,
               interval=0.02, message=f"job {job_id} never started working")


def counting_work(steps: int, pause: float = 0.01, gate: threading.Event | None = None):
    def work(ctx):
        for step in range(steps):
            if gate is not None:
                gate.wait(10)
            ctx.raise_if_cancelled()
            ctx.progress((step + 1) / steps, phase="counting", message=f"{step + 1} of {steps}")
            time.sleep(pause)
        return {"counted": steps}
    return work


def endless_work(ctx):
    while True:
        ctx.raise_if_cancelled()
        ctx.progress(0.5, phase="waiting")
        time.sleep(0.01)


def test_a_job_reports_progress_and_its_result_in_the_one_status_shape(app, client, runner):
    gate = threading.Event()
    with app.app_context():
        ctx = runner.start("import", counting_work(5, gate=gate), params={"paths": ["/x"]}, origin="cli")
    running = client.get(f"/api/symlink/jobs/{ctx.job_id}").get_json()
    assert set(running) == STATUS_KEYS
    assert running["kind"] == "import" and running["state"] in ("pending", "running")
    assert running["params"] == {"paths": ["/x"]} and running["origin"] == "cli"
    gate.set()
    done = wait_state(client, ctx.job_id)
    assert done["state"] == "completed" and done["progress"] == 100.0
    assert done["result"] == {"counted": 5} and done["phase"] == "counting"
    assert done["finished_at"] >= done["started_at"] and done["duration"] is not None
    listed = client.get("/api/symlink/jobs").get_json()
    assert listed["active"] == [] and listed["jobs"][0]["job_id"] == ctx.job_id
    assert set(listed["jobs"][0]) == STATUS_KEYS


def test_live_progress_is_seen_while_the_job_runs(app, client, runner):
    seen = []
    with app.app_context():
        ctx = runner.start("check", counting_work(40, pause=0.02))
    while not ctx.done.is_set():
        seen.append(client.get(f"/api/symlink/jobs/{ctx.job_id}").get_json()["progress"])
        time.sleep(0.05)
    assert any(0 < p < 100 for p in seen)
    assert seen == sorted(seen)


def test_cancel_is_honoured_within_a_second(app, client, runner):
    with app.app_context():
        ctx = runner.start("repair", endless_work)
    wait_working(client, ctx.job_id)
    asked = time.monotonic()
    answer = client.post(f"/api/symlink/jobs/{ctx.job_id}/cancel", json={})
    assert answer.status_code == 200 and answer.get_json()["state"] == "cancelling"
    assert ctx.done.wait(5)
    assert time.monotonic() - asked < 1.0
    assert wait_state(client, ctx.job_id)["state"] == "cancelled"
    assert client.post(f"/api/symlink/jobs/{ctx.job_id}/cancel", json={}).status_code == 409


def test_a_cancel_written_by_another_process_stops_the_job_within_two_seconds(app, client, env, runner):
    with app.app_context():
        ctx = runner.start("import", endless_work)
    wait_working(client, ctx.job_id)
    with sqlite3.connect(env / "linkdoctor.db") as connection:  # as `linkdoctor` in another process would
        connection.execute("update job set cancel_requested = 1 where id = ?", (ctx.job_id,))
    connection.close()
    asked = time.monotonic()
    assert ctx.done.wait(5)
    assert time.monotonic() - asked < 2.0
    with app.app_context():
        assert db.session.get(Job, ctx.job_id).state == "cancelled"


def test_one_job_at_a_time_and_every_change_to_the_library_waits_for_it(app, client, runner, library, env):
    library.healthy("Films/a.mkv")
    with app.app_context():
        ctx = runner.start("import", endless_work)
        with pytest.raises(ScanAlreadyRunningError):
            runner.start("check", counting_work(1))
    answer = client.post("/api/symlink/scan/start", json={})
    assert answer.status_code == 409 and answer.get_json()["job_id"] == ctx.job_id
    assert client.post("/api/symlink/quarantine/purge", json={}).status_code == 409
    with app.app_context(), pytest.raises(ScanAlreadyRunningError):
        with library_lock(env, wait=0.1):
            pass
    with app.app_context():
        runner.cancel(ctx.job_id)
    assert ctx.done.wait(5)
    assert client.post("/api/symlink/scan/start", json={}).status_code == 202


def test_a_failing_job_is_an_error_with_its_reason_and_frees_the_library(app, client, runner):
    def broken(ctx):
        ctx.progress(0.3, phase="halfway")
        raise RuntimeError("the disk said no")

    with app.app_context():
        ctx = runner.start("check", broken)
    status = wait_state(client, ctx.job_id)
    assert status["state"] == "error" and "the disk said no" in status["message"]
    assert status["phase"] == "halfway" and status["progress"] == 30.0
    with app.app_context():
        again = runner.start("check", counting_work(1))
    assert wait_state(client, again.job_id)["state"] == "completed"


def test_a_database_error_while_writing_the_row_frees_the_library(app, runner):
    def failing_prepare(job):
        raise sqlite3.OperationalError("database is locked")

    with app.app_context():
        with pytest.raises(sqlite3.OperationalError):
            runner.start("import", counting_work(1), prepare=failing_prepare)
        assert db.session.execute(db.select(Job)).scalars().all() == []
        ctx = runner.start("import", counting_work(1))
    assert ctx.done.wait(5)


def test_a_job_cancelled_from_within_ends_cancelled(app, client, runner):
    def gives_up(ctx):
        raise JobCancelled()

    with app.app_context():
        ctx = runner.start("arr_followup", gives_up)
    assert wait_state(client, ctx.job_id)["state"] == "cancelled"


def test_the_lock_is_shared_with_other_processes(app, runner, env):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from linkdoctor.locks import LibraryLock; "
         "lock = LibraryLock(sys.argv[1]); assert lock.acquire(); print('held', flush=True); time.sleep(30)",
         str(env)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with app.app_context(), pytest.raises(ScanAlreadyRunningError, match="another process"):
            runner.start("import", counting_work(1))
    finally:
        holder.kill()
        holder.wait()
    with app.app_context():
        assert runner.start("import", counting_work(1)).done.wait(5)


def test_a_scan_is_a_job_too(app, client, library):
    library.healthy("Films/a.mkv")
    scan_id = client.post("/api/symlink/scan/start", json={}).get_json()["scan_id"]
    app.extensions["linkdoctor.tasks"].wait(scan_id, 30)
    jobs = client.get("/api/symlink/jobs?kind=scan").get_json()["jobs"]
    assert [(j["kind"], j["scan_id"], j["state"]) for j in jobs] == [("scan", scan_id, "completed")]
    assert jobs[0]["result"] == {"scan_id": scan_id, "status": "completed"}


def test_cancelling_a_scan_of_another_process_goes_through_its_job_row(app, client, library, env):
    library.healthy("Films/a.mkv")
    with app.app_context():
        job = Job(kind="scan", state="running", owner_pid=999999, scan_id=None)
        from linkdoctor.models import SymlinkScan
        scan = SymlinkScan(status="running", owner_pid=999999)
        db.session.add_all([job, scan])
        db.session.flush()
        job.scan_id = scan.id
        db.session.commit()
        scan_id, job_id = scan.id, job.id
    answer = client.post(f"/api/symlink/scan/cancel/{scan_id}", json={})
    assert answer.status_code == 200 and answer.get_json() == {"scan_id": scan_id, "status": "cancelling"}
    assert client.get(f"/api/symlink/jobs/{job_id}").get_json()["cancel_requested"] is True


@pytest.mark.parametrize("url, status", [
    ("/api/symlink/jobs/abc", 400), ("/api/symlink/jobs/0", 400), ("/api/symlink/jobs/%C2%B2", 400),
    ("/api/symlink/jobs/424242", 404), ("/api/symlink/jobs?limit=0", 400), ("/api/symlink/jobs?limit=x", 400),
    ("/api/symlink/jobs?kind=mine", 400),
])
def test_bad_job_requests_get_a_json_error(client, url, status):
    answer = client.get(url)
    assert answer.status_code == status
    assert set(answer.get_json()) >= {"error", "message"}


def test_cancelling_a_finished_or_unknown_job_is_refused(app, client, runner):
    assert client.post("/api/symlink/jobs/77/cancel", json={}).status_code == 404
    with app.app_context():
        ctx = runner.start("check", counting_work(1))
    assert ctx.done.wait(5)
    with app.app_context(), pytest.raises(ConflictError):
        runner.cancel(ctx.job_id)


# -- side jobs (Sonarr/Radarr follow-ups): beside the library lock, one at a time among themselves ----

def test_a_side_job_runs_beside_a_library_job_and_side_jobs_run_one_after_another(app, client, runner, env):
    gate = threading.Event()
    with app.app_context():
        library_job = runner.start("import", endless_work)
        first = runner.start("arr_followup", counting_work(3, gate=gate))  # the library is busy: it runs anyway
        second = runner.start("arr_followup", counting_work(1))
        third = runner.start("arr_followup", counting_work(1))
    assert wait_state(client, first.job_id, states=("running",))["state"] == "running"
    waiting = client.get(f"/api/symlink/jobs/{second.job_id}").get_json()
    assert waiting["state"] == "pending" and "waiting for the previous" in waiting["message"]
    # A side job never makes the library look busy: the 409 names the job that holds it.
    answer = client.post("/api/symlink/scan/start", json={})
    assert answer.status_code == 409 and answer.get_json()["job_id"] == library_job.job_id
    with app.app_context():
        runner.cancel(library_job.job_id)
    assert library_job.done.wait(5)
    assert client.get(f"/api/symlink/jobs/{second.job_id}").get_json()["state"] == "pending"

    gate.set()
    done_first, done_second = wait_state(client, first.job_id), wait_state(client, second.job_id)
    assert done_first["result"] == {"counted": 3} and done_second["result"] == {"counted": 1}
    assert done_second["started_at"] >= done_first["finished_at"]
    assert done_second["message"] == "1 of 1"
    done_third = wait_state(client, third.job_id)  # in the order they were started, not the lock's whim
    assert done_third["state"] == "completed" and done_third["started_at"] >= done_second["finished_at"]


def test_a_side_job_cancelled_while_it_waits_ends_cancelled_without_running(app, client, runner, env):
    ran = threading.Event()
    with app.app_context():
        first = runner.start("arr_followup", endless_work)
        second = runner.start("arr_followup", lambda ctx: ran.set() or {})
        runner.cancel(second.job_id)
    assert wait_state(client, second.job_id)["state"] == "cancelled" and not ran.is_set()
    with app.app_context():
        runner.cancel(first.job_id)
    assert wait_state(client, first.job_id)["state"] == "cancelled"


def test_recovery_leaves_a_live_side_job_alone_and_marks_a_dead_one(app, client, runner, env):
    from linkdoctor.jobs.recovery import recover_interrupted

    with app.app_context():
        live = runner.start("arr_followup", endless_work)
    assert wait_state(client, live.job_id, states=("running",))
    with app.app_context():
        assert recover_interrupted(env)["jobs"] == []  # its follow-up lock is held: someone is working
        runner.cancel(live.job_id)
    assert wait_state(client, live.job_id)["state"] == "cancelled"
    with app.app_context():  # a row a dead process left running
        dead = Job(kind="arr_followup", state="running", owner_pid=0)
        db.session.add(dead)
        db.session.commit()
        assert recover_interrupted(env)["jobs"] == [dead.id]
        db.session.refresh(dead)
        assert dead.state == "interrupted"
