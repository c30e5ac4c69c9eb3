"""Issue 8, the library half: one test per finding, named after it (2, 3, 5, 6, 7, 8, 9, 11).

Each reproduces what was found against release 0.1.0 and checks it no longer happens,
with real folders, links, FUSE mounts that hang, SQLite files and CLI processes.
"""

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from tests.support.api import real_scan, wait_for_scan
from tests.support.cli import KILLER, run_cli
from tests.support.waiting import wait_until


def cli(*args, timeout=60):
    return run_cli(*args, timeout=timeout)


def confirmed(client, **body) -> dict:
    """A real scan whose proposals were all confirmed (the guard overridden: it is not under test here)."""
    status = real_scan(client, **body)
    answer = client.post(f"/api/symlink/scan/{status['scan_id']}/confirm",
                         json={"token": status["confirmation"]["token"], "force": True})
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


@pytest.fixture
def hung(library, faulty_mount):
    """A folder of the library on a mount whose `dead/` part never answers."""
    backing = library.source / "nas"
    for folder in ("ok", "dead"):
        (backing / folder / "Show").mkdir(parents=True)
        (backing / folder / "Show" / "e1.mkv").write_bytes(b"x" * 4096)
    return faulty_mount(backing, rules=[{"glob": "dead/*", "op": "getattr", "action": "hang"}])


# --- finding 2: the media root is not a lever --------------------------------------------


@pytest.mark.parametrize("folder", ["/", "/etc", "/root", "/usr", "/usr/share", "/var/lib", "/proc", "/boot"])
def test_finding_2_system_folders_are_refused_as_media_root(free_app, media_root, folder):
    if not os.path.isdir(folder):
        pytest.skip(f"{folder} does not exist here")
    client = free_app.test_client()
    answer = client.post("/api/symlink/config", json={"media_path": folder})
    assert answer.status_code == 400 and answer.get_json()["field"] == "media_path"
    assert "system folder" in answer.get_json()["message"]
    assert client.get("/api/symlink/config").get_json()["media_path"] == str(media_root)
    tree = client.get("/api/symlink/directories?depth=1").get_json()
    assert tree["media_root"] == str(media_root)


def test_finding_2_the_data_folder_and_its_parents_are_refused(free_app, env, tmp_path):
    from linkdoctor.config import update_config
    from linkdoctor.errors import ValidationError

    (env / "trash").mkdir(parents=True, exist_ok=True)
    with free_app.app_context():
        for folder in (env, tmp_path, env / "trash"):
            with pytest.raises(ValidationError, match="data folder"):
                update_config({"media_path": str(folder)})


