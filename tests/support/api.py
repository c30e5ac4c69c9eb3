"""Driving the app through its JSON API as a page or another tab would: scans and jobs, started and waited for."""

import threading
import time

from tests.support.waiting import wait_until


def assert_error(response, status, error=None):
    """The answer is the API's one error shape, with this status (and this error code, when given)."""
    body = response.get_json()
    assert response.status_code == status, body
    assert set(body) >= {"error", "message"} and body["message"]
    if error:
        assert body["error"] == error
    return body


def wait_for_scan(client, scan_id: int, timeout: float = 60.0) -> dict:
    """Poll the status endpoint until the scan leaves pending/running."""
    seen = {}

    def ended():
        seen.update(client.get(f"/api/symlink/scan/status/{scan_id}").get_json())
        return seen["status"] not in ("pending", "running") and dict(seen)

    return wait_until(ended, timeout, message=lambda: f"scan {scan_id} still {seen.get('status')}")


def wait_job(client, job_id: int, timeout: float = 120) -> dict:
    """Poll a job's status until it leaves pending/running."""
    seen = {}

    def ended():
        seen.update(client.get(f"/api/symlink/jobs/{job_id}").get_json())
        return seen["state"] not in ("pending", "running") and dict(seen)

    return wait_until(ended, timeout, message=lambda: f"job {job_id} still {seen.get('state')}")


def run_repair(client, url: str, body: dict) -> dict:
    """A repair job started through the API (a listing or an apply), waited for and completed; its final status."""
    answer = client.post(url, json=body)
    assert answer.status_code == 202, answer.get_json()
    status = wait_job(client, answer.get_json()["job_id"])
    assert status["kind"] == "repair" and status["state"] == "completed", status
    return status


def real_scan(client, **body) -> dict:
    """A scan in real mode through the API, waited for; its final status (with the confirmation token)."""
    scan_id = client.post("/api/symlink/scan/start", json={"mode": "real", **body}).get_json()["scan_id"]
    return wait_for_scan(client, scan_id)


def run_scan(app, **body) -> int:
    """A scan run through the API (as another tab would), waited for to its thread's end; its id."""
    client = app.test_client()
    answer = client.post("/api/symlink/scan/start", json=body)
    assert answer.status_code == 202, answer.get_json()
    scan_id = answer.get_json()["scan_id"]
    wait_for_scan(client, scan_id)
    assert app.extensions["linkdoctor.tasks"].wait(scan_id, 30)
    return scan_id


def start_endless_followup(app, scan_id: int = 0, **options):
    """A follow-up job at 40 % "waiting for it to complete" until it is cancelled (Sonarr rescanning for
    minutes); its context, once it runs. `options` go to the runner's start (e.g. prepare)."""
    started = threading.Event()

    def endless(ctx):
        started.set()
        while True:
            ctx.raise_if_cancelled()
            ctx.progress(0.4, "notify", "Sonarr: RescanSeries Dune, waiting for it to complete")
            time.sleep(0.05)  # the job's own pace, not a wait of the test

    with app.app_context():
        ctx = app.extensions["linkdoctor.jobs"].start("arr_followup", endless, params={"scan_id": scan_id}, **options)
    assert started.wait(10)
    return ctx


def hold_scan(app):
    """Start a scan outside the page (as the CLI would) that stays running until the gate opens."""
    gate = threading.Event()

    def hold(_scan_id, _snapshot):
        gate.wait(30)

    with app.app_context():
        scan_id = app.extensions["linkdoctor.tasks"].start_scan(None, origin="cli", on_progress=hold)
    return scan_id, gate
