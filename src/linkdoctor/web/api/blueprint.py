"""The API's blueprint, apart from the package so that the route modules import it without a circle."""

from flask import Blueprint, g

from linkdoctor.web.errors import register_error_handlers

bp = Blueprint("api", __name__, url_prefix="/api/symlink")
register_error_handlers(bp)

# Set on the answer of a request that moved, restored or repaired links: the page refreshes its counts.
LIBRARY_CHANGED_HEADER = "X-Linkdoctor-Library-Changed"


@bp.after_request
def _say_library_changed(response):
    if g.get("library_changed"):
        response.headers[LIBRARY_CHANGED_HEADER] = "1"
    return response
