"""Start-up recovery of work a crash or restart interrupted: removals, scans and jobs."""

from pathlib import Path

from sqlalchemy import select

from linkdoctor import quarantine, scans
from linkdoctor.jobs.lock import SIDE_LOCK_NAME, LibraryLock
from linkdoctor.models import INTERRUPTED, JOB_ACTIVE_STATES, SIDE_KINDS, Job, db, utcnow


def mark_jobs_interrupted(data_dir: Path) -> list[int]:
    """Mark jobs left pending or running by a dead process as interrupted, ended at their last sign of life.

    Called under the library lock, which no live job holds; a side job holds its own lock instead,
    so side jobs are marked only when that one is free too.
    """
    active = select(Job).where(Job.state.in_(JOB_ACTIVE_STATES))
    jobs = list(db.session.execute(active.where(Job.kind.not_in(SIDE_KINDS))).scalars())
    side = LibraryLock(data_dir, SIDE_LOCK_NAME)
    if side.acquire():
        try:
            jobs += db.session.execute(active.where(Job.kind.in_(SIDE_KINDS))).scalars()
        finally:
            side.release()
    for job in jobs:
        job.state = INTERRUPTED
        job.message = "interrupted: the process running this job stopped before it finished"
        # It ran until its last progress save (once a second while it worked).
        job.finished_at = job.heartbeat_at or job.started_at or utcnow()
    db.session.commit()
    return [job.id for job in jobs]


def recover_interrupted(data_dir: Path) -> dict | None:
    """Finish or roll back an interrupted removal, mark interrupted scans and jobs; None when busy."""
    lock = LibraryLock(data_dir)
    if not lock.acquire():
        return None  # another process is working right now: its rows are not stale
    quarantine_dir = Path(data_dir) / "trash" / "orphans"
    try:
        # A new (or lost and recreated) database with links still in the quarantine: make
        # its records again from the journal file, so that they can be restored.
        rebuilt = quarantine.rebuild(quarantine_dir, data_dir) if quarantine.needs_rebuild(quarantine_dir) else None
        journal = quarantine.recover_journal(data_dir, quarantine_dir)
        return {"rebuilt": rebuilt, "journal": journal, "scans": scans.mark_interrupted(),
                "jobs": mark_jobs_interrupted(data_dir)}
    finally:
        lock.release()
