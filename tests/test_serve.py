"""`linkdoctor serve` stopped as `docker stop` does (SIGTERM): gone within 10 s, its work left consistent."""

import json
import os
import sqlite3
import threading
from pathlib import Path

import requests

from tests.support.cli import run_cli
from tests.support.faultmount import faulty_mount, hanging_links  # noqa: F401  (fixture)
from tests.support.served import wait_until
from tests.support.server import Server


def alive(pid: int) -> bool:
    """Whether the process exists and is not a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def blocked_on_fuse(pid: int) -> bool:
    """Whether the process waits in the kernel on a FUSE mount (for an answer, or for the lock of an inode
    whose request waits): uninterruptible, SIGKILL waits too."""
    try:
        return Path(f"/proc/{pid}/wchan").read_text() in ("request_wait_answer", "fuse_lock_inode")
    except OSError:
        return False


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
    assert status == "interrupted" and message.startswith("interrupted: linkdoctor was stopped")
    assert job_state == "interrupted" and job_message.startswith("interrupted")
    # A worker blocked in the kernel on the dead mount cannot die before the mount answers (serve says how
    # many it left); every other one (an idle spare too) has ended. Once the mount's daemon is gone, as when
    # rclone is restarted, the stuck ones end as well: none is left behind for good.
    wait_until(lambda: all(not alive(pid) or blocked_on_fuse(pid) for pid in workers), 5,
               f"worker(s) {workers} still alive and not blocked on the mount")
    faulty_mount.stop()
    wait_until(lambda: not any(alive(pid) for pid in workers), 10, f"worker(s) {workers} still alive")
    # The next start finds nothing left running.
    history = run_cli("history", "--json")
    assert history.returncode == 0 and '"running"' not in history.stdout


def test_sigterm_on_an_idle_server_ends_it_at_once(env, media_root, tmp_path):
    with Server(env, media_root, tmp_path / "serve.log", host="0.0.0.0") as server:
        assert server.stop() < 5 and server.proc.returncode == 0
    assert server.stderr().rstrip().endswith("linkdoctor: stopped")
    assert os.path.exists(env / "linkdoctor.db")


def test_sigterm_during_a_confirm_ends_within_10s_and_the_next_start_settles_every_link(env, media_root, tmp_path):
    # Many broken links: the confirm is under way when SIGTERM comes. Whether it is cut or finishes within the
    # 5 s waitress gives a request in progress depends on the machine (moves go in batches of workers); either
    # way serve ends within 10 s and every link ends in exactly one place, as the journal says.
    links = 1500
    for i in range(links):
        (media_root / f"F{i:04}").mkdir()
        os.symlink(tmp_path / "gone" / f"f{i}.mkv", media_root / f"F{i:04}" / f"f{i}.mkv")
    with Server(env, media_root, tmp_path / "serve.log") as server:
        scan_id = requests.post(f"{server.url}/api/symlink/scan/start", json={"mode": "real"}, timeout=30).json()["scan_id"]

        def awaiting():
            status = requests.get(f"{server.url}/api/symlink/scan/status/{scan_id}", timeout=10).json()
            return status if status["status"] == "awaiting_confirmation" else None

        status = wait_until(awaiting, 120, "the real scan did not propose the links")
        assert status["confirmation"]["proposed"] == links
        confirm = threading.Thread(target=lambda: _post_ignoring_disconnect(
            f"{server.url}/api/symlink/scan/{scan_id}/confirm", {"token": status["confirmation"]["token"], "force": True}))
        confirm.start()

        def moving():
            with sqlite3.connect(env / "linkdoctor.db") as db:
                return db.execute("select count(*) from quarantine_entry where state = 'quarantined'").fetchone()[0] > 0

        wait_until(moving, 120, "the confirm did not start moving")
        seconds = server.stop(timeout=15)
        confirm.join(30)
        assert seconds < 10, server.stderr()
    with sqlite3.connect(env / "linkdoctor.db") as db:
        moved_before = db.execute("select count(*) from quarantine_entry where state = 'quarantined'").fetchone()[0]
    assert 0 < moved_before <= links, "the confirm had not started"
    # The next start (here the quarantine listing) settles the moves left planned, from the journal.
    listing = run_cli("quarantine", "list", str(scan_id))
    assert listing.returncode == 0, listing.stderr
    with sqlite3.connect(env / "linkdoctor.db") as db:
        entries = db.execute("select original_path, quarantine_path, state from quarantine_entry").fetchall()
        files_deleted = db.execute("select files_deleted from symlink_scan where id = ?", (scan_id,)).fetchone()[0]
    journal = {}
    for line in (env / "trash" / "journal.jsonl").read_text().splitlines():
        event = json.loads(line)
        journal[event["quarantine_path"]] = event["state"]
    for original, quarantined, state in entries:
        assert journal[quarantined] == state  # the journal file says what the database says
        if state == "quarantined":
            assert os.path.lexists(quarantined) and not os.path.lexists(original)
        else:
            assert state == "rolled_back" and os.path.lexists(original) and not os.path.lexists(quarantined)
    in_library = sum(1 for path in media_root.rglob("*.mkv") if path.is_symlink())
    quarantined = sum(1 for _, _, state in entries if state == "quarantined")
    assert in_library + quarantined == links and files_deleted == quarantined


def _post_ignoring_disconnect(url: str, body: dict) -> None:
    """The confirm request; the server may stop before it answers."""
    try:
        requests.post(url, json=body, timeout=60)
    except requests.ConnectionError:
        pass


def test_a_port_already_in_use_is_said_plainly_and_nothing_starts(env, media_root):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_cli("serve", "--host", "127.0.0.1", "--port", str(port), timeout=60)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in done.stderr
    assert "serving" not in done.stderr
