"""Repair from the Maintenance tab: list broken links or links of shared wrong targets with their candidates,
accept choices, list past repairs and undo one; jobs polled via /jobs/<id>."""

from flask import jsonify

from linkdoctor.arr.followup import followup_after
from linkdoctor.config import get_config
from linkdoctor.library.repair import repairs_page, undo_repair
from linkdoctor.library.repair_jobs import start_apply, start_proposals
from linkdoctor.paths import real_root
from linkdoctor.web.api import bp
from linkdoctor.web.api.inputs import json_body, jobs, page_args, positive_id, settings


@bp.post("/repair/proposals")
def start_repair_proposals():
    """Start a job listing links to re-point with their ranked candidates: {kind?: broken|shared}; poll /jobs/<job_id>."""
    body = json_body({"kind"})
    ctx = start_proposals(jobs(), body.get("kind", "broken"), origin="web")
    return jsonify({"job_id": ctx.job_id, "state": "pending"}), 202


@bp.post("/repair/apply")
def start_repair_apply():
    """Start a job re-pointing links: {items: [{path, target}]} or {unambiguous: true}, and kind?: broken|shared."""
    body = json_body({"items", "unambiguous", "kind"})
    ctx = start_apply(jobs(), settings().data_dir, body.get("items"), body.get("unambiguous", False),
                      body.get("kind", "broken"), origin="web")
    return jsonify({"job_id": ctx.job_id, "state": "pending"}), 202


@bp.get("/repairs")
def list_repairs():
    """The repairs made so far, newest first, each with its state (repaired or undone): ?page=&per_page=."""
    return jsonify({**repairs_page(*page_args()), "media_root": real_root(get_config().media_path)})


@bp.post("/repair/<repair_id>/undo")
def undo_repair_route(repair_id):
    """Put back the old target of one repair: {}."""
    json_body(set())
    entry = undo_repair(positive_id(repair_id, "repair id"), get_config().media_path, settings().data_dir)
    # The link points at its old target again: Sonarr/Radarr rescan its item, once the lock is free.
    entry["services"] = followup_after(jobs(), 0, [entry["path"]], "restore")
    return jsonify(entry)
