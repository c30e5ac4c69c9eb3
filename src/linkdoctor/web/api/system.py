"""The state of the tools, the database, the data folder and Sonarr/Radarr, for the Dashboard."""

from flask import jsonify

from linkdoctor.arr.connections import last_connection_tests
from linkdoctor.config import get_config
from linkdoctor.system import system_status
from linkdoctor.web.api.blueprint import bp
from linkdoctor.web.api.inputs import settings


@bp.get("/system")
def system():
    """ffprobe and ffmpeg (found, version), database, data folder, linkdoctor's version, and
    each enabled Sonarr/Radarr with its last connection test ("services")."""
    process = settings()
    status = system_status(process.data_dir, process.database_path)
    return jsonify({**status, "services": last_connection_tests(get_config())})


@bp.get("/health")
def health():
    """Open like /ping, saying nothing secret (source paths only to a signed-in caller): each part's state;
    200 when all are well, 503 otherwise. Reads only what is known now: a dead mount never makes it wait."""
    from flask import current_app

    from linkdoctor.health import health_report
    from linkdoctor.web.auth import authenticated

    report = health_report(current_app, show_paths=authenticated())
    return jsonify(report), 200 if report["status"] == "ok" else 503
