"""One runner for every background job: a persisted row, a thread, a cancel flag, the library lock.

A job is a function `work(ctx) -> dict` run in its own thread inside an app
context. The runner takes the library lock before the row is written and
releases it whatever happens, so an error can never leave the library locked.
Side jobs (SIDE_KINDS: Sonarr/Radarr follow-ups) never touch the library: they
take their own lock instead, in their thread, so they run one at a time and in
order among themselves while scans, restores and repairs go on.
Progress reaches pollers live in this process and through the row (written at
most once a second) in every other one; a cancel asked from another process is
read from the row at the same pace.
"""

import collections
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sqlalchemy import select

from linkdoctor.errors import ConflictError
from linkdoctor.events import JOB_FINISHED, announce
from linkdoctor.locks import FINISHING_SECONDS, SIDE_LOCK_NAME, LibraryLock, busy_error
from linkdoctor.jobs.status import get_job, job_status
from linkdoctor.schema import ensure_database_file
from linkdoctor.models import CANCELLED, COMPLETED, ERROR, INTERRUPTED, JOB_ACTIVE_STATES, PENDING, RUNNING, SIDE_KINDS, \
    WITH_PROBLEMS, Job, db, utcnow

log = logging.getLogger(__name__)
PERSIST_SECONDS = 1.0
ANOTHER_PROCESS_FINISHING = 1.0
SIDE_LOCK_POLL = 0.2  # how often a waiting side job tries its lock again (and reads its cancel)


STOPPED_MESSAGE = "interrupted: linkdoctor was stopped before this job finished"


class JobCancelled(Exception):
    """Raised inside a job's work when its cancel flag is set."""


@dataclass
class Progress:
    """A running job's latest progress, shared between its thread and status polls."""

    fraction: float = 0.0
    phase: str = ""
    message: str = ""


@dataclass
class JobContext:
    """What a job's work function gets: its id, its cancel flag, and a way to report progress."""

    job_id: int
    params: dict
    cancel: threading.Event = field(default_factory=threading.Event)
    # Set when the thread has finished everything, lock released. Waited on instead of
    # Thread.join: a Ctrl-C that interrupts join() can leave the thread looking stopped.
    done: threading.Event = field(default_factory=threading.Event)
    started: float = field(default_factory=time.monotonic)
    live: Progress = field(default_factory=Progress)
    on_progress: Callable[["JobContext"], None] | None = None
    scan_id: int | None = None  # set for scans: the SymlinkScan row this job runs
    snapshot: object = None  # the work's own detailed progress (the scan engine's ScanProgress)
    thread: threading.Thread | None = None
    finishing: bool = False  # set once the work has reported its end (the scan row says completed)
    _persisted: float = 0.0

    def progress(self, fraction: float | None = None, phase: str | None = None, message: str | None = None) -> None:
        """Report progress (0..1); persisted at most once a second, which also reads a remote cancel."""
        if fraction is not None:
            self.live.fraction = max(0.0, min(1.0, fraction))
        if phase is not None:
            self.live.phase = phase
        if message is not None:
            self.live.message = message
        if self.on_progress is not None:
            self.on_progress(self)
        now = time.monotonic()
        if now - self._persisted >= PERSIST_SECONDS:
            self._persisted = now
            self._persist()

    def raise_if_cancelled(self) -> None:
        if self.cancel.is_set():
            raise JobCancelled()

    def _persist(self) -> None:
        job = db.session.get(Job, self.job_id)
        db.session.refresh(job)
        if job.cancel_requested:
            self.cancel.set()
        job.progress, job.phase, job.message = self.live.fraction, self.live.phase, self.live.message[:2000]
        job.heartbeat_at = utcnow()
        db.session.commit()


Work = Callable[[JobContext], dict | None]


def _summary(job: Job) -> str:
    """A job's result in a line, for job_finished: its summary, else its last message."""
    result = job.result or {}
    return str(result.get("summary") or job.message or "")[:500]


