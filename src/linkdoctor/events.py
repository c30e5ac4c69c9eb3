"""What happened, announced by the services; what follows it, done by listeners (beets' send / register_listener).

Two events:
- `library_changed`: links quarantined, restored, purged, repaired or undone; which links (path, old
  and new target), which scan or job, why. Announced by the services that make the change (quarantine,
  library.repair, crash recovery), never by a route or a command.
- `job_finished`: a job's kind, state, result summary and origin. Announced by the job runner.

`announce` adds the event to the session of the change: it is committed with it or not at all (an
outbox). The `EventDispatcher` of the app delivers committed events to the listeners afterwards, in
their order, in its own thread: a listener never runs on a request's thread, and a failing one is
logged and recorded (on the event, and on the job of the change) without undoing or blocking
anything. What a dead process left undelivered is delivered when `serve` starts.
"""

import logging
import os
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Callable

from sqlalchemy import delete, select

from linkdoctor.locks import LibraryLock
from linkdoctor.models import Job, OutboxEvent, db, utcnow

log = logging.getLogger(__name__)

LIBRARY_CHANGED, JOB_FINISHED = "library_changed", "job_finished"
EVENT_KINDS = (LIBRARY_CHANGED, JOB_FINISHED)
# What a library_changed event says was done to its links.
QUARANTINED, RESTORED, PURGED, REPAIRED, UNDONE = "quarantined", "restored", "purged", "repaired", "undone"
ACTIONS = (QUARANTINED, RESTORED, PURGED, REPAIRED, UNDONE)
# What a link of library_changed may also say: the scan that removed it, and why (the finding's category).
LINK_DETAILS = ("scan_id", "category")
EVENTS_KEPT_DAYS = 30  # delivered events older than this are deleted (their outcome is on the jobs)

EVENTS_LOCK_NAME = "events.lock"  # one deliverer at a time across processes: each event is delivered once
SWEEP_SECONDS = 2.0  # how often `serve` looks for events another process committed and did not deliver
ABANDONED_SECONDS = 10.0  # an undelivered event this old was left by a process that died or went away
IDLE_SECONDS = 30.0  # a dispatcher started by a commit (a command, a test app) stops after this long idle
_ANNOUNCED = "linkdoctor.events.announced"
OPEN_BY = "open_by_pid"  # payload key of a change still being made by that process (see open_change)  # session.info key: this transaction carries an event


@dataclass(frozen=True)
class Event:
    """A committed event as a listener gets it."""

    id: int
    kind: str
    payload: dict


Listener = Callable[[Event], dict | None]


def announce(event_kind: str, /, **payload) -> OutboxEvent:
    """Add an event to the current transaction: committed with the change it announces, delivered after."""
    if event_kind not in EVENT_KINDS:
        raise ValueError(f"unknown event {event_kind!r}")
    row = OutboxEvent(kind=event_kind, payload=payload, outcome={})
    db.session.add(row)
    db.session.flush()  # its id: the caller can say which event its change made
    db.session.info[_ANNOUNCED] = True
    return row


def library_changed(action: str, links: list[dict], reason: str, scan_id: int | None = None,
                    job_id: int | None = None, origin: str = "web") -> OutboxEvent | None:
    """Announce a change to these links ({path, old_target, new_target} each); None when none changed."""
    if action not in ACTIONS:
        raise ValueError(f"unknown library change {action!r}")
    if not links:
        return None
    return announce(LIBRARY_CHANGED, action=action, reason=reason, scan_id=scan_id, job_id=job_id, origin=origin,
                    links=[{"path": link["path"], "old_target": link.get("old_target"),
                            "new_target": link.get("new_target"),
                            **{key: link[key] for key in LINK_DETAILS if link.get(key) is not None}}
                           for link in links])


def open_change(action: str, reason: str, job_id: int | None = None, origin: str = "web") -> int:
    """Start a library_changed that grows as a run makes its changes (a repair run): committed now, empty and
    open; each change adds its link in its own transaction (add_to_open_change), and close_change hands it to
    the listeners. A process killed mid-run leaves it open: delivered then with the links it holds."""
    if action not in ACTIONS:
        raise ValueError(f"unknown library change {action!r}")
    row = OutboxEvent(kind=LIBRARY_CHANGED, outcome={}, payload={
        "action": action, "reason": reason, "scan_id": None, "job_id": job_id, "origin": origin, "links": [],
        OPEN_BY: os.getpid()})
    db.session.add(row)
    db.session.commit()
    return row.id


