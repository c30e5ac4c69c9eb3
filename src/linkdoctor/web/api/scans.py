"""Scans: start, status, cancel, history, findings, and confirming a real scan's removals."""

from flask import jsonify, request

from linkdoctor import findings, quarantine, scans
from linkdoctor.arr.followup import followup_view
from linkdoctor.config import get_config
from linkdoctor.errors import ValidationError
from linkdoctor.media.refresh import media_refresh_view
from linkdoctor.paths import real_root
from linkdoctor.web.api.blueprint import bp
from linkdoctor.web.api.inputs import (
    followup_of, json_body, library_request, page_args, paths_arg, positive_id, settings, tasks,
)


@bp.post("/scan/start")
def start_scan():
    """Start a scan of the selected folders: {paths[], mode, verification_depth}."""
    body = json_body({"paths", "mode", "verification_depth", "max_workers"})
    paths = paths_arg(body)
    with library_request():  # the selected paths are checked on the library
        scan_id = tasks().start_scan(
            paths or None, mode=body.get("mode", "dry-run"),
            depth=body.get("verification_depth", "basic"), origin="web",
            max_workers=body.get("max_workers"),
        )
    return jsonify({"scan_id": scan_id, "status": "pending"}), 202


@bp.get("/scan/status/<scan_id>")
def scan_status(scan_id):
    """Status, progress, phase, live statistics and ETA of one scan."""
    scan_id = positive_id(scan_id)
    data = tasks().status(scan_id)
    data["services"] = followup_view(scan_id)  # the Sonarr/Radarr follow-up of its removals
    data.update(media_refresh_view(scan_id))  # and the media servers' refresh of the folders they were in
    return jsonify(data)


@bp.post("/scan/cancel/<scan_id>")
def cancel_scan(scan_id):
    """Ask a running scan to stop."""
    return jsonify(tasks().cancel(positive_id(scan_id)))


@bp.get("/scans/history")
def scan_history():
    """The kept scans, newest first."""
    return jsonify({"scans": scans.history()})


@bp.get("/scan/<scan_id>/findings")
def scan_findings(scan_id):
    """A page of a scan's findings: ?category=&page=&per_page=&proposed=&q=&sort=path|category|target&order=."""
    proposed = request.args.get("proposed", "")
    if proposed not in ("", "0", "1", "true", "false"):
        raise ValidationError("proposed must be 1/true or 0/false")
    page = findings.findings_page(
        positive_id(scan_id), request.args.get("category") or None,
        *page_args(),
        None if proposed == "" else proposed in ("1", "true"),
        q=request.args.get("q") or None, sort=request.args.get("sort") or None,
        order=request.args.get("order") or "asc",
    )
    page["media_root"] = real_root(get_config().media_path)  # what the page shows paths relative to
    return jsonify(page)


@bp.post("/scan/<scan_id>/confirm")
def confirm_removal(scan_id):
    """Move the proposed links (or a subset) into the quarantine: {token, paths?, force?}."""
    body = json_body({"token", "paths", "force"})
    if not isinstance(body.get("token"), str) or not body["token"]:
        raise ValidationError("token is required: take it from the scan's status")
    force = body.get("force", False)
    if not isinstance(force, bool):
        raise ValidationError("force must be true or false")
    process = settings()
    scan_id = positive_id(scan_id)
    result = quarantine.confirm(
        scan_id, body["token"], paths_arg(body), force,
        get_config().media_path, process.data_dir, process.quarantine_dir,
    )
    result["services"] = followup_of(result)  # the rescan and search of what was removed
    return jsonify(result)


@bp.post("/scan/<scan_id>/discard")
def discard_proposal(scan_id):
    """Close a real scan's proposal without removing anything (its findings stay)."""
    json_body(set())
    return jsonify(quarantine.discard(positive_id(scan_id), settings().data_dir))


@bp.get("/scan/<scan_id>/findings/<finding_id>")
def finding_details(scan_id, finding_id):
    """One finding in full: the link now, the guard on its source, its ignore rule, its Sonarr/Radarr item."""
    from linkdoctor.details import finding_details

    scan_id, finding_id = positive_id(scan_id), positive_id(finding_id, "finding id")
    with library_request():  # the link is read again, in a worker
        return jsonify(finding_details(scan_id, finding_id))
