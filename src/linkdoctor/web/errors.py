"""One JSON error shape for the API: {"error": code, "message": text}, with the right status."""

import logging

from flask import jsonify, request
from werkzeug.exceptions import HTTPException

from linkdoctor.errors import LinkdoctorError

log = logging.getLogger(__name__)


def error_response(status: int, error: str, message: str, **extra):
    """A JSON error answer."""
    body = {"error": error, "message": message}
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    return response


def _http_error(exc: HTTPException):
    name = (exc.name or "error").lower().replace(" ", "_")
    return error_response(exc.code or 500, name, exc.description or exc.name)


def register_error_handlers(bp) -> None:
    """Make every error of the API answer in the one JSON shape."""

    @bp.errorhandler(LinkdoctorError)
    def handle_linkdoctor_error(exc: LinkdoctorError):
        return error_response(exc.status_code, exc.error, exc.message, **exc.extra)

    @bp.app_errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return handle_http_error(exc)
        # The exception may name SQL statements and paths: it goes to the log, never to the client.
        log.exception("unexpected error answering %s %s", request.method, request.path)
        if request.path.startswith("/api/"):
            return error_response(500, "internal_error", "unexpected error; the details are in the server's log")
        return "unexpected error; the details are in the server's log\n", 500, {"Content-Type": "text/plain"}

    @bp.app_errorhandler(HTTPException)
    def handle_http_error(exc: HTTPException):
        # Unknown URLs under /api/ never reach a blueprint view: answer them in JSON too.
        if request.path.startswith("/api/"):
            return _http_error(exc)
        return exc
