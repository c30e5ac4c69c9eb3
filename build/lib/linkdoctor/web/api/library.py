"""The library inventory: start import, check and enrich jobs, page the pending list and a check's results.

Jobs are polled through /jobs/<id> like every other kind.
"""

from flask import jsonify, request

from linkdoctor.errors import NotFoundError, ValidationError
from linkdoctor.jobs.status import get_job
from linkdoctor.library import integrity
from linkdoctor.library.inventory import pending_items
from linkdoctor.library.service import start_check, start_enrich, start_import
from linkdoctor.web.api import bp
from linkdoctor.web.api.inputs import json_body, jobs, page_args, positive_id


@bp.post("/library/import")
def start_library_import():
    """Start an import: {paths?: [...], dry_run?: bool}; poll /jobs/<job_id>."""
    body = json_body({"paths", "dry_run"})
    ctx = start_import(jobs(), body.get("paths") or None, body.get("dry_run", False), origin="web")
    return jsonify({"job_id": ctx.job_id, "state": "pending"}), 202


@bp.post("/library/check")
def start_library_check():
    """Start a check: {verify_hash?: bool}; poll /jobs/<job_id>, then page its results."""
    body = json_body({"verify_hash"})
    ctx = start_check(jobs(), body.get("verify_hash", False), origin="web")
    return jsonify({"job_id": ctx.job_id, "state": "pending"}), 202


@bp.post("/library/enrich")
def start_library_enrich():
    """Start looking the inventory's items up on TMDB: {}; poll /jobs/<job_id>."""
    json_body(set())
    ctx = start_enrich(jobs(), origin="web")
    return jsonify({"job_id": ctx.job_id, "state": "pending"}), 202


@bp.get("/library/check/<job_id>/results")
def check_results(job_id):
    """A page of a check's results: ?category=&page=&per_page= (50 by default), with every category's count."""
    job = get_job(positive_id(job_id, "job id"))
    if job.kind != "check":
        raise NotFoundError(f"job {job.id} is a {job.kind}, not a check")
    category = request.args.get("category") or None
    if category is not None and category not in integrity.CATEGORIES:
        raise ValidationError(f"category must be one of {', '.join(integrity.CATEGORIES)}")
    page, per_page = page_args()
    data = integrity.results_page(job.id, category, page, per_page)
    data.update(state=job.state, result=job.result or {})
    return jsonify(data)


@bp.get("/library/pending")
def library_pending():
    """A page of the items waiting to be identified by hand: ?page=&per_page=."""
    page, per_page = page_args()
    return jsonify(pending_items(page, per_page))
