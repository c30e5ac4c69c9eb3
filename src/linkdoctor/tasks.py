"""The background task manager: one scan at a time, each in its own thread, cancellable."""

import contextlib
import fcntl
import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from linkdoctor import quarantine, scans
from linkdoctor.errors import ConflictError, ScanAlreadyRunningError, ValidationError
from linkdoctor.models import (
    ACTIVE_STATES, AWAITING_CONFIRMATION, CANCELLED, COMPLETED, DEPTHS, ERROR, MODES, RUNNING,
    SymlinkScan, db, utcnow,
)
from linkdoctor.paths import existing_in_root
from linkdoctor.scanner.engine import ScanEngine, ScanProgress, ScanRequest
from linkdoctor.scanner.pool import ScanCancelled
from linkdoctor.settings import get_config

log = logging.getLogger(__name__)
ProgressCallback = Callable[[int, ScanProgress], None]
FINISHING_SECONDS = 3.0


@dataclass
class ScanJob:
    """A scan running in this process."""

    scan_id: int
    cancel: threading.Event = field(default_factory=threading.Event)
    # Set when the thread has finished everything, lock released. Waited on instead of
    # Thread.join: a Ctrl-C that interrupts join() can leave the thread looking stopped.
    done: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None
    snapshot: ScanProgress | None = None
    started: float = field(default_factory=time.monotonic)


class ScanLock:
    """An exclusive lock file in the data folder: one scan at a time across processes (web and CLI)."""

    def __init__(self, path: Path):
        self.path = path
        self.fd: int | None = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self.fd = fd
        return True

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing the descriptor drops the flock
            self.fd = None


