"""The state of the tools, the database, the data folder and Sonarr/Radarr, for the Dashboard."""

from flask import jsonify

from linkdoctor.arr.connections import last_connection_tests
from linkdoctor.config import get_config
from linkdoctor.system import system_status
from linkdoctor.web.api import bp
from linkdoctor.web.api.inputs import settings


@bp.get("/system")
def system():
    """ffprobe and ffmpeg (found, version), database, data folder, linkdoctor's version, and
    each enabled Sonarr/Radarr with its last connection test ("services")."""
    process = settings()
    status = system_status(process.data_dir, process.database_path)
    return jsonify({**status, "services": last_connection_tests(get_config())})
