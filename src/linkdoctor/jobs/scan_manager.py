"""Scans as jobs: `SymlinkTaskManager` validates a scan request and runs it through the job runner.

The scan keeps its own SymlinkScan row and API; its job row (kind "scan",
scan_id set) makes it appear in /api/symlink/jobs with every other kind.
"""

import logging
import shutil
import time
from typing import Callable


from linkdoctor import findings, ignores, quarantine, scans
from linkdoctor.config import get_config
from linkdoctor.errors import ConflictError, ValidationError
from linkdoctor.locks import library_lock
from linkdoctor.jobs.runner import JobCancelled, JobContext, JobRunner
from linkdoctor.models import (
    ACTIVE_STATES, AWAITING_CONFIRMATION, CANCELLED, COMPLETED, DEPTHS, ERROR, INTERRUPTED, MODES, RUNNING,
    SymlinkScan, db, utcnow,
)
from linkdoctor.paths import checked_paths
from linkdoctor.scanner.engine import ScanEngine, ScanProgress, ScanRequest
from linkdoctor.marked_links import take_marked_links
from linkdoctor.workers.pool import SPARES, ScanCancelled

log = logging.getLogger(__name__)
ProgressCallback = Callable[[int, ScanProgress], None]


class SymlinkTaskManager:
    """Starts, tracks and cancels scans; the web routes and the CLI share it."""

    def __init__(self, app, runner: JobRunner):
        self.app = app
        self.runner = runner
        self.data_dir = runner.lock.path.parent

    @property
    def _job(self) -> JobContext | None:
        """The scan job of this process, running or last run."""
        return self.runner.last_scan()

    # -- start -------------------------------------------------------------

    def start_scan(self, paths: list[str] | None, mode: str = "dry-run", depth: str = "basic",
                   origin: str = "web", max_workers: int | None = None,
                   on_progress: ProgressCallback | None = None) -> int:
        """Validate the request, record a pending scan and run it as a job; returns the scan's id."""
        request, config = self._request(paths, depth, max_workers)
        if mode not in MODES:
            raise ValidationError(f"mode must be one of {', '.join(MODES)}")
        # Links Sonarr/Radarr's webhooks marked (renamed, file deleted) are looked at by this scan too.
        request.paths = request.paths + take_marked_links(request.paths, config.media_path)
        selected = request.paths

        def prepare(job) -> None:
            scan = SymlinkScan(mode=mode, verification_depth=depth, selected_paths=selected,
                               origin=origin, owner_pid=job.owner_pid, status="pending")
            db.session.add(scan)
            db.session.flush()
            job.scan_id = scan.id

        def report(ctx: JobContext) -> None:
            if on_progress is not None and ctx.snapshot is not None:
                on_progress(ctx.scan_id, ctx.snapshot)

        params = {"paths": selected, "mode": mode, "verification_depth": depth}
        keep = config.scans_to_keep
        ctx = self.runner.start(
            "scan", lambda ctx: self._run(ctx, request, keep), params=params, origin=origin,
            prepare=prepare, on_progress=report,
        )
        return ctx.scan_id

    def _request(self, paths, depth: str, max_workers) -> tuple[ScanRequest, object]:
        if depth not in DEPTHS:
            raise ValidationError(f"verification_depth must be one of {', '.join(DEPTHS)}")
        if depth == "full" and shutil.which("ffprobe") is None:
            raise ValidationError("verification_depth full needs ffprobe, which is not installed "
                                  "(Debian: apt-get install ffmpeg)")
        if max_workers is not None and (isinstance(max_workers, bool) or not isinstance(max_workers, int)
                                        or not 1 <= max_workers <= 64):
            raise ValidationError("workers must be a whole number between 1 and 64")
        config = get_config()
        if depth == "full" and config.phase2_decode != "off" and shutil.which("ffmpeg") is None:
            raise ValidationError(f"phase2_decode {config.phase2_decode} needs ffmpeg, which is not installed "
                                  "(Debian: apt-get install ffmpeg; or set phase2_decode off)")
        if paths is not None and not isinstance(paths, list):
            raise ValidationError("paths must be a list of paths")
        checked = checked_paths(paths or [config.media_path], config.media_path, config.file_timeout)
        selected = [resolved for _kind, resolved in checked]
        request = ScanRequest(
            paths=list(dict.fromkeys(selected)), verification_depth=depth,
            max_workers=max_workers or config.max_workers,
            small_threshold=config.small_file_threshold, file_timeout=config.file_timeout,
            probe_timeout=config.probe_timeout, include_regular_files=config.include_regular_files,
            source_roots=list(config.source_roots or []),
            phase2_decode=config.phase2_decode, decode_timeout=config.decode_timeout,
            ignores=ignores.scan_rules(),
        )
        return request, config

    # -- the job's work ----------------------------------------------------

    def _run(self, ctx: JobContext, request: ScanRequest, keep: int) -> dict:
        try:
            return self._scan(ctx, request, keep)
        except BaseException as exc:
            # Whatever failed, the scan's row says so instead of staying pending or running.
            db.session.rollback()
            self._mark_failed(ctx.scan_id, f"{type(exc).__name__}: {exc}")
            raise

    def _scan(self, ctx: JobContext, request: ScanRequest, keep: int) -> dict:
        scan = db.session.get(SymlinkScan, ctx.scan_id)
        scan.status, scan.phase = RUNNING, "phase1"
        db.session.commit()

        def progress(snapshot: ScanProgress) -> None:
            ctx.snapshot = snapshot
            ctx.progress(snapshot.progress, snapshot.phase)

        sink = scans.DatabaseSink(ctx.scan_id, on_progress=progress)
        cache = scans.DatabaseVerdictCache()
        engine = ScanEngine(request, sink, cache, ctx.cancel, spares=SPARES)
        status, error, interrupted = COMPLETED, None, False
        try:
            engine.run()
        except ScanCancelled:
            status = CANCELLED
            if self.runner.stopping.is_set():
                # Stopped with the server (SIGTERM): the same "interrupted" a restart gives a crashed scan.
                status, error, interrupted = INTERRUPTED, "interrupted: linkdoctor was stopped before this scan finished", True
        except Exception as exc:  # the scan's row must say what went wrong, not stay "running"
            log.exception("scan %s failed", ctx.scan_id)
            status, error = ERROR, f"{type(exc).__name__}: {exc}"
        finally:
            db.session.rollback()
        try:
            sink.flush()
            cache.flush()
            status = self._finish(ctx, engine, status, error)
        except Exception as exc:
            # A database error at the end must still leave the scan finished, with a reason.
            log.exception("scan %s could not be recorded", ctx.scan_id)
            db.session.rollback()
            status = self._mark_failed(ctx.scan_id, f"{type(exc).__name__}: {exc}")
        scans.rotate_scans(keep)
        if ctx.on_progress is not None:
            ctx.on_progress(ctx)
        if interrupted:
            raise JobCancelled()  # the job's row says interrupted too
        return {"scan_id": ctx.scan_id, "status": status}

    def _finish(self, ctx: JobContext, engine: ScanEngine, status: str, error: str | None) -> str:
        snapshot = engine.snapshot()
        ctx.snapshot = snapshot
        scan = db.session.get(SymlinkScan, ctx.scan_id)
        scans.apply_counters(scan, snapshot.counters)
        scan.warnings = snapshot.warnings
        scan.source_stats = engine.source_stats()
        scan.duration = time.monotonic() - ctx.started
        scan.error_message = error
        scan.finished_at = utcnow()
        if status == COMPLETED and scan.mode == "real":
            quarantine.prepare_confirmation(scan, get_config())
            if quarantine.proposed_findings(scan.id):
                status = AWAITING_CONFIRMATION
        findings.index_findings(scan.id)  # before it shows finished: its pages answer at once from the first
        scan.status = status
        scan.phase = "done" if status != CANCELLED else scan.phase
        scan.progress = 1.0 if status in (COMPLETED, AWAITING_CONFIRMATION) else snapshot.progress
        db.session.commit()
        ctx.finishing = True  # pollers now see the scan finished; a new start waits for the tidying
        return status

    def _mark_failed(self, scan_id: int, reason: str) -> str:
        scan = db.session.get(SymlinkScan, scan_id)
        if scan is not None and scan.status in ACTIVE_STATES + (COMPLETED,):
            scan.status, scan.error_message, scan.finished_at = ERROR, reason[:2000], utcnow()
            db.session.commit()
        return ERROR

    # -- queries and control -----------------------------------------------

    def active_job(self, scan_id: int) -> JobContext | None:
        """The scan's job context while it runs in this process (the runner's, not a copy)."""
        job = self.runner.last_scan()
        return self.runner.current(job.job_id) if job is not None and job.scan_id == scan_id else None

    def status(self, scan_id: int) -> dict:
        """Status, progress, phase, statistics and ETA of a scan, live while it runs here."""
        job = self.active_job(scan_id)
        scan = scans.get_scan(scan_id)
        db.session.refresh(scan)
        data = scans.scan_summary(scan)
        # The live counts exist only while the scan runs here; the keys are always there.
        data.update(progress=round((scan.progress or 0.0) * 100, 1), phase=scan.phase, eta=None,
                    confirmation=quarantine.confirmation_view(scan), discovered=None, checked=None,
                    to_probe=None, probed=None, to_decode=None, decoded=None)
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
        """Ask a running scan to stop (the runner's cancel of its job); it stops within a second or two."""
        scan = scans.get_scan(scan_id)
        db.session.refresh(scan)
        if scan.status not in ACTIVE_STATES:
            raise ConflictError(f"scan {scan_id} is not running (status {scan.status})")
        job_id = self.runner.scan_job_id(scan_id)
        if job_id is None:  # a scan started by a release before the job runner
            raise ConflictError(f"scan {scan_id} runs in another process; cancel it there")
        self.runner.cancel(job_id)  # at once here; read within a second by another process running it
        return {"scan_id": scan_id, "status": "cancelling"}

    def wait(self, scan_id: int, timeout: float | None = None) -> bool:
        """Block until the scan's job ends here (the runner's wait); False on timeout."""
        job = self.active_job(scan_id)
        return True if job is None else self.runner.wait(job.job_id, timeout)

    def exclusive(self):
        """Hold the library lock for a change to the library (kept for callers; services lock themselves)."""
        return library_lock(self.data_dir)
