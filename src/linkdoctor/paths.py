"""The media-root guard: every user-given path is resolved and must stay inside the root."""

import contextlib
import os
import threading
import time
from pathlib import Path

from linkdoctor.errors import LibraryNotAnsweringError, MediaRootUnavailableError, PathOutsideRootError, ValidationError

ROOT_TIMEOUT = 10.0  # how long the media root's own folders may take to answer
ROOT_KEPT = 5.0  # seconds a resolved root is reused (pages poll every second or two)
# A bulkhead for the server's request threads (waitress has 8): at most WAIT_SLOTS of them wait on the
# library's folders at once, so a hung mount can never take every thread and /ping, the settings and
# the rest of the UI keep answering. A caller beyond that is refused at once (503), not queued.
WAIT_SLOTS = 4
ROOT_WAIT_SLOTS = 2  # the same for the media root's own lookup (4 + 2 leave waitress 2 threads at the worst)
PATH_WAIT_MAX = 10.0  # the longest a path check waits, whatever file_timeout says (a check is a few lookups)
HUNG_KEPT = 30.0  # a folder that did not answer is refused at once for this long, not waited on again
_wait_slots = threading.BoundedSemaphore(WAIT_SLOTS)
_root_wait_slots = threading.BoundedSemaphore(ROOT_WAIT_SLOTS)
_hung: dict[str, float] = {}  # folder -> until when it is refused without a look (monotonic)
_hung_guard = threading.Lock()
_roots: dict[str, tuple[str, float]] = {}  # media root -> (resolved, when)
_lookups: dict[str, "_RootLookup"] = {}  # media root -> the lookup under way
_roots_guard = threading.Lock()


class _RootLookup:
    """os.path.realpath of a root in a daemon thread: a caller can stop waiting for it, the thread cannot."""

    def __init__(self, path: str):
        self.done = threading.Event()
        self.resolved: str | None = None
        self.error: BaseException | None = None
        threading.Thread(target=self._run, args=(path,), name="media-root-realpath", daemon=True).start()

    def _run(self, path: str) -> None:
        try:
            self.resolved = os.path.realpath(path)
        except BaseException as exc:  # handed to the caller
            self.error = exc
        finally:
            self.done.set()


def real_root(media_root: str | os.PathLike) -> str:
    """The media root with every symlink in it resolved, without ever holding the caller on a dead mount.

    Resolving reads each folder of the root's path; when the root's own mount stops answering, the
    caller (a request thread, a scan) gets MediaRootUnavailableError after ROOT_TIMEOUT instead of
    waiting with it. One lookup at a time per root: a hung one keeps one thread in the kernel, not
    one per request. A resolved root is reused for ROOT_KEPT seconds.
    """
    key = os.fspath(media_root)
    with _roots_guard:
        known = _roots.get(key)
        if known is not None and time.monotonic() - known[1] < ROOT_KEPT:
            return known[0]
        lookup = _lookups.get(key)
        if lookup is None or lookup.done.is_set():  # (one that ended after its callers gave up is old news)
            lookup = _lookups[key] = _RootLookup(key)
    if not lookup.done.is_set():
        # Waiting takes one of ROOT_WAIT_SLOTS places: a dead root never holds every request thread.
        if not _root_wait_slots.acquire(timeout=0.2):
            raise MediaRootUnavailableError(f"the media root {key} has not answered yet and {ROOT_WAIT_SLOTS} "
                                            "requests already wait for it (is its mount down?); try again later")
        try:
            answered = lookup.done.wait(ROOT_TIMEOUT)
        finally:
            _root_wait_slots.release()
        if not answered:
            raise MediaRootUnavailableError(f"the media root {key} did not answer within {ROOT_TIMEOUT:g}s "
                                            "(is its mount down?); try again when it is back")
    with _roots_guard:
        if _lookups.get(key) is lookup:
            del _lookups[key]
        if lookup.error is None:
            _roots[key] = (lookup.resolved, time.monotonic())
    if lookup.error is not None:
        raise lookup.error
    return lookup.resolved


@contextlib.contextmanager
def waiting_on_the_library():
    """Hold one of the WAIT_SLOTS places for work that waits on the library's folders (in workers)."""
    if not _wait_slots.acquire(timeout=0.2):
        raise LibraryNotAnsweringError(f"{WAIT_SLOTS} requests are already waiting on folders of the library "
                                       "(is a mount inside it down?); try again in a moment")
    try:
        yield
    finally:
        _wait_slots.release()


