"""Reading request input: the JSON body, ids in the URL, numbers in the query string."""

import contextlib
import threading

from flask import current_app, g, request

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
    refuse_surrogates(body)
    if allowed is not None:
        unknown = set(body) - allowed
        if unknown:
            raise ValidationError(f"unknown field(s): {', '.join(sorted(unknown))}",
                                  fields={name: "unknown field" for name in sorted(unknown)})
    return body


def _has_surrogate(text: str) -> bool:
    # JSON's \ud800 escapes decode to lone surrogates, which no encoder (SQLite, the file system) accepts.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def refuse_surrogates(body: dict) -> None:
    """A 400 naming the field when any text of the body (names included, at any depth) holds a lone surrogate."""
    for name in body:
        if _has_surrogate(name):
            shown = name.encode("utf-8", "backslashreplace").decode()
            raise ValidationError(f"the field name {shown!r} holds a lone surrogate: not text",
                                  field=shown, fields={shown: "must be text without lone surrogates"})
    pending = list(body.items())
    while pending:  # a loop, not recursion: the body may be nested as deep as the JSON parser allowed
        field, value = pending.pop()
        if isinstance(value, dict):
            pending.extend((field, part) for pair in value.items() for part in pair)
        elif isinstance(value, list):
            pending.extend((field, part) for part in value)
        elif isinstance(value, str) and _has_surrogate(value):
            raise ValidationError(f"{field} holds a lone surrogate (\\ud800 to \\udfff): not text",
                                  field=field, fields={field: "must be text without lone surrogates"})


def paths_arg(body: dict) -> list[str] | None:
    """The body's "paths": None when absent or null (the whole library, or every entry), else a list of strings.

    "", false, 0 or {} are not "nothing selected": they are refused, never read as the whole library.
    """
    paths = body.get("paths")
    if paths is None:
        return None
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise ValidationError("paths must be a list of paths (leave it out, or null, for all)", field="paths",
                              fields={"paths": "must be a list of paths, or null"})
    return paths


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
MAX_PAGE = 10**9  # page x per_page stays far below SQLite's largest OFFSET


def page_args() -> tuple[int, int]:
    """?page= (1 to 10^9) and ?per_page= (1 to 500, 50 by default): every paged route reads them here."""
    errors = {}
    values = {}
    for name, default, high in (("page", 1, MAX_PAGE), ("per_page", 50, MAX_PER_PAGE)):
        try:
            values[name] = int_arg(name, default)
        except ValidationError as exc:
            errors[name] = exc.message
            continue
        if not 1 <= values[name] <= high:
            errors[name] = f"{name} must be between 1 and {high}"
    if errors:
        raise ValidationError("; ".join(errors.values()), field=next(iter(errors)), fields=errors)
    return values["page"], values["per_page"]


def tasks():
    """The scan task manager of this app."""
    return current_app.extensions["linkdoctor.tasks"]


def jobs():
    """The job runner of this app."""
    return current_app.extensions["linkdoctor.jobs"]


def followup_of(result: dict) -> dict:
    """What the Sonarr/Radarr follow-up of a service's change answered (its listener runs off this thread)."""
    from linkdoctor.arr.followup import followup_answer

    event_id = result.pop("event_id", None)
    if event_id is not None:
        g.library_changed = True  # links moved: the answer says so (LIBRARY_CHANGED_HEADER), the page's counts refresh
    return followup_answer(current_app.extensions["linkdoctor.events"], event_id)


def settings():
    """The process settings (data folder, media path from the environment)."""
    return current_app.config["LINKDOCTOR_SETTINGS"]


def schedule_loop():
    """The schedule loop when this process is `serve`, else None."""
    return current_app.extensions.get("linkdoctor.schedules")