def test_finding_2_a_media_path_from_the_environment_is_read_only(client, media_root, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    config = client.get("/api/symlink/config").get_json()
    assert "LINKDOCTOR_MEDIA_PATH" in config["media_path_locked"]
    answer = client.post("/api/symlink/config", json={"media_path": str(other)})
    assert answer.status_code == 400 and "read-only" in answer.get_json()["message"]
    assert client.post("/api/symlink/config", json={"media_path": str(media_root), "max_workers": 3}).status_code == 200


def test_finding_2_the_environment_cannot_point_the_root_at_etc(env, monkeypatch):
    monkeypatch.setenv("LINKDOCTOR_MEDIA_PATH", "/etc")
    result = cli("scan")
    assert result.returncode == 2 and "system folder" in result.stderr and "Traceback" not in result.stderr


# --- finding 3: restore never writes outside the root ---------------------------------------

def test_finding_3_restore_into_a_folder_swapped_for_a_link_outside_is_refused(client, library, tmp_path):
    bad = library.broken("Esc/Show/bad.mkv")
    result = confirmed(client)
    assert result["removed"] == 1
    outside = tmp_path / "outside"
    outside.mkdir()
    (library.root / "Esc" / "Show").rmdir()
    os.symlink(outside, library.root / "Esc" / "Show")
    answer = client.post(f"/api/symlink/scan/{result['scan_id']}/restore", json={})
    assert answer.status_code == 409
    assert answer.get_json()["conflicts"] == [{"path": str(bad), "reason": "outside the media root"}]
    assert list(outside.iterdir()) == []


def test_finding_3_restore_creates_no_folder_outside_the_root(client, library, tmp_path):
    library.broken("Esc/Deep/Show/bad.mkv")
    result = confirmed(client)
    outside = tmp_path / "outside"
    outside.mkdir()
    import shutil
    shutil.rmtree(library.root / "Esc")
    os.symlink(outside, library.root / "Esc")  # Deep/Show would have been made in there
    answer = client.post(f"/api/symlink/scan/{result['scan_id']}/restore", json={})
    assert answer.status_code == 409 and answer.get_json()["conflicts"][0]["reason"] == "outside the media root"
    assert list(outside.iterdir()) == []


def test_finding_3_restore_recreates_missing_folders_inside_the_root(client, library):
    bad = library.broken("Gone/Show/Season 1/bad.mkv")
    result = confirmed(client)
    import shutil
    shutil.rmtree(library.root / "Gone")
    answer = client.post(f"/api/symlink/scan/{result['scan_id']}/restore", json={})
    assert answer.status_code == 200 and answer.get_json()["restored"] == 1
    assert os.path.islink(bad)


# --- finding 5: no request waits on the library -----------------------------------------------

def test_finding_5_a_hung_folder_is_shown_as_such_in_the_tree(client, library, hung):
    client.post("/api/symlink/config", json={"file_timeout": 1.0})
    os.symlink(hung / "ok", library.root / "Fine")
    (library.root / "NAS").mkdir()
    os.symlink(hung / "dead", library.root / "NAS" / "dead-link")
    library.healthy("Films/a.mkv")
    started = time.monotonic()
    tree = client.get("/api/symlink/directories?depth=2").get_json()
    assert time.monotonic() - started < 15
    assert {child["name"] for child in tree["subdirs"]} >= {"Films", "NAS"}


def test_finding_5_a_path_check_on_a_hung_folder_gives_up_after_the_timeout(client, library, hung):
    client.post("/api/symlink/config", json={"file_timeout": 1.0})
    os.symlink(hung / "dead", library.root / "Dead")  # a folder link into the dead part
    started = time.monotonic()
    answer = client.post("/api/symlink/scan/start", json={"paths": [str(library.root / "Dead" / "Show" / "e1.mkv")]})
    assert time.monotonic() - started < 10
    # A hung mount is a passing state of the machine, not bad input: 503, and the folder is named.
    assert answer.status_code == 503 and answer.get_json()["error"] == "library_not_answering"
    assert "did not answer" in answer.get_json()["message"]
    assert client.post("/api/symlink/scan/start", json={}).status_code == 202  # nothing was left locked


def test_finding_5_a_media_root_whose_own_mount_hangs_answers_503_in_time_then_comes_back(
        client, library, tmp_path, monkeypatch):
    """Not a folder inside the root but the root itself on a dead mount: the requests that resolve it answer
    503 within the root timeout (one lookup waits in the kernel, not one per request), the others answer
    as usual, and everything comes back with the mount."""
    from linkdoctor import paths

    from tests.support.faultmount import FaultyMount, fuse_available

    if not fuse_available()[0]:
        pytest.skip(f"FUSE not available: {fuse_available()[1]}")
    library.healthy("Films/a.mkv")
    scan_id = client.post("/api/symlink/scan/start", json={}).get_json()["scan_id"]
    wait_for_scan(client, scan_id)
    backing = tmp_path / "nas"
    (backing / "dead" / "medias").mkdir(parents=True)
    mount = FaultyMount(backing, tmp_path / "nas-mnt", [{"glob": "dead/*", "op": "getattr", "action": "hang"}])
    monkeypatch.setattr(paths, "ROOT_TIMEOUT", 1.0)
    urls = (f"/api/symlink/scan/{scan_id}/findings", "/api/symlink/ignores", "/api/symlink/directories")
    real = library.root.with_name("medias-real")
    try:
        # The root is now a link onto the dead mount (as when the library lives on an rclone mount).
        os.rename(library.root, real)
        os.symlink(mount.start() / "dead" / "medias", library.root)
        paths.forget_roots()
        for _ in range(2):
            for url in urls:
                started = time.monotonic()
                answer = client.get(url)
                assert time.monotonic() - started < 4, url
                assert answer.status_code == 503 and answer.get_json()["error"] == "media_root_unavailable", url
                assert "did not answer within 1s" in answer.get_json()["message"]
        assert sum(t.name == "media-root-realpath" for t in threading.enumerate()) == 1
        for url in ("/api/symlink/config", "/api/symlink/scans/history", "/ping"):
            assert client.get(url).status_code == 200, url
    finally:
        os.unlink(library.root)
        os.rename(real, library.root)
        mount.stop()  # the mount answers again (here: it is gone), freeing the waiting lookup
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_finding_5_a_new_media_path_on_a_dead_mount_is_refused_in_time(free_app, media_root, tmp_path,
                                                                         monkeypatch):
    from linkdoctor import paths

    from tests.support.faultmount import FaultyMount, fuse_available

    if not fuse_available()[0]:
        pytest.skip(f"FUSE not available: {fuse_available()[1]}")
    (tmp_path / "nas" / "dead" / "library").mkdir(parents=True)
    mount = FaultyMount(tmp_path / "nas", tmp_path / "nas-mnt", [{"glob": "dead/*", "op": "getattr", "action": "hang"}])
    monkeypatch.setattr(paths, "ROOT_TIMEOUT", 1.0)
    client = free_app.test_client()
    try:
        dead = mount.start() / "dead" / "library"
        started = time.monotonic()
        answer = client.post("/api/symlink/config", json={"media_path": str(dead)})
        assert time.monotonic() - started < 4
        assert answer.status_code == 503 and answer.get_json()["error"] == "media_root_unavailable"
        assert client.get("/api/symlink/config").get_json()["media_path"] == str(media_root)  # unchanged
    finally:
        mount.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_finding_5_pages_answer_while_requests_wait_on_a_hung_mount(env, library, hung):
    """The real server (waitress, 8 threads): 8 tree requests into a dead mount leave it answering."""
    (library.root / "NAS").mkdir()
    for i in range(8):
        os.symlink(hung / "dead" / "Show", library.root / "NAS" / f"d{i}")
    assert cli("config", "set", "file_timeout", "2").returncode == 0
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "linkdoctor", "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ))
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(base + "/"), 30, interval=0.2, message="serve did not start")
        paths = [f"{library.root}/NAS/d{i}" for i in range(8)]
        waiting = [threading.Thread(target=lambda p=p: _get(f"{base}/api/symlink/directories?path={p}"))
                   for p in paths]
        for thread in waiting:
            thread.start()
        # Each of the 8 requests is in the server (it has read it) or already answered.
        wait_until(lambda: requests_read_by(port) + sum(not t.is_alive() for t in waiting) >= 8, 30,
                   message=lambda: f"the 8 requests never reached the server ({requests_read_by(port)} read)")
        for url in ("/", "/api/symlink/config", "/api/symlink/scans/history"):
            started = time.monotonic()
            urllib.request.urlopen(base + url, timeout=5).read()
            assert time.monotonic() - started < 1.0, url
        for thread in waiting:
            thread.join(60)
    finally:
        server.terminate()
        server.wait(10)