def add_to_open_change(event_id: int, link: dict) -> None:
    """Add one link to an open change, in the caller's transaction (committed with the change it announces)."""
    row = db.session.get(OutboxEvent, event_id)
    row.payload = {**row.payload, "links": [*row.payload["links"], {
        "path": link["path"], "old_target": link.get("old_target"), "new_target": link.get("new_target")}]}


def drop_from_open_change(event_id: int, path: str) -> None:
    """Take a link back out (its change failed), in the caller's transaction."""
    row = db.session.get(OutboxEvent, event_id)
    row.payload = {**row.payload, "links": [link for link in row.payload["links"] if link["path"] != path]}


def close_change(event_id: int) -> OutboxEvent | None:
    """End an open change: delivered from now on, or removed when it holds no link. Commits."""
    row = db.session.get(OutboxEvent, event_id)
    if not row.payload["links"]:
        db.session.delete(row)
        db.session.commit()
        return None
    row.payload = {key: value for key, value in row.payload.items() if key != OPEN_BY}
    db.session.info[_ANNOUNCED] = True
    db.session.commit()
    return row


def _still_open(row: OutboxEvent) -> bool:
    """Whether an event is still being filled by a live process (its owner: this or another process)."""
    owner = (row.payload or {}).get(OPEN_BY)
    if owner is None:
        return False
    try:
        os.kill(owner, 0)
    except ProcessLookupError:
        return False  # its process died mid-run: what it holds is what was changed
    except PermissionError:
        pass
    return True


def changed_paths(event: Event) -> list[str]:
    """The paths of a library_changed event's links."""
    return [link["path"] for link in event.payload.get("links", [])]


