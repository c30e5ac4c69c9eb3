"""One JSON error shape for the API: {"error": code, "message": text}, with the right status."""

import errno
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


# What SQLite and the OS say when the data folder cannot be written (a read-only remount, a full
# disk, permissions): a state of the machine the user can fix, not a bug of ours.
_SQLITE_DATA_FOLDER = ("readonly database", "unable to open database file", "disk i/o error", "database or disk is full")
_OS_DATA_FOLDER = (errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EDQUOT)


def data_folder_problem(exc: Exception) -> str | None:
    """A plain message when `exc` says the data folder cannot be written, else None."""
    from flask import current_app

    settings = current_app.config.get("LINKDOCTOR_SETTINGS")
    folder = settings.data_dir if settings is not None else "the data folder"
    cause = getattr(exc, "orig", None) or exc
    if isinstance(cause, OSError) and cause.errno in _OS_DATA_FOLDER:
        why = cause.strerror
    elif type(cause).__name__ in ("OperationalError", "DatabaseError") and any(
            text in str(cause).lower() for text in _SQLITE_DATA_FOLDER):
        why = str(cause).splitlines()[0]
    else:
        return None
    return (f"linkdoctor cannot write its data folder {folder} ({why}); nothing was changed. "
            f"Make it writable again (a read-only remount? a full disk?) and retry.")


def register_error_handlers(bp) -> None:
    """Make every error of the API answer in the one JSON shape."""

    @bp.errorhandler(LinkdoctorError)
    def handle_linkdoctor_error(exc: LinkdoctorError):
        return error_response(exc.status_code, exc.error, exc.message, **exc.extra)

    @bp.app_errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return handle_http_error(exc)
        unwritable = data_folder_problem(exc)
        if unwritable is not None:
            log.error("data folder problem answering %s %s: %s", request.method, request.path, exc)
            return error_response(503, "data_folder_unavailable", unwritable)
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