class SymlinkTaskManager:
    """Starts, tracks and cancels scans; the web routes and the CLI share it."""

    def __init__(self, app, data_dir: Path):
        self.app = app
        self.lock = ScanLock(Path(data_dir) / "scan.lock")
        self._guard = threading.Lock()  # guards _job: start, cancel and status race on it
        self._job: ScanJob | None = None

    # -- start -------------------------------------------------------------

    def start_scan(self, paths: list[str] | None, mode: str = "dry-run", depth: str = "basic",
                   origin: str = "web", max_workers: int | None = None,
                   on_progress: ProgressCallback | None = None) -> int:
        """Validate the request, record a pending scan and run it in a new thread; returns its id."""
        if mode not in MODES:
            raise ValidationError(f"mode must be one of {', '.join(MODES)}")
        if depth not in DEPTHS:
            raise ValidationError(f"verification_depth must be one of {', '.join(DEPTHS)}")
        if depth == "full" and shutil.which("ffprobe") is None:
            raise ValidationError("verification_depth full needs ffprobe, which is not installed "
                                  "(Debian: apt-get install ffmpeg)")
        config = get_config()
        if depth == "full" and config.phase2_decode != "off" and shutil.which("ffmpeg") is None:
            raise ValidationError(f"phase2_decode {config.phase2_decode} needs ffmpeg, which is not installed "
                                  "(Debian: apt-get install ffmpeg; or set phase2_decode off)")
        if max_workers is not None and (isinstance(max_workers, bool) or not isinstance(max_workers, int)
                                        or not 1 <= max_workers <= 64):
            raise ValidationError("workers must be a whole number between 1 and 64")
        if paths is not None and not isinstance(paths, list):
            raise ValidationError("paths must be a list of paths")
        selected = [existing_in_root(p, config.media_path) for p in (paths or [config.media_path])]
        selected = list(dict.fromkeys(selected))
        request = ScanRequest(
            paths=selected, verification_depth=depth,
            max_workers=max_workers or config.max_workers,
            small_threshold=config.small_file_threshold, file_timeout=config.file_timeout,
            probe_timeout=config.probe_timeout, include_regular_files=config.include_regular_files,
            source_roots=list(config.source_roots or []),
            phase2_decode=config.phase2_decode, decode_timeout=config.decode_timeout,
        )
        with self._guard:
            if self._job is not None and not self._job.done.is_set():
                raise ScanAlreadyRunningError("a scan is already running", scan_id=self._job.scan_id)
            if not self.lock.acquire():
                raise ScanAlreadyRunningError("a scan is already running in another process",
                                              scan_id=self._running_scan_id())
            try:
                scan = SymlinkScan(mode=mode, verification_depth=depth, selected_paths=selected,
                                   origin=origin, owner_pid=os.getpid(), status="pending")
                db.session.add(scan)
                db.session.commit()
            except Exception:
                self.lock.release()
                raise
            job = ScanJob(scan.id)
            job.thread = threading.Thread(
                target=self._run, args=(job, request, config.scans_to_keep, on_progress),
                name=f"scan-{scan.id}", daemon=True,
            )
            self._job = job
            job.thread.start()
        return job.scan_id

    def _running_scan_id(self) -> int | None:
        return db.session.execute(
            db.select(SymlinkScan.id).where(SymlinkScan.status.in_(ACTIVE_STATES)).order_by(SymlinkScan.id.desc())
        ).scalars().first()

    # -- the worker thread -------------------------------------------------

    def _run(self, job: ScanJob, request: ScanRequest, keep: int, on_progress) -> None:
        try:
            with self.app.app_context():
                self._run_in_context(job, request, keep, on_progress)
        finally:
            self.lock.release()
            job.done.set()

    def _run_in_context(self, job, request, keep, on_progress) -> None:
        scan = db.session.get(SymlinkScan, job.scan_id)
        scan.status, scan.phase = RUNNING, "phase1"
        db.session.commit()

        def progress(snapshot: ScanProgress) -> None:
            job.snapshot = snapshot
            if on_progress is not None:
                on_progress(job.scan_id, snapshot)

        sink = scans.DatabaseSink(job.scan_id, on_progress=progress)
        cache = scans.DatabaseVerdictCache()
        engine = ScanEngine(request, sink, cache, job.cancel)
        status, error = COMPLETED, None
        try:
            engine.run()
        except ScanCancelled:
            status = CANCELLED
        except Exception as exc:  # the scan's row must say what went wrong, not stay "running"
            log.exception("scan %s failed", job.scan_id)
            status, error = ERROR, f"{type(exc).__name__}: {exc}"
        finally:
            db.session.rollback()
            sink.flush()
            cache.flush()
        snapshot = engine.snapshot()
        job.snapshot = snapshot
        scan = db.session.get(SymlinkScan, job.scan_id)
        scans.apply_counters(scan, snapshot.counters)
        scan.warnings = snapshot.warnings
        scan.source_stats = engine.source_stats()
        scan.duration = time.monotonic() - job.started
        scan.error_message = error
        scan.finished_at = utcnow()
        if status == COMPLETED and scan.mode == "real":
            quarantine.prepare_confirmation(scan, get_config())
            if quarantine.proposed_findings(scan.id):
                status = AWAITING_CONFIRMATION
        scan.status = status
        scan.phase = "done" if status != CANCELLED else scan.phase
        scan.progress = 1.0 if status in (COMPLETED, AWAITING_CONFIRMATION) else snapshot.progress
        db.session.commit()
        scans.rotate_scans(keep)
        if on_progress is not None:
            on_progress(job.scan_id, snapshot)

    # -- queries and control -----------------------------------------------

    def active_job(self, scan_id: int) -> ScanJob | None:
        with self._guard:
            job = self._job
        if job is not None and job.scan_id == scan_id and not job.done.is_set():
            return job
        return None

    def status(self, scan_id: int) -> dict:
        """Status, progress, phase, statistics and ETA of a scan, live while it runs here."""
        job = self.active_job(scan_id)
        scan = scans.get_scan(scan_id)
        db.session.refresh(scan)
        data = scans.scan_summary(scan)
        data.update(progress=round((scan.progress or 0.0) * 100, 1), phase=scan.phase, eta=None,
                    confirmation=quarantine.confirmation_view(scan))
        snapshot = job.snapshot if job is not None else None
        if snapshot is not None and scan.status in ACTIVE_STATES:
            data.update(
                progress=round(snapshot.progress * 100, 1), phase=snapshot.phase, eta=snapshot.eta,
                statistics=scan.statistics(snapshot.counters), warnings=snapshot.warnings,
                duration=round(time.monotonic() - job.started, 3),
                discovered=snapshot.discovered, checked=snapshot.checked,
                to_probe=snapshot.to_probe, probed=snapshot.probed,
                to_decode=snapshot.to_decode, decoded=snapshot.decoded,
            )
        return data

    def cancel(self, scan_id: int) -> dict:
        """Ask a running scan to stop; it stops within a second or two."""
        scan = scans.get_scan(scan_id)
        db.session.refresh(scan)
        if scan.status not in ACTIVE_STATES:
            raise ConflictError(f"scan {scan_id} is not running (status {scan.status})")
        job = self.active_job(scan_id)
        if job is None:
            raise ConflictError(f"scan {scan_id} runs in another process; cancel it there")
        job.cancel.set()
        return {"scan_id": scan_id, "status": "cancelling"}

    def wait(self, scan_id: int, timeout: float | None = None) -> bool:
        """Block until the scan's thread ends; False on timeout."""
        job = self.active_job(scan_id)
        if job is None:
            return True
        return job.done.wait(timeout)

    @contextlib.contextmanager
    def exclusive(self):
        """Hold the scan lock for a change to the library (confirm, restore, purge)."""
        job = self._job
        if job is not None:
            job.done.wait(FINISHING_SECONDS)  # a scan that just reported its end is still tidying up
        with self._guard:
            busy = self._job is not None and not self._job.done.is_set()
            if busy or not self.lock.acquire():
                raise ScanAlreadyRunningError("a scan or another change to the library is running; try again when it ends",
                                              scan_id=self._running_scan_id())
        try:
            yield
        finally:
            self.lock.release()

    def recover_interrupted(self, data_dir: Path) -> None:
        """At start-up: finish or roll back an interrupted removal, mark interrupted scans as errors."""
        if not self.lock.acquire():
            return  # another process is working right now: its rows are not stale
        try:
            quarantine.recover_journal(data_dir)
            scans.mark_interrupted()
        finally:
            self.lock.release()
