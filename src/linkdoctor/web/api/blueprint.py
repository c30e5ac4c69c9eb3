"""The API's blueprint, apart from the package so that the route modules import it without a circle."""

from flask import Blueprint

from linkdoctor.web.errors import register_error_handlers

bp = Blueprint("api", __name__, url_prefix="/api/symlink")
register_error_handlers(bp)
