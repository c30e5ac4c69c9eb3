"""The quarantine: restore a scan's links or chosen ones, list it (per scan or all), purge past retention."""

from flask import jsonify, request

from linkdoctor import quarantine
from linkdoctor.arr.blocklist import blocklist_offers, undo_for_link
from linkdoctor.config import RETENTION_DAYS, get_config
from linkdoctor.errors import ValidationError
from linkdoctor.paths import real_root
from linkdoctor.scanner.checks import PROBLEM_CATEGORIES
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


def _filter_args() -> tuple:
    """?q=&scan_id=&category= of the quarantine view (scan 0: what repair-links moved aside)."""
    scan_id = request.args.get("scan_id", "")
    if scan_id != "" and not (scan_id.isascii() and scan_id.isdigit() and int(scan_id) <= MAX_ID):
        raise ValidationError(f"scan_id must be a whole number between 0 and {MAX_ID}, not {scan_id!r}",
                              field="scan_id", fields={"scan_id": "must be a whole number"})
    category = request.args.get("category") or None
    if category is not None and category not in PROBLEM_CATEGORIES:
        raise ValidationError(f"category must be one of {', '.join(PROBLEM_CATEGORIES)}", field="category",
                              fields={"category": "unknown category"})
    return request.args.get("q") or None, int(scan_id) if scan_id else None, category


@bp.get("/quarantine")
def quarantine_view():
    """Everything in the quarantine across scans, newest first: ?page=&per_page=&q=&scan_id=&category=."""
    page, per_page = page_args()
    q, scan_id, category = _filter_args()
    data = quarantine.quarantine_page(page, per_page, q, get_config().quarantine_retention_days, scan_id, category)
    return jsonify({**data, "media_root": real_root(get_config().media_path)})  # the page shows paths relative to it


@bp.get("/quarantine/ids")
def quarantine_ids():
    """The ids of every quarantined link a filter matches (?q=&scan_id=&category=): select all of the filtered rows."""
    return jsonify(quarantine.quarantined_ids(*_filter_args()))


@bp.post("/quarantine/restore")
def restore_entries():
    """Put chosen quarantined links back, whatever scan removed them: {ids: [...]}."""
    body = json_body({"ids"})
    ids = body.get("ids")
    if not isinstance(ids, list) or not ids or len(ids) > 10_000 or not all(
            isinstance(i, int) and not isinstance(i, bool) and 1 <= i <= MAX_ID for i in ids) or \
            len(ids) > quarantine.RESTORE_AT_ONCE:
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