def _answers(url) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2).read()
        return True
    except OSError:
        return False


def requests_read_by(port: int) -> int:
    """Connections to 127.0.0.1:port that the server has accepted and read everything sent on (Linux)."""
    count = 0
    with open("/proc/net/tcp", encoding="ascii") as table:
        for line in list(table)[1:]:
            local, _remote, state, queues = line.split()[1:5]
            if local == f"0100007F:{port:04X}" and state == "01" and queues.endswith(":00000000"):
                count += 1
    return count


def _get(url):
    try:
        urllib.request.urlopen(url, timeout=60).read()
    except OSError:
        pass  # a 400/503 for the dead folder is expected; only the server's other answers matter


def test_finding_5_a_restore_stuck_on_a_hung_folder_gives_up_and_frees_the_library(client, library, hung):
    client.post("/api/symlink/config", json={"file_timeout": 1.0})
    library.broken("Esc/Show/bad.mkv")
    result = confirmed(client)
    (library.root / "Esc" / "Show").rmdir()
    os.symlink(hung / "dead" / "Show", library.root / "Esc" / "Show")
    started = time.monotonic()
    answer = client.post(f"/api/symlink/scan/{result['scan_id']}/restore", json={})
    assert time.monotonic() - started < 15
    assert answer.status_code == 409 and "did not answer" in answer.get_json()["conflicts"][0]["reason"]
    assert client.post("/api/symlink/quarantine/purge", json={"older_than_days": 30}).status_code == 200


