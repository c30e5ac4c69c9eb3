"""Repair from the Maintenance tab: list broken links or links of shared wrong targets with their candidates,
page a listing by group, accept choices, list past repairs and undo one or a whole batch; jobs polled via /jobs/<id>."""

from flask import jsonify, request

from linkdoctor.config import get_config
from linkdoctor.errors import ValidationError
from linkdoctor.library.repair import repairs_page, undo_batch, undo_repair
from linkdoctor.library.repair_jobs import proposals_page, start_apply, start_proposals
from linkdoctor.paths import real_root
from linkdoctor.web.api.blueprint import bp
from linkdoctor.web.api.inputs import MAX_ID, followup_of, json_body, jobs, page_args, positive_id, settings


@bp.post("/repair/proposals")
def start_repair_proposals():
    """Start a job listing links to re-point with their ranked candidates: {kind?: broken|shared}; poll /jobs/<job_id>."""
    body = json_body({"kind"})
    ctx = start_proposals(jobs(), body.get("kind", "broken"), origin="web")
    return jsonify({"job_id": ctx.job_id, "state": "pending"}), 202


@bp.get("/repair/proposals/<job_id>")
def page_repair_proposals(job_id):
    """A page of a completed listing: ?group=ready|ambiguous|no_candidate&page=&per_page=, with each group's count."""
    page, per_page = page_args()
    return jsonify(proposals_page(positive_id(job_id, "job id"), request.args.get("group", "ready"), page, per_page))


@bp.post("/repair/apply")
def start_repair_apply():
    """Start a job re-pointing links: {items: [{path, target}]} or {unambiguous: true}, and kind?: broken|shared."""
    body = json_body({"items", "unambiguous", "kind"})
    ctx = start_apply(jobs(), settings().data_dir, body.get("items"), body.get("unambiguous", False),
                      body.get("kind", "broken"), origin="web")
    return jsonify({"job_id": ctx.job_id, "state": "pending"}), 202


@bp.get("/repairs")
def list_repairs():
    """The repairs made so far, newest first, each with its state and batch (its apply job): ?page=&per_page=&job_id=."""
    job_id = request.args.get("job_id")
    page, per_page = page_args()
    data = repairs_page(page, per_page, positive_id(job_id, "job_id") if job_id is not None else None)
    return jsonify({**data, "media_root": real_root(get_config().media_path)})


@bp.post("/repairs/undo")
def undo_repair_batch():
    """Put back the old target of every repair of one batch: {"job_id": N} (the apply job); 404 for no such batch."""
    body = json_body({"job_id"})
    job_id = body.get("job_id")
    if isinstance(job_id, bool) or not isinstance(job_id, int) or not 1 <= job_id <= MAX_ID:
        raise ValidationError(f"job_id must be the id of an apply job, a whole number between 1 and {MAX_ID}",
                              field="job_id", fields={"job_id": "must be a whole number"})
    result = undo_batch(job_id, get_config().media_path, settings().data_dir)
    result["services"] = followup_of(result)  # the links point at their old targets again: their items are rescanned
    return jsonify(result)


@bp.post("/repair/<repair_id>/undo")
def undo_repair_route(repair_id):
    """Put back the old target of one repair: {}."""
    json_body(set())
    entry = undo_repair(positive_id(repair_id, "repair id"), get_config().media_path, settings().data_dir)
    entry["services"] = followup_of(entry)  # the link points at its old target again: its item is rescanned
    return jsonify(entry)
