"""Job rows as JSON-ready status, and what is running now."""

from sqlalchemy import select

from linkdoctor.errors import NotFoundError
from linkdoctor.models import ACTIVE_STATES, JOB_ACTIVE_STATES, SIDE_KINDS, Job, SymlinkScan, db

RECENT_JOBS = 20


def _iso(value):
    return value.isoformat() if value else None


def get_job(job_id: int) -> Job:
    """The job row, or NotFoundError."""
    job = db.session.get(Job, job_id)
    if job is None:
        raise NotFoundError(f"no job with id {job_id}")
    return job


def job_status(job: Job) -> dict:
    """The one status shape every kind of job answers with."""
    duration = None
    if job.started_at is not None:
        end = job.finished_at
        duration = round((end - job.started_at).total_seconds(), 3) if end else None
    return {
        "job_id": job.id, "kind": job.kind, "state": job.state, "phase": job.phase,
        "progress": round((job.progress or 0.0) * 100, 1), "message": job.message,
        "params": job.params or {}, "result": job.result or {}, "origin": job.origin,
        "scan_id": job.scan_id, "cancel_requested": bool(job.cancel_requested),
        "created_at": _iso(job.created_at), "started_at": _iso(job.started_at),
        "finished_at": _iso(job.finished_at), "duration": duration,
    }


def recent_jobs(limit: int = RECENT_JOBS, kind: str | None = None) -> dict:
    """Active jobs and the most recent ones, newest first."""
    query = select(Job).order_by(Job.id.desc())
    if kind:
        query = query.where(Job.kind == kind)
    active = db.session.execute(query.where(Job.state.in_(JOB_ACTIVE_STATES))).scalars().all()
    recent = db.session.execute(query.limit(limit)).scalars().all()
    return {"active": [job_status(j) for j in active], "jobs": [job_status(j) for j in recent]}


def running_scan_id() -> int | None:
    """The newest scan still pending or running, for 409 answers."""
    return db.session.execute(
        select(SymlinkScan.id).where(SymlinkScan.status.in_(ACTIVE_STATES)).order_by(SymlinkScan.id.desc())
    ).scalars().first()


def running_job_id() -> int | None:
    """The newest job still pending or running that holds the library (side jobs never do)."""
    return db.session.execute(
        select(Job.id).where(Job.state.in_(JOB_ACTIVE_STATES), Job.kind.not_in(SIDE_KINDS)).order_by(Job.id.desc())
    ).scalars().first()