# --- finding 6: a database error never leaves the scan pending and the library locked ----------

def test_finding_6_a_database_error_during_a_scan_ends_it_as_error_and_frees_the_lock(client, library, monkeypatch):
    import sqlalchemy.exc

    from linkdoctor import scans

    library.healthy("Films/a.mkv")
    original = scans.DatabaseSink.persist
    failures = iter([True])

    def fails_once(self, snapshot):
        if next(failures, False):  # fault injection: the first write after the scan row fails
            raise sqlalchemy.exc.OperationalError("UPDATE symlink_scan", {}, Exception("disk I/O error"))
        return original(self, snapshot)

    monkeypatch.setattr(scans.DatabaseSink, "persist", fails_once)
    scan_id = client.post("/api/symlink/scan/start", json={}).get_json()["scan_id"]
    status = wait_for_scan(client, scan_id)
    assert status["status"] == "error" and "disk I/O error" in status["error_message"]
    again = client.post("/api/symlink/scan/start", json={})
    assert again.status_code == 202


# --- finding 7: the journal survives the database ---------------------------------------------

def test_finding_7_a_deleted_database_is_noticed_and_the_quarantine_rebuilt(app, client, library, env):
    from linkdoctor.cli.common import build_app

    bad = [library.broken(f"Films/B{i}/b.mkv") for i in range(3)]
    result = confirmed(client)
    assert result["removed"] == 3
    os.unlink(env / "linkdoctor.db")
    for answer in (client.get("/api/symlink/config"), client.post("/api/symlink/scan/start", json={})):
        assert answer.status_code == 503 and "deleted or replaced" in answer.get_json()["message"]
    assert not (env / "linkdoctor.db").exists()  # not silently recreated
    restarted = build_app(recover=True, web=True)  # what `serve` starts with
    with restarted.app_context():
        from linkdoctor import quarantine

        assert len(quarantine.entries_of(result["scan_id"])) == 3
        restored = quarantine.restore(result["scan_id"], env)
    assert restored["restored"] == 3 and all(os.path.islink(link) for link in bad)


def test_finding_7_quarantine_rebuild_from_the_cli(app, client, library, env):
    from linkdoctor.models import db

    library.broken("Films/B/b.mkv")
    scan_id = confirmed(client)["scan_id"]
    os.unlink(env / "linkdoctor.db")
    with app.app_context():
        db.engine.dispose()  # the server that had it open is stopped
    assert cli("config", "show").returncode == 0  # a new, empty database
    rebuilt = cli("quarantine", "rebuild")
    assert rebuilt.returncode == 0 and "rebuilt 1 quarantine record(s)" in rebuilt.stdout
    restored = cli("restore", str(scan_id))
    assert restored.returncode == 0 and "restored 1 link(s)" in restored.stdout


