"""Background jobs of every kind: the recent and active ones, one job's status, cancel."""

from flask import jsonify, request

from linkdoctor.errors import ValidationError
from linkdoctor.jobs.status import recent_jobs
from linkdoctor.models import JOB_KINDS
from linkdoctor.web.api import bp
from linkdoctor.web.api.inputs import int_arg, json_body, jobs, positive_id

MAX_JOBS = 200


@bp.get("/jobs")
def list_jobs():
    """Active jobs and the most recent ones (?limit=, ?kind=), newest first."""
    limit = int_arg("limit", 20)
    if not 1 <= limit <= MAX_JOBS:
        raise ValidationError(f"limit must be between 1 and {MAX_JOBS}")
    kind = request.args.get("kind") or None
    if kind is not None and kind not in JOB_KINDS:
        raise ValidationError(f"kind must be one of {', '.join(JOB_KINDS)}")
    return jsonify(recent_jobs(limit, kind))


@bp.get("/jobs/<job_id>")
def job_status(job_id):
    """One job's status: kind, state, phase, progress, message, result, times."""
    return jsonify(jobs().status(positive_id(job_id, "job id")))


@bp.post("/jobs/<job_id>/cancel")
def cancel_job(job_id):
    """Ask a job to stop; it stops within a second or two."""
    json_body(set())
    return jsonify(jobs().cancel(positive_id(job_id, "job id")))
