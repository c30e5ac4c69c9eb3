"""The JSON API under /api/symlink/: thin routes over the services."""

from flask import Blueprint, current_app, jsonify, request

from linkdoctor import quarantine, scans
from linkdoctor.errors import NotImplementedYetError, ValidationError
from linkdoctor.library.tree import directory_tree
from linkdoctor.settings import config_to_dict, get_config, update_config
from linkdoctor.web.errors import register_error_handlers

bp = Blueprint("api", __name__, url_prefix="/api/symlink")
register_error_handlers(bp)


def _tasks():
    return current_app.extensions["linkdoctor.tasks"]


def _json_body() -> dict:
    """The request's JSON object; a clear 400 when it is not one."""
    if not request.data:
        return {}
    body = request.get_json(silent=True)
    if body is None:
        raise ValidationError("the request body must be JSON")
    if not isinstance(body, dict):
        raise ValidationError("the request body must be a JSON object")
    return body


def _scan_id(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise ValidationError(f"scan id must be a positive whole number, not {text!r}")
    return int(text)


def _int_arg(name: str, default: int) -> int:
    value = request.args.get(name, "")
    if value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ValidationError(f"{name} must be a whole number, not {value!r}") from None


@bp.get("/config")
def get_configuration():
    """The library settings, API keys masked."""
    return jsonify(config_to_dict(get_config()))


@bp.post("/config")
def post_configuration():
    """Change settings; every value is validated before any is saved."""
    return jsonify(config_to_dict(update_config(_json_body())))


@bp.get("/directories")
def get_directories():
    """The folder tree under the media root with symlink counts."""
    depth = _int_arg("depth", 2)
    return jsonify(directory_tree(get_config().media_path, request.args.get("path") or None, depth))


@bp.post("/scan/start")
def start_scan():
    """Start a scan of the selected folders: {paths[], mode, verification_depth}."""
    body = _json_body()
    unknown = set(body) - {"paths", "mode", "verification_depth", "max_workers"}
    if unknown:
        raise ValidationError(f"unknown field(s): {', '.join(sorted(unknown))}")
    paths = body.get("paths")
    if paths is not None and (not isinstance(paths, list) or not all(isinstance(p, str) for p in paths)):
        raise ValidationError("paths must be a list of strings")
    scan_id = _tasks().start_scan(
        paths or None, mode=body.get("mode", "dry-run"),
        depth=body.get("verification_depth", "basic"), origin="web",
        max_workers=body.get("max_workers"),
    )
    return jsonify({"scan_id": scan_id, "status": "pending"}), 202


@bp.get("/scan/status/<scan_id>")
def scan_status(scan_id):
    """Status, progress, phase, live statistics and ETA of one scan."""
    return jsonify(_tasks().status(_scan_id(scan_id)))


@bp.post("/scan/cancel/<scan_id>")
def cancel_scan(scan_id):
    """Ask a running scan to stop."""
    return jsonify(_tasks().cancel(_scan_id(scan_id)))


@bp.get("/scans/history")
def scan_history():
    """The kept scans, newest first."""
    return jsonify({"scans": scans.history()})


@bp.get("/scan/<scan_id>/findings")
def scan_findings(scan_id):
    """A page of a scan's findings: ?category=&page=&per_page=&proposed=."""
    proposed = request.args.get("proposed", "")
    if proposed not in ("", "0", "1", "true", "false"):
        raise ValidationError("proposed must be 1/true or 0/false")
    return jsonify(scans.findings_page(
        _scan_id(scan_id), request.args.get("category") or None,
        _int_arg("page", 1), _int_arg("per_page", 50),
        None if proposed == "" else proposed in ("1", "true"),
    ))


def _settings():
    return current_app.config["LINKDOCTOR_SETTINGS"]


@bp.post("/scan/<scan_id>/confirm")
def confirm_removal(scan_id):
    """Move the proposed links (or a subset) into the quarantine: {token, paths?, force?}."""
    body = _json_body()
    unknown = set(body) - {"token", "paths", "force"}
    if unknown:
        raise ValidationError(f"unknown field(s): {', '.join(sorted(unknown))}")
    if not isinstance(body.get("token"), str) or not body["token"]:
        raise ValidationError("token is required: take it from the scan's status")
    force = body.get("force", False)
    if not isinstance(force, bool):
        raise ValidationError("force must be true or false")
    settings = _settings()
    with _tasks().exclusive():
        result = quarantine.confirm(
            _scan_id(scan_id), body["token"], body.get("paths"), force,
            get_config().media_path, settings.data_dir, settings.quarantine_dir,
        )
    return jsonify(result)


@bp.post("/scan/<scan_id>/restore")
def restore_scan(scan_id):
    """Put a scan's quarantined links back where they were: all, or {paths: [...]}."""
    body = _json_body()
    unknown = set(body) - {"paths"}
    if unknown:
        raise ValidationError(f"unknown field(s): {', '.join(sorted(unknown))}")
    with _tasks().exclusive():
        result = quarantine.restore(_scan_id(scan_id), _settings().data_dir, body.get("paths"))
    status = 409 if result["conflicts"] and not result["restored"] else 200
    if status == 409:
        return jsonify({"error": "conflict", "message": "nothing restored: every path is occupied or gone",
                        **result}), 409
    return jsonify(result)


@bp.get("/scan/<scan_id>/quarantine")
def scan_quarantine(scan_id):
    """The journal of the links a scan removed."""
    return jsonify({"scan_id": _scan_id(scan_id), "entries": quarantine.entries_of(_scan_id(scan_id))})


@bp.post("/quarantine/purge")
def purge_quarantine():
    """Delete quarantined links older than {older_than_days} (default: the retention setting)."""
    body = _json_body()
    days = body.get("older_than_days", get_config().quarantine_retention_days)
    settings = _settings()
    with _tasks().exclusive():
        return jsonify(quarantine.purge(days, settings.data_dir, settings.quarantine_dir))


@bp.post("/test/services")
def test_services():
    """Connection test for Sonarr/Radarr: not built yet."""
    raise NotImplementedYetError("testing Sonarr/Radarr connections is not available yet")


@bp.post("/services/detect")
def detect_services():
    """Docker auto-detection of Sonarr/Radarr: not built yet."""
    raise NotImplementedYetError("detecting Sonarr/Radarr through Docker is not available yet")
