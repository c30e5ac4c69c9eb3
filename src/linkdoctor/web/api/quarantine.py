"""The quarantine: restore a scan's links, list a scan's journal, purge past retention."""

from flask import jsonify

from linkdoctor import quarantine
from linkdoctor.arr.followup import after_restore
from linkdoctor.config import get_config
from linkdoctor.web.api import bp
from linkdoctor.web.api.inputs import jobs, json_body, positive_id, settings


@bp.post("/scan/<scan_id>/restore")
def restore_scan(scan_id):
    """Put a scan's quarantined links back where they were: all, or {paths: [...]}."""
    body = json_body({"paths"})
    scan_id = positive_id(scan_id)
    result = quarantine.restore(scan_id, settings().data_dir, body.get("paths"))
    # Rescans of the restored items, once restore has released the library lock.
    result["services"] = after_restore(jobs(), scan_id, result)
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
    process = settings()
    return jsonify(quarantine.purge(days, process.data_dir, process.quarantine_dir))
