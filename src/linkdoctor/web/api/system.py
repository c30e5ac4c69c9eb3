"""The state of the tools, the database and the data folder, for the Dashboard."""

from flask import jsonify

from linkdoctor.system import system_status
from linkdoctor.web.api import bp
from linkdoctor.web.api.inputs import settings


@bp.get("/system")
def system():
    """ffprobe and ffmpeg (found, version), database, data folder, linkdoctor's version."""
    process = settings()
    return jsonify(system_status(process.data_dir, process.database_path))
