"""Start-up recovery of work a crash interrupted: removals and restores, scans and jobs, undelivered events."""

from pathlib import Path

from sqlalchemy import select

from linkdoctor import events, quarantine
from linkdoctor.locks import SIDE_LOCK_NAME, LibraryLock
from linkdoctor.models import ACTIVE_STATES, JOB_ACTIVE_STATES, SIDE_KINDS, Job, SymlinkScan, db

INTERRUPTED_MESSAGE = "interrupted: the process running this {what} stopped before it finished"


def mark_interrupted(data_dir: Path) -> dict:
    """Mark the scans and jobs a dead process left pending or running as interrupted, ended at their last
    sign of life; deliver again the events whose follow-up job was cut short. {"scans": [...], "jobs": [...]}.

    Called under the library lock, which no live scan or job holds; a side job (the Sonarr/Radarr
    follow-up) holds its own lock instead, so side jobs are marked only when that one is free too.
    """
    stale = {
        "scans": list(db.session.execute(select(SymlinkScan).where(SymlinkScan.status.in_(ACTIVE_STATES))).scalars()),
        "jobs": list(db.session.execute(select(Job).where(Job.state.in_(JOB_ACTIVE_STATES),
                                                          Job.kind.not_in(SIDE_KINDS))).scalars()),
    }
    side = LibraryLock(data_dir, SIDE_LOCK_NAME)
    if side.acquire():
        try:
            stale["jobs"] += db.session.execute(select(Job).where(Job.state.in_(JOB_ACTIVE_STATES),
                                                                  Job.kind.in_(SIDE_KINDS))).scalars()
        finally:
            side.release()
    for what, rows in stale.items():
        for row in rows:
            row.mark_interrupted(INTERRUPTED_MESSAGE.format(what=what.rstrip("s")))
    events.reopen([job.params["event_id"] for job in stale["jobs"] if (job.params or {}).get("event_id")])
    db.session.commit()
    return {what: [row.id for row in rows] for what, rows in stale.items()}


def recover_interrupted(data_dir: Path) -> dict | None:
    """Finish or roll back interrupted moves, mark interrupted scans and jobs; None when busy."""
    lock = LibraryLock(data_dir)
    if not lock.acquire():
        return None  # another process is working right now: its rows are not stale
    quarantine_dir = Path(data_dir) / "trash" / "orphans"
    try:
        # A new (or lost and recreated) database with links still in the quarantine: make
        # its records again from the journal file, so that they can be restored.
        rebuilt = quarantine.rebuild(quarantine_dir, data_dir) if quarantine.needs_rebuild(quarantine_dir) else None
        journal = quarantine.recover_journal(data_dir, quarantine_dir)
        return {"rebuilt": rebuilt, "journal": journal, **mark_interrupted(data_dir)}
    finally:
        lock.release()