# --- finding 8: regular files in the quarantine -----------------------------------------------

def test_finding_8_a_quarantined_regular_file_restores_and_purges(client, library, env):
    truncated = library.truncated("cut.mkv")
    regular = library.root / "Films" / "cut.mkv"
    regular.parent.mkdir(parents=True)
    os.rename(truncated, regular)  # a regular media file inside the library, not a link
    client.post("/api/symlink/config", json={"include_regular_files": True})
    result = confirmed(client, verification_depth="full")
    assert result["removed"] == 1 and not regular.exists()
    restored = client.post(f"/api/symlink/scan/{result['scan_id']}/restore", json={}).get_json()
    assert restored["restored"] == 1 and regular.is_file() and not regular.is_symlink()
    result = confirmed(client, verification_depth="full")
    entry = client.get(f"/api/symlink/scan/{result['scan_id']}/quarantine").get_json()["entries"][0]
    assert os.path.isfile(entry["quarantine_path"])
    assert client.post("/api/symlink/quarantine/purge", json={"older_than_days": 0}).get_json()["purged"] == 1
    assert not os.path.lexists(entry["quarantine_path"])


# --- finding 9: a corrupt database is one plain message, with the backup, and exit 2 ------------

@pytest.mark.parametrize("command", [["serve", "--port", "1"], ["history"], ["scan"]])
def test_finding_9_a_corrupt_database_gives_one_plain_line_and_exit_2(env, command):
    from linkdoctor.schema import upgrade_database

    env.mkdir(parents=True, exist_ok=True)
    upgrade_database(env / "linkdoctor.db")
    backups = env / "backups"
    backups.mkdir()
    (backups / "linkdoctor-0002-20261101T000000.db").write_bytes(b"")
    (env / "linkdoctor.db").write_bytes(b"\0garbage" * 512)
    result = cli(*command, timeout=30)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "cannot be read" in result.stderr and "linkdoctor-0002-20261101T000000.db" in result.stderr


# --- finding 11, the library parts -------------------------------------------------------------

def test_finding_11_the_quarantine_of_an_unknown_scan_is_404(client):
    assert client.get("/api/symlink/scan/424242/quarantine").status_code == 404


def test_finding_11_files_deleted_counts_what_is_in_the_quarantine_after_a_crash(app, client, library, env):
    from linkdoctor.cli.common import build_app
    from linkdoctor.models import SymlinkScan, db

    for i in range(150):
        library.broken(f"Films/B{i:03}/b{i}.mkv")
    for i in range(400):  # a healthy majority: the guard lets the removal through
        library.healthy(f"Films/ok{i:03}/ok.mkv", size=2048)
    scan_id = real_scan(client)["scan_id"]
    killed = subprocess.run([sys.executable, "-c", KILLER, str(scan_id), "120"], capture_output=True, text=True,
                            env=dict(os.environ))
    assert killed.returncode < 0, killed.stderr
    restarted = build_app(recover=True)
    with restarted.app_context():
        in_quarantine = sum(1 for p in (env / "trash" / "orphans").rglob("*") if p.is_symlink())
        assert db.session.get(SymlinkScan, scan_id).files_deleted == in_quarantine == 120


def test_finding_11_a_start_right_after_a_scan_reports_completed_is_accepted(client, library):
    library.healthy("Films/a.mkv")
    for _ in range(5):
        scan_id = client.post("/api/symlink/scan/start", json={}).get_json()["scan_id"]
        assert wait_for_scan(client, scan_id)["status"] == "completed"
        # no pause: the scan's thread may still be tidying up
        answer = client.post("/api/symlink/scan/start", json={})
        assert answer.status_code == 202, answer.get_json()
        wait_for_scan(client, answer.get_json()["scan_id"])
