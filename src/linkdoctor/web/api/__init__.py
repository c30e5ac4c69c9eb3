"""The JSON API under /api/symlink/: thin routes over the services, one module per resource."""

from flask import Blueprint

from linkdoctor.web.errors import register_error_handlers

bp = Blueprint("api", __name__, url_prefix="/api/symlink")
register_error_handlers(bp)

# The route modules register themselves on `bp` when imported.
from linkdoctor.web.api import (  # noqa: E402,F401
    auth, config, ignores, jobs, library, openapi, quarantine, repair, scans, services, setup, system,
)
