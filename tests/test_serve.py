"""`linkdoctor serve` stopped as `docker stop` does (SIGTERM): gone within 10 s, its work left consistent."""

import os
import sqlite3
import time
from pathlib import Path

import requests

from tests.conftest import run_cli
from tests.support.faultmount import faulty_mount, hanging_links  # noqa: F401  (fixture)
from tests.support.server import Server


def alive(pid: int) -> bool:
    """Whether the process exists and is not a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"{what} within {timeout}s")


def test_sigterm_ends_serve_within_10s_the_scan_interrupted_and_no_worker_left(env, media_root, library,
                                                                                faulty_mount, tmp_path):
    hanging_links(library, faulty_mount)
    library.healthy("Films/A/a.mkv")
    assert run_cli("config", "set", "file_timeout", "60").returncode == 0  # the scan's workers wait on the mount
    with Server(env, media_root, tmp_path / "serve.log") as server:
        started = requests.post(f"{server.url}/api/symlink/scan/start", json={"mode": "dry-run"}, timeout=30)
        assert started.status_code == 202, started.text
        scan_id = started.json()["scan_id"]

        def running_with_workers():
            status = requests.get(f"{server.url}/api/symlink/scan/status/{scan_id}", timeout=10).json()["status"]
            return status == "running" and server.children()

        workers = wait_until(running_with_workers, 60, "the scan did not start its workers")
        seconds = server.stop(timeout=15)
        assert seconds < 10 and server.proc.returncode == 0, server.stderr()
    assert "linkdoctor: stopped" in server.stderr() and "Traceback" not in server.stderr()
    with sqlite3.connect(env / "linkdoctor.db") as db:
        status, message = db.execute("select status, error_message from symlink_scan where id = ?", (scan_id,)).fetchone()
        job_state, job_message = db.execute("select state, message from job where scan_id = ?", (scan_id,)).fetchone()
    assert status == "error" and message.startswith("interrupted: linkdoctor was stopped")
    assert job_state == "interrupted" and job_message.startswith("interrupted")
    # The workers stuck on the mount were killed, not left behind (reaped by whoever adopted them).
    wait_until(lambda: not any(alive(pid) for pid in workers), 5, f"worker(s) {workers} still alive")
    # The next start finds nothing left running.
    history = run_cli("history", "--json")
    assert history.returncode == 0 and '"running"' not in history.stdout


def test_sigterm_on_an_idle_server_ends_it_at_once(env, media_root, tmp_path):
    with Server(env, media_root, tmp_path / "serve.log", host="0.0.0.0") as server:
        assert server.stop() < 5 and server.proc.returncode == 0
    assert server.stderr().rstrip().endswith("linkdoctor: stopped")
    assert os.path.exists(env / "linkdoctor.db")
