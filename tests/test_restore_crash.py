"""A restore cut by SIGKILL: journalled first, settled at the next start, no link lost or doubled."""

import json
import os
import signal
import subprocess
import sys
import time

from linkdoctor.models import QUARANTINED, QuarantineEntry, SymlinkScan, db
from tests.support.cli import run_cli
from tests.support.waiting import wait_until

LINKS = 5000


def quarantined_library(app, library, env, count: int) -> tuple[int, list[tuple[str, str, str]]]:
    """`count` links moved into the quarantine by a scan, as a confirmed cleanup leaves them."""
    quarantine = env / "trash" / "orphans"
    pairs = []
    with app.app_context():
        scan = SymlinkScan(mode="real", status="completed", files_deleted=count)
        db.session.add(scan)
        db.session.flush()
        for i in range(count):
            link = library.broken(f"Films/F{i:04}/f{i}.mkv")
            place = quarantine / "Films" / f"F{i:04}" / f"f{i}.mkv"
            place.parent.mkdir(parents=True, exist_ok=True)
            target = os.readlink(link)
            os.rename(link, place)
            pairs.append((str(link), str(place), target))
            db.session.add(QuarantineEntry(scan_id=scan.id, original_path=str(link), quarantine_path=str(place),
                                           target=target, category="broken", reason="gone", state=QUARANTINED))
        db.session.commit()
        return scan.id, pairs


def journal_states(env) -> dict[str, str]:
    """The last state the journal file says of each quarantined path."""
    latest = {}
    with open(env / "trash" / "journal.jsonl", encoding="utf-8") as handle:
        for line in handle:
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line torn by the kill
            latest[event["quarantine_path"]] = event["state"]
    return latest


def kill_once_restoring(args: list[str], env, at_least: int, timeout: float = 120.0) -> int:
    """Run `linkdoctor *args`; SIGKILL it once the journal file says `at_least` links came back."""
    journal = env / "trash" / "journal.jsonl"
    child = subprocess.Popen([sys.executable, "-m", "linkdoctor", *args], stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ))
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and child.poll() is None:
            if journal.exists() and journal.read_text(encoding="utf-8", errors="replace").count(
                    '"state": "restored"') >= at_least:
                break
            time.sleep(0.005)  # polling the file the child writes: no other signal crosses the process
    finally:
        workers = child_pids(child.pid)
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    # A worker that was moving a link when its pool's process died finishes that one move, then quits
    # (workers/child.py): count what is on disk once they are gone.
    wait_until(lambda: not any(os.path.exists(f"/proc/{pid}") and not zombie(pid) for pid in workers), timeout=30)
    return child.returncode


def child_pids(pid: int) -> list[int]:
    pids = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return pids  # it ended already
    for task in tasks:
        try:
            pids += [int(p) for p in open(f"/proc/{pid}/task/{task}/children").read().split()]
        except OSError:
            pass  # the thread ended meanwhile
    return pids


def zombie(pid: int) -> bool:
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_sigkill_mid_restore_of_5000_links_loses_none(app, library, env):
    scan_id, pairs = quarantined_library(app, library, env, LINKS)
    returncode = kill_once_restoring(["restore", str(scan_id)], env, at_least=100)
    assert returncode == -signal.SIGKILL  # killed, not finished

    with app.app_context():
        db.session.expire_all()
        states = dict(db.session.execute(db.select(QuarantineEntry.original_path, QuarantineEntry.state)).all())
    # Journal first: the database said "restoring" for every link before the first one moved.
    assert set(states.values()) == {"restoring"}
    back_before_recovery = sum(os.path.lexists(link) for link, _, _ in pairs)
    assert 100 <= back_before_recovery < LINKS  # cut in the middle

    recovered = run_cli("history", timeout=300)  # a command that recovers first, as serve does
    assert recovered.returncode == 0, recovered.stderr

    with app.app_context():
        db.session.expire_all()
        states = dict(db.session.execute(db.select(QuarantineEntry.original_path, QuarantineEntry.state)).all())
        [event] = db.session.execute(db.select(db.text("payload FROM event_outbox WHERE kind = 'library_changed'"))
                                     ).scalars().all()
    journal = journal_states(env)
    restored = set()
    for link, place, target in pairs:
        in_library, in_quarantine = os.path.lexists(link), os.path.lexists(place)
        assert in_library != in_quarantine, link  # in exactly one place
        assert states[link] == ("restored" if in_library else "quarantined"), link
        assert journal[place] == states[link], link  # and the journal file says which
        if in_library:
            assert os.readlink(link) == target  # still the same link
            restored.add(link)
    assert len(restored) == back_before_recovery
    # What recovery finished is announced once, so that Sonarr/Radarr still hear of it.
    payload = json.loads(event) if isinstance(event, str) else event
    assert payload["action"] == "restored" and payload["origin"] == "recovery"
    assert {link["path"] for link in payload["links"]} == restored