def _hung_folder_of(candidate: str) -> str | None:
    """The folder of `candidate` (or above it) that recently did not answer, if any."""
    now = time.monotonic()
    with _hung_guard:
        for folder, until in list(_hung.items()):
            if until <= now:
                del _hung[folder]
            elif is_inside(candidate, folder):
                return folder
    return None


def _remember_hung(candidate: str) -> None:
    with _hung_guard:
        if len(_hung) < 1000:
            _hung[os.path.dirname(candidate) or candidate] = time.monotonic() + HUNG_KEPT


def forget_roots() -> None:
    """Resolve every media root again on its next use (a root was moved or replaced)."""
    with _roots_guard:
        _roots.clear()


def is_inside(path: str, root: str) -> bool:
    """True when `path` is `root` or lies below it (both already normalised)."""
    return path == root or path.startswith(root.rstrip("/") + "/")


def without_following_last(path: str | os.PathLike) -> str:
    """The path with every link in its folders resolved, the last component (a link itself) kept."""
    path = os.path.abspath(path)
    return os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))


def resolve_in_root(user_path: str, media_root: str | os.PathLike) -> str:
    """An absolute path for `user_path` (absolute, or relative to the root), refused outside the root.

    The last component is not followed: a selected symlink stays the link itself,
    while `..` and links in the folders above it are resolved before the check.
    """
    if not isinstance(user_path, str) or not user_path.strip():
        raise ValidationError("a path must be a non-empty string")
    if "\x00" in user_path:
        raise ValidationError("a path cannot contain a NUL byte")
    root = real_root(media_root)
    candidate = Path(user_path) if os.path.isabs(user_path) else Path(root, user_path)
    candidate = Path(os.path.abspath(candidate))
    if str(candidate) == root or candidate == Path(os.path.abspath(media_root)):
        return root
    resolved = without_following_last(candidate)
    if not is_inside(resolved, root):
        raise PathOutsideRootError(f"{user_path} is outside the media root {root}")
    return resolved


def path_kind(user_path: str, media_root: str | os.PathLike) -> tuple[str, str]:
    """(kind, path) with resolve_in_root's rules; kind is "link", "folder", "file" or "missing"."""
    resolved = resolve_in_root(user_path, media_root)
    if os.path.islink(resolved):
        return "link", resolved
    if os.path.isdir(resolved):
        return "folder", resolved
    return ("file" if os.path.lexists(resolved) else "missing"), resolved


def checked_paths(user_paths: list[str], media_root: str | os.PathLike, timeout: float,
                  must_exist: bool = True) -> list[tuple[str, str]]:
    """(kind, resolved path) of each user path, looked at in worker processes with path_kind.

    A path whose folders do not answer within `timeout` (a hung mount inside the
    library) is refused with a clear message instead of holding the caller; so is a
    path outside the root and, with `must_exist`, one that does not exist (a broken
    link exists, as a link).
    """
    from linkdoctor.workers.pool import SPARES, TIMED_OUT, run_items

    root = real_root(media_root)
    for user_path in user_paths:
        if not isinstance(user_path, str) or not user_path.strip():
            raise ValidationError("a path must be a non-empty string")
        if "\x00" in user_path:
            raise ValidationError("a path cannot contain a NUL byte")
    timeout = min(timeout, PATH_WAIT_MAX)
    lexical = {p: os.path.abspath(os.path.join(root, p)) for p in dict.fromkeys(user_paths)}
    for user_path, candidate in lexical.items():
        folder = _hung_folder_of(candidate)
        if folder is not None:
            raise LibraryNotAnsweringError(f"{user_path}: the folder {folder} did not answer a moment ago "
                                           "(is its mount down?); try again later")
    with waiting_on_the_library():
        answers = run_items("path", [(p, root) for p in lexical], timeout, spares=SPARES)
    checked = []
    for user_path in user_paths:
        outcome = answers[(user_path, root)]
        if outcome.failure == TIMED_OUT:
            _remember_hung(lexical[user_path])
            raise LibraryNotAnsweringError(f"{user_path} did not answer within {timeout:g}s (is its mount down?)")
        if outcome.failure:
            raise ValidationError(f"{user_path} could not be checked ({outcome.failure})")
        kind, resolved = outcome.result
        if kind == "refused":
            raise resolved
        if kind == "missing" and must_exist:
            raise ValidationError(f"{user_path} does not exist")
        checked.append((kind, resolved))
    return checked
