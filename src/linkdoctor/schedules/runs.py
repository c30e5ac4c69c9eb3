"""One run of a schedule: its scan (waiting its turn when the library is busy), then, in real mode, the
unattended removal within its cap, then the jobs that follow it (import, check)."""

import logging
import math
import threading

from linkdoctor.config import get_config
from linkdoctor.errors import ConflictError, LinkdoctorError
from linkdoctor.models import AWAITING_CONFIRMATION, Schedule, SymlinkScan, db, utcnow
from linkdoctor.schedules.service import REAL_SHARE_LIMIT

log = logging.getLogger(__name__)
ORIGIN = "schedule"
BUSY_RETRY_SECONDS = 5.0  # how often a run that found the library busy looks again


def removal_cap(schedule: Schedule, scanned: int) -> int:
    """The most links one unattended run may remove: its max_removals, and never over 10 % of what it scanned."""
    return min(schedule.max_removals, math.floor(scanned * REAL_SHARE_LIMIT))


def _when_free(start, stop: threading.Event):
    """Call `start` until the library is free (ConflictError means another job holds it); None if stopped."""
    while not stop.is_set():
        try:
            return start()
        except ConflictError:
            stop.wait(BUSY_RETRY_SECONDS)
    return None


def run_schedule(app, schedule_id: int, stop: threading.Event, fired_at=None) -> str:
    """Run the schedule once, start to end, in the calling thread; returns what it did in a line."""
    from linkdoctor.library.service import start_check, start_import

    with app.app_context():
        schedule = db.session.get(Schedule, schedule_id)
        if schedule is None:
            return "the schedule was removed"
        manager, runner = app.extensions["linkdoctor.tasks"], app.extensions["linkdoctor.jobs"]
        schedule.last_run_at = fired_at or utcnow()  # the next run is counted from here
        db.session.commit()
        try:
            scan_id = _when_free(lambda: manager.start_scan(schedule.paths or None, schedule.mode, schedule.depth,
                                                            origin=ORIGIN), stop)
        except LinkdoctorError as exc:
            return _record(schedule, None, f"not started: {exc.message}")
        if scan_id is None:
            return _record(schedule, None, "not started: the server is stopping")
        schedule.last_scan_id = scan_id
        db.session.commit()
        while not manager.wait(scan_id, timeout=1.0):
            if stop.is_set():
                return _record(schedule, scan_id, f"scan #{scan_id} left running: the server is stopping")
        db.session.expire_all()
        scan = db.session.get(SymlinkScan, scan_id)
        outcome = f"scan #{scan_id} {scan.status}"
        if scan.status == AWAITING_CONFIRMATION:
            outcome += "; " + unattended_removal(app, schedule, scan)
        for kind, start in (("import", start_import), ("check", start_check)):
            if kind in (schedule.then or []):
                ctx = _when_free(lambda: start(runner, origin=ORIGIN), stop)
                if ctx is None:
                    break
                runner.wait(ctx.job_id)
                outcome += f"; {kind} job #{ctx.job_id}"
        return _record(schedule, scan_id, outcome)


def _record(schedule: Schedule, scan_id: int | None, outcome: str) -> str:
    schedule.last_outcome = outcome[:1000]
    if scan_id is not None:
        schedule.last_scan_id = scan_id
    db.session.commit()
    log.info("schedule %r: %s", schedule.name, outcome)
    return outcome


def unattended_removal(app, schedule: Schedule, scan: SymlinkScan) -> str:
    """Confirm a real-mode scheduled scan's proposal when it stays within the cap; otherwise hold it and say so.

    The guard is never forced: links into a source it blocks stay, and the scan keeps waiting for a person."""
    from linkdoctor import quarantine
    from linkdoctor.notify.service import notify
    from linkdoctor.quarantine.proposals import confirmation_view

    view = confirmation_view(scan)
    removable = view["proposed"] - view["blocked"]
    cap = removal_cap(schedule, scan.total_analyzed)
    blocked = [v for v in view["sources"] if v.get("blocked")]
    if blocked:
        notify(app, "source_down", f"linkdoctor: {len(blocked)} source(s) look down",
               "\n".join(f"{v['source']}: {v['reason']} ({v['proposed']} link(s) kept)" for v in blocked),
               link=f"#/scanner/scan/{scan.id}")
    if removable > cap:
        reason = (f"held back: {removable} link(s) to remove is over this schedule's cap of {cap} "
                  f"(max_removals {schedule.max_removals}, at most 10% of the {scan.total_analyzed} scanned); "
                  "nothing removed, the proposal waits for you")
        scan.warnings = list(scan.warnings or []) + [reason]
        db.session.commit()
        notify(app, "held_back", f"linkdoctor: scheduled scan #{scan.id} held back", reason,
               link=f"#/scanner/scan/{scan.id}")
        return reason
    if removable == 0:
        reason = "nothing removed: every proposed link is into a source the guard holds; the proposal waits for you"
        if blocked:
            notify(app, "held_back", f"linkdoctor: scheduled scan #{scan.id} held back by the guard", reason,
                   link=f"#/scanner/scan/{scan.id}")
        return reason
    settings = app.config["LINKDOCTOR_SETTINGS"]
    result = quarantine.confirm(scan.id, view["token"], None, False, get_config().media_path, settings.data_dir,
                                settings.quarantine_dir)
    return f"removed {result['removed']} link(s) into the quarantine" + (
        f", {len(result['skipped'])} left alone" if result["skipped"] else "")