class EventDispatcher:
    """Delivers the committed events of one app to its listeners, oldest first, in one thread."""

    def __init__(self, app, data_dir: Path):
        self.app = app
        self.lock = LibraryLock(Path(data_dir), EVENTS_LOCK_NAME)
        self.listeners: dict[str, list[tuple[str, Listener]]] = {kind: [] for kind in EVENT_KINDS}
        self._guard = threading.Lock()  # guards _thread and _sweeping between committers and the thread
        self._thread: threading.Thread | None = None
        self._sweeping = False
        self._woken = threading.Event()
        self._stopping = threading.Event()
        self._delivered = threading.Condition()  # notified after each delivery, for wait_delivered here

    def register_listener(self, kind: str, name: str, listener: Listener) -> None:
        """Call `listener(event)` for each delivered event of `kind`; what it answers is kept under `name`."""
        if kind not in EVENT_KINDS:
            raise ValueError(f"unknown event {kind!r}")
        self.listeners[kind].append((name, listener))

    # -- the thread -------------------------------------------------------

    def start(self) -> None:
        """Deliver what is pending now (recovery) and keep sweeping for what other processes leave: `serve`."""
        with self._guard:
            self._sweeping = True
        self.wake()

    def wake(self) -> None:
        """A transaction carrying an event was committed: deliver it soon (starts the thread if needed)."""
        with self._guard:
            self._woken.set()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="event-dispatcher", daemon=True)
                self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self._woken.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _loop(self) -> None:
        while not self._stopping.is_set():
            woken = self._woken.wait(SWEEP_SECONDS if self._sweeping else IDLE_SECONDS)
            with self._guard:
                if not woken and not self._sweeping:
                    self._thread = None  # idle: a later commit starts a new one
                    return
                self._woken.clear()
            if self._stopping.is_set():
                return
            try:
                with self.app.app_context():
                    self.deliver_pending(only_abandoned=not woken)
            except Exception:
                log.exception("events could not be delivered; trying again")

    # -- delivery ---------------------------------------------------------

    def deliver_pending(self, only_abandoned: bool = False) -> int:
        """Deliver every undelivered event, oldest first; how many. `only_abandoned`: only when the oldest
        was left long enough ago that no live process is about to deliver it."""
        if only_abandoned and not self._oldest_abandoned():
            return 0
        if not self.lock.acquire(wait=ABANDONED_SECONDS):
            return 0  # another process is delivering: it delivers these too
        delivered = 0
        try:
            while not self._stopping.is_set():
                db.session.rollback()  # a fresh read: what other threads and processes committed
                row = next((r for r in db.session.execute(select(OutboxEvent).where(
                    OutboxEvent.delivered_at.is_(None)).order_by(OutboxEvent.id)).scalars()
                    if not _still_open(r)), None)
                if row is None:
                    break
                self._deliver(row)
                delivered += 1
            if delivered:
                self._prune()
        finally:
            db.session.rollback()
            self.lock.release()
        return delivered

    @staticmethod
    def _prune() -> None:
        """Forget events delivered more than EVENTS_KEPT_DAYS ago: one job_finished per job adds up."""
        cutoff = utcnow() - timedelta(days=EVENTS_KEPT_DAYS)
        db.session.execute(delete(OutboxEvent).where(OutboxEvent.delivered_at < cutoff))
        db.session.commit()

    def _oldest_abandoned(self) -> bool:
        db.session.rollback()
        oldest = db.session.execute(select(OutboxEvent.created_at).where(OutboxEvent.delivered_at.is_(None))
                                    .order_by(OutboxEvent.id).limit(1)).scalar()
        return oldest is not None and (utcnow() - oldest).total_seconds() >= ABANDONED_SECONDS

    def _deliver(self, row: OutboxEvent) -> None:
        event = Event(row.id, row.kind, dict(row.payload or {}))
        db.session.rollback()  # the listeners use the session as they like; the row is read again after
        outcome = {}
        for name, listener in self.listeners.get(event.kind, []):
            try:
                outcome[name] = listener(event)
                db.session.commit()
            except Exception as exc:  # logged and recorded; the change it follows stands
                db.session.rollback()
                log.exception("listener %s of event %s (%s) failed", name, event.id, event.kind)
                outcome[name] = {"state": "error", "message": f"{type(exc).__name__}: {exc}"}
                self._record_on_job(event, name, outcome[name]["message"])
        row = db.session.get(OutboxEvent, event.id)
        row.outcome, row.delivered_at = outcome, utcnow()
        db.session.commit()
        with self._delivered:
            self._delivered.notify_all()

    @staticmethod
    def _record_on_job(event: Event, name: str, message: str) -> None:
        """A failed listener is said on the job whose change (or end) it followed, when there is one."""
        job_id = event.payload.get("job_id")
        job = db.session.get(Job, job_id) if job_id else None
        if job is None:
            return
        errors = list((job.result or {}).get("listener_errors", []))
        errors.append({"event_id": event.id, "listener": name, "message": message[:500]})
        job.result = {**(job.result or {}), "listener_errors": errors}
        db.session.commit()

    def wait_delivered(self, event_id: int, timeout: float) -> dict | None:
        """What the listeners answered for this event, once delivered; None when not delivered in time."""
        deadline = time.monotonic() + timeout
        while True:
            db.session.rollback()
            row = db.session.get(OutboxEvent, event_id)
            if row is not None:
                db.session.refresh(row)
                if row.delivered_at is not None:
                    return dict(row.outcome or {})
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            with self._delivered:  # woken by a delivery here; another process's is read at the next look
                self._delivered.wait(min(left, 0.25))


def reopen(event_ids: list[int]) -> None:
    """Deliver these events again (their follow-up was cut by a crash); the caller commits."""
    for event_id in event_ids:
        row = db.session.get(OutboxEvent, event_id)
        if row is not None:
            row.delivered_at = None


def register_listener(app, kind: str, name: str, listener: Listener) -> None:
    """Subscribe `listener` to the app's events of `kind` (what a new integration does, never a route)."""
    app.extensions["linkdoctor.events"].register_listener(kind, name, listener)


def wake_after_commit(session) -> None:
    """SQLAlchemy after_commit hook: a committed transaction that carried an event wakes the dispatcher."""
    if not session.info.pop(_ANNOUNCED, False):
        return
    from flask import current_app, has_app_context

    if has_app_context() and "linkdoctor.events" in current_app.extensions:
        current_app.extensions["linkdoctor.events"].wake()


def forget_after_rollback(session, _previous=None) -> None:
    """A rolled-back transaction's events were never committed: nothing to wake for."""
    session.info.pop(_ANNOUNCED, None)