class JobRunner:
    """Starts jobs in threads, one at a time per library; every kind has the same status shape."""

    def __init__(self, app, data_dir: Path):
        self.app = app
        self.data_dir = Path(data_dir)
        self.lock = LibraryLock(self.data_dir)
        self._guard = threading.Lock()  # guards _current and _side: start, cancel and status race on them
        self._current: JobContext | None = None
        self._side: dict[int, JobContext] = {}  # side jobs of this process, waiting or running
        self._side_queue: collections.deque[int] = collections.deque()  # waiting side jobs, oldest first
        # Set once when the server is told to stop (SIGTERM): the jobs it cancels end as interrupted.
        self.stopping = threading.Event()

    def start(self, kind: str, work: Work, params: dict | None = None, origin: str = "web",
              prepare: Callable[[Job], None] | None = None,
              on_progress: Callable[[JobContext], None] | None = None) -> JobContext:
        """Take the library lock, write the job row (and what `prepare` adds to it), start the thread.

        What follows a job (Sonarr/Radarr's follow-up of a repair) is a listener of the events it
        announces (linkdoctor.events), never a call made here.
        """
        ensure_database_file(self.app)
        if kind in SIDE_KINDS:
            return self._start_side(kind, work, params, origin, prepare, on_progress)
        current = self._current
        if current is not None and current.finishing:
            current.done.wait(FINISHING_SECONDS)  # its end is reported; it is only tidying up
        with self._guard:
            if self._current is not None and not self._current.done.is_set():
                raise busy_error()
        # The lock file is the arbiter, also between this process's threads. Another process
        # that has just reported its end releases it within moments.
        if not self.lock.acquire(wait=ANOTHER_PROCESS_FINISHING):
            raise busy_error(" in another process")
        try:
            job = self._write_row(kind, params, origin, prepare)
        except BaseException:
            self.lock.release()
            raise
        ctx = JobContext(job.id, dict(params or {}), on_progress=on_progress, scan_id=job.scan_id)
        ctx.thread = threading.Thread(target=self._run, args=(ctx, work), name=f"job-{kind}-{job.id}",
                                      daemon=True)
        with self._guard:
            self._current = ctx
        try:
            ctx.thread.start()
        except BaseException:
            self._finish_row(ctx, ERROR, "the job's thread could not start", None)
            self.lock.release()
            ctx.done.set()
            raise
        return ctx

    def _start_side(self, kind: str, work: Work, params, origin, prepare, on_progress) -> JobContext:
        """A side job: its row at once, its work once the previous side job (of any process) has ended."""
        job = self._write_row(kind, params, origin, prepare, "waiting for the previous Sonarr/Radarr follow-up to end")
        ctx = JobContext(job.id, dict(params or {}), on_progress=on_progress, scan_id=job.scan_id)
        ctx.live.message = job.message
        lock = LibraryLock(self.data_dir, SIDE_LOCK_NAME)
        ctx.thread = threading.Thread(target=self._run, args=(ctx, work, lock), name=f"job-{kind}-{job.id}",
                                      daemon=True)
        with self._guard:
            self._side[ctx.job_id] = ctx
            self._side_queue.append(ctx.job_id)
        try:
            ctx.thread.start()
        except BaseException:
            self._finish_row(ctx, ERROR, "the job's thread could not start", None)
            self._forget_side(ctx.job_id)
            ctx.done.set()
            raise
        return ctx

    @staticmethod
    def _write_row(kind: str, params, origin: str, prepare, message: str = "") -> Job:
        """The job's row (and what `prepare` adds to it), committed; rolled back on any error."""
        try:
            job = Job(kind=kind, state=PENDING, params=params or {}, origin=origin, owner_pid=os.getpid(),
                      message=message)
            db.session.add(job)
            if prepare is not None:
                prepare(job)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        return job

    def _forget_side(self, job_id: int) -> None:
        with self._guard:
            self._side.pop(job_id, None)
            if job_id in self._side_queue:
                self._side_queue.remove(job_id)

    def _wait_for_side_lock(self, ctx: JobContext, lock: LibraryLock) -> None:
        """Wait for this job's turn (the older waiting ones first) and the side lock (the previous follow-up
        ending, in any process); a cancel meanwhile ends the job."""
        while True:
            with self._guard:
                first = self._side_queue[0] == ctx.job_id
            if first and lock.acquire(wait=SIDE_LOCK_POLL):
                with self._guard:
                    self._side_queue.remove(ctx.job_id)  # the next one may now wait for the lock
                return
            if not first:
                time.sleep(SIDE_LOCK_POLL)
            if ctx.cancel.is_set():
                raise JobCancelled()
            job = db.session.get(Job, ctx.job_id)
            db.session.refresh(job)
            if job.cancel_requested:
                raise JobCancelled()
            db.session.rollback()

    def _run(self, ctx: JobContext, work: Work, side_lock: LibraryLock | None = None) -> None:
        state, result = ERROR, None
        lock = side_lock or self.lock
        try:
            with self.app.app_context():
                state, message, result = COMPLETED, "", None
                try:
                    if side_lock is not None:
                        self._wait_for_side_lock(ctx, side_lock)
                    self._mark_running(ctx)
                    result = work(ctx)
                    ctx.finishing = True
                except JobCancelled:
                    state, message = CANCELLED, "cancelled"
                except Exception as exc:  # the row must say what went wrong, never stay "running"
                    log.exception("job %s failed", ctx.job_id)
                    state, message = ERROR, f"{type(exc).__name__}: {exc}"
                finally:
                    db.session.rollback()
                if state == COMPLETED and ctx.cancel.is_set() and result is None:
                    state, message = CANCELLED, "cancelled"
                if state == COMPLETED and isinstance(result, dict) and result.get("problems"):
                    state = WITH_PROBLEMS  # it ended, but not everything went through: its result says why
                if state == CANCELLED and self.stopping.is_set():
                    state, message = INTERRUPTED, STOPPED_MESSAGE
                # Whatever the end, the row is about to say it: a start arriving now waits for the lock.
                ctx.finishing = True
                self._finish_row(ctx, state, message, result)
        except Exception:
            log.exception("job %s could not record its end", ctx.job_id)
        finally:
            lock.release()  # (a side job cancelled while it waited never held it: releasing is a no-op)
            if side_lock is not None:
                self._forget_side(ctx.job_id)
            ctx.done.set()

    def _mark_running(self, ctx: JobContext) -> None:
        job = db.session.get(Job, ctx.job_id)
        job.state, job.started_at, job.message = RUNNING, utcnow(), ""
        db.session.commit()
        ctx.live.message = ""
        ctx.started = time.monotonic()  # a side job may have waited for its turn: that is not run time

    def _finish_row(self, ctx: JobContext, state: str, message: str, result: dict | None) -> None:
        try:
            job = db.session.get(Job, ctx.job_id)
            job.state = state
            job.message = (message or ctx.live.message)[:2000]
            job.phase = ctx.live.phase
            job.progress = 1.0 if state in (COMPLETED, WITH_PROBLEMS) else ctx.live.fraction
            if result is not None:
                job.result = result
            job.finished_at = utcnow()
            # Committed with the job's end: its listeners hear of it even when this process dies now.
            announce(JOB_FINISHED, job_id=job.id, kind=job.kind, state=state, origin=job.origin,
                     scan_id=job.scan_id, summary=_summary(job), params=job.params or {})
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise

    # -- queries and control -----------------------------------------------

    def last_scan(self) -> JobContext | None:
        """The scan job of this process, running or the last one run (its live snapshot stays readable)."""
        with self._guard:
            current = self._current
        return current if current is not None and current.scan_id is not None else None

    def scan_job_id(self, scan_id: int) -> int | None:
        """The job that runs (or ran) a scan; None for a scan started before the job runner existed."""
        return db.session.execute(select(Job.id).where(Job.scan_id == scan_id, Job.kind == "scan")).scalars().first()

    def current(self, job_id: int) -> JobContext | None:
        """The job's context when it is running in this process."""
        with self._guard:
            ctx = self._current if self._current is not None and self._current.job_id == job_id \
                else self._side.get(job_id)
        if ctx is not None and not ctx.done.is_set():
            return ctx
        return None

    def status(self, job_id: int) -> dict:
        """A job's status, live while it runs in this process."""
        job = get_job(job_id)
        db.session.refresh(job)
        data = job_status(job)
        ctx = self.current(job_id)
        if ctx is not None and job.state in JOB_ACTIVE_STATES:
            data.update(progress=round(ctx.live.fraction * 100, 1), phase=ctx.live.phase,
                        message=ctx.live.message, duration=round(time.monotonic() - ctx.started, 3))
        return data

    def cancel(self, job_id: int) -> dict:
        """Ask a job to stop: at once here, within a second or two when it runs in another process."""
        job = get_job(job_id)
        db.session.refresh(job)
        if job.state not in JOB_ACTIVE_STATES:
            raise ConflictError(f"job {job_id} is not running (state {job.state})")
        job.cancel_requested = True
        db.session.commit()
        ctx = self.current(job_id)
        if ctx is not None:
            ctx.cancel.set()
        return {"job_id": job_id, "state": "cancelling"}

    def interrupt(self) -> None:
        """Ask every job of this process to stop as interrupted (the server is stopping).

        Called from a signal handler: it takes no lock, it only sets flags the jobs read.
        """
        self.stopping.set()
        for ctx in [self._current, *list(self._side.values())]:
            if ctx is not None:
                ctx.cancel.set()

    def wait_stopped(self, timeout: float) -> list[int]:
        """Wait up to `timeout` seconds for the interrupted jobs' threads; the ids of those still running."""
        deadline = time.monotonic() + timeout
        with self._guard:
            contexts = [ctx for ctx in [self._current, *self._side.values()] if ctx is not None]
        for ctx in contexts:
            ctx.done.wait(max(0.0, deadline - time.monotonic()))
        return [ctx.job_id for ctx in contexts if not ctx.done.is_set()]

    def wait(self, job_id: int, timeout: float | None = None) -> bool:
        """Block until the job's thread (in this process) ends; False on timeout."""
        ctx = self.current(job_id)
        if ctx is None:
            return True
        return ctx.done.wait(timeout)
