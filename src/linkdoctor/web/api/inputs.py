"""Reading request input: the JSON body, ids in the URL, numbers in the query string."""

import contextlib
import threading

from flask import current_app, request

from linkdoctor.errors import LinkdoctorError, ValidationError

# Requests that read the library (folder tree, path checks) wait at most a timeout on a mount
# that does not answer; at most this many at once, so that the server's other threads
# (8 in waitress) always remain for pages, settings and status polls.
LIBRARY_REQUESTS = 4
_library_requests = threading.BoundedSemaphore(LIBRARY_REQUESTS)


class LibraryBusyError(LinkdoctorError):
    status_code = 503
    error = "library_busy"


@contextlib.contextmanager
def library_request():
    """Hold one of the few request slots that may wait on the library; 503 when all are taken."""
    if not _library_requests.acquire(blocking=False):
        raise LibraryBusyError("the library is slow to answer (is a mount down?); try again in a few seconds")
    try:
        yield
    finally:
        _library_requests.release()


def json_body(allowed: set[str] | None = None) -> dict:
    """The request's JSON object (empty when there is no body); a clear 400 otherwise."""
    if not request.data:
        return {}
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # deeply nested arrays or objects
        raise ValidationError("the request body is nested too deeply") from None
    if body is None:
        raise ValidationError("the request body must be JSON")
    if not isinstance(body, dict):
        raise ValidationError("the request body must be a JSON object")
    if allowed is not None:
        unknown = set(body) - allowed
        if unknown:
            raise ValidationError(f"unknown field(s): {', '.join(sorted(unknown))}",
                                  fields={name: "unknown field" for name in sorted(unknown)})
    return body


MAX_ID = 2**63 - 1  # SQLite's largest integer


def positive_id(text: str, what: str = "scan id") -> int:
    """An id from the URL: a positive whole number in ASCII digits ("²" passes str.isdigit)."""
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_ID:
        raise ValidationError(f"{what} must be a whole number between 1 and {MAX_ID}, not {text!r}")
    return int(text)


def int_arg(name: str, default: int) -> int:
    """A whole number from the query string, or the default."""
    value = request.args.get(name, "")
    if value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ValidationError(f"{name} must be a whole number, not {value!r}") from None


MAX_PER_PAGE = 500


def page_args() -> tuple[int, int]:
    """?page= (from 1) and ?per_page= (1 to 500, 50 by default)."""
    page, per_page = int_arg("page", 1), int_arg("per_page", 50)
    if page < 1:
        raise ValidationError("page must be 1 or more")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ValidationError(f"per_page must be between 1 and {MAX_PER_PAGE}")
    return page, per_page


def tasks():
    """The scan task manager of this app."""
    return current_app.extensions["linkdoctor.tasks"]


def jobs():
    """The job runner of this app."""
    return current_app.extensions["linkdoctor.jobs"]


def followup_of(result: dict) -> dict:
    """What the Sonarr/Radarr follow-up of a service's change answered (its listener runs off this thread)."""
    from linkdoctor.arr.followup import followup_answer

    return followup_answer(current_app.extensions["linkdoctor.events"], result.pop("event_id", None))


def settings():
    """The process settings (data folder, media path from the environment)."""
    return current_app.config["LINKDOCTOR_SETTINGS"]


def schedule_loop():
    """The schedule loop when this process is `serve`, else None."""
    return current_app.extensions.get("linkdoctor.schedules")
