"""The quarantine: restore a scan's links or chosen ones, list it (per scan or all), purge past retention."""

from flask import jsonify, request

from linkdoctor import quarantine
from linkdoctor.arr.blocklist import blocklist_offers, undo_for_link
from linkdoctor.config import RETENTION_DAYS, get_config
from linkdoctor.errors import ValidationError
from linkdoctor.web.api.blueprint import bp
from linkdoctor.web.api.inputs import MAX_ID, followup_of, json_body, page_args, paths_arg, positive_id, settings


@bp.post("/scan/<scan_id>/restore")
def restore_scan(scan_id):
    """Put a scan's quarantined links back where they were: all, or {paths: [...]}."""
    body = json_body({"paths"})
    scan_id = positive_id(scan_id)
    result = quarantine.restore(scan_id, settings().data_dir, paths_arg(body))
    result["services"] = followup_of(result)  # the rescan of the restored items
    result["blocklisted"] = blocklist_offers(result["paths"])  # releases the page offers to take off the blocklist
    if result["conflicts"] and not result["restored"]:
        return jsonify({"error": "conflict", "message": "nothing restored: every path is occupied or gone",
                        **result}), 409
    return jsonify(result)


@bp.get("/scan/<scan_id>/quarantine")
def scan_quarantine(scan_id):
    """The journal of the links a scan removed."""
    scan_id = positive_id(scan_id)
    return jsonify({"scan_id": scan_id, "entries": quarantine.entries_of(scan_id)})


@bp.post("/quarantine/purge")
def purge_quarantine():
    """Delete quarantined links older than {older_than_days} (default: the retention setting)."""
    body = json_body({"older_than_days"})
    days = body.get("older_than_days", get_config().quarantine_retention_days)
    low, high = RETENTION_DAYS
    # Bounded like the setting: 3,652,059 days before today is before year 1 (OverflowError).
    if isinstance(days, bool) or not isinstance(days, int) or not low <= days <= high:
        raise ValidationError(f"older_than_days must be a whole number of days between {low} and {high}",
                              field="older_than_days")
    process = settings()
    return jsonify(quarantine.purge(days, process.data_dir, process.quarantine_dir))


@bp.get("/quarantine")
def quarantine_view():
    """Everything in the quarantine across scans, newest first: ?page=&per_page=&q=."""
    return jsonify(quarantine.quarantine_page(*page_args(),
                                              request.args.get("q") or None,
                                              get_config().quarantine_retention_days))


@bp.post("/quarantine/restore")
def restore_entries():
    """Put chosen quarantined links back, whatever scan removed them: {ids: [...]}."""
    body = json_body({"ids"})
    ids = body.get("ids")
    if not isinstance(ids, list) or not ids or len(ids) > 10_000 or not all(
            isinstance(i, int) and not isinstance(i, bool) and 1 <= i <= MAX_ID for i in ids):
        raise ValidationError("ids must be a non-empty list of quarantine entry ids")
    result = quarantine.restore_entries(ids, settings().data_dir)
    result["services"] = followup_of(result)  # the rescan of the restored items, as a scan's restore has
    result["blocklisted"] = blocklist_offers(result.get("paths", []))
    if result["conflicts"] and not result["restored"]:
        return jsonify({"error": "conflict", "message": "nothing restored: every path is occupied or gone",
                        **result}), 409
    return jsonify(result)


@bp.post("/blocklist/undo")
def undo_blocklist():
    """Take the release blocklisted for a link (when it was removed as corrupted) off Sonarr/Radarr's blocklist."""
    body = json_body({"path"})
    path = body.get("path")
    if not isinstance(path, str) or not path.strip() or len(path) > 4096:
        raise ValidationError("path must be the link's path", field="path")
    return jsonify(undo_for_link(path, get_config().arr_request_timeout))
