"""Sonarr/Radarr: connection tests, Docker detection, and the follow-up of a scan's cleanup."""

from flask import jsonify

from linkdoctor.arr import followup
from linkdoctor.arr.connections import run_connection_tests, test_form_instance
from linkdoctor.arr.detect import apply_suggestion
from linkdoctor.arr.detect import detect_services as run_detection
from linkdoctor.clients.docker import DockerError
from linkdoctor.config import config_to_dict, get_config
from linkdoctor.errors import ConflictError
from linkdoctor.media.connections import run_media_server_tests, test_form_server
from linkdoctor.media.refresh import media_refresh_view
from linkdoctor.scans import get_scan
from linkdoctor.web.api.blueprint import bp
from linkdoctor.web.api.inputs import jobs, json_body, positive_id


@bp.post("/test/services")
def test_services():
    """GET system/status on every enabled Sonarr/Radarr: {"services": [{kind, name, url, ok, app, version, message}]}.

    With {"instance": {kind, name, scheme, host, port, url_base, api_key}} only that instance, as the settings
    form holds it, unsaved; a masked key ("********abcd") means the saved key of that instance.
    Each verdict of the saved settings is also kept for the Dashboard (GET /system, "services").
    """
    body = json_body({"instance"})
    if "instance" in body:
        return jsonify(test_form_instance(body["instance"], get_config()))
    return jsonify(run_connection_tests(get_config()))


@bp.post("/test/media-servers")
def test_media_servers():
    """Version and libraries of every enabled Plex/Jellyfin/Emby: {"servers": [{kind, name, ok, version, message}]}.

    With {"server": {kind, name, url, token}} only that server, as the settings form holds it, unsaved; a masked
    token means the saved token of that server."""
    body = json_body({"server"})
    if "server" in body:
        return jsonify(test_form_server(body["server"], get_config()))
    return jsonify(run_media_server_tests(get_config()))


@bp.post("/services/detect")
def detect_services():
    """Sonarr/Radarr containers found through Docker, each verified; nothing is saved."""
    json_body(set())
    try:
        return jsonify(run_detection())
    except DockerError as exc:
        # Not an error of the request: the page shows the message next to an empty list, as a warning
        # ("available": false), never as a success.
        return jsonify({"services": [], "message": exc.message, "available": False})


@bp.post("/services/apply")
def apply_detected():
    """Save a detected container's settings: {"container": name or id}. Its API key is read from the
    container here; the browser only ever sees it masked."""
    body = json_body({"container"})
    try:
        applied = apply_suggestion(body.get("container"))
    except DockerError as exc:
        raise ConflictError(exc.message) from None
    return jsonify({**applied, "config": config_to_dict(get_config())})


@bp.post("/scan/<scan_id>/notify")
def notify_services(scan_id):
    """Send the follow-up of a scan's removals to Sonarr/Radarr again (its links still in the quarantine)."""
    json_body(set())
    scan_id = positive_id(scan_id)
    job_id = followup.retry_followup(jobs(), scan_id)
    return jsonify({"scan_id": scan_id, "job_id": job_id, "state": "started"}), 202


@bp.get("/scan/<scan_id>/services")
def scan_services(scan_id):
    """The scan's latest Sonarr/Radarr follow-up (null when there is none) and its media servers' refresh."""
    scan_id = positive_id(scan_id)
    get_scan(scan_id)  # 404 for an unknown scan
    return jsonify({"scan_id": scan_id, "services": followup.followup_view(scan_id), **media_refresh_view(scan_id)})
