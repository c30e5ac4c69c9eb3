"""The media-root guard: every user-given path is resolved and must stay inside the root."""

import os
import threading
import time
from pathlib import Path

from linkdoctor.errors import MediaRootUnavailableError, PathOutsideRootError, ValidationError

ROOT_TIMEOUT = 10.0  # how long the media root's own folders may take to answer
ROOT_KEPT = 5.0  # seconds a resolved root is reused (pages poll every second or two)
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
    if not lookup.done.wait(ROOT_TIMEOUT):
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
    from linkdoctor.scanner.pool import TIMED_OUT, run_items

    root = real_root(media_root)
    for user_path in user_paths:
        if not isinstance(user_path, str) or not user_path.strip():
            raise ValidationError("a path must be a non-empty string")
    answers = run_items("path", [(p, root) for p in dict.fromkeys(user_paths)], timeout)
    checked = []
    for user_path in user_paths:
        outcome = answers[(user_path, root)]
        if outcome.failure:
            why = f"did not answer within {timeout:g}s (is its mount down?)" if outcome.failure == TIMED_OUT \
                else f"could not be checked ({outcome.failure})"
            raise ValidationError(f"{user_path} {why}")
        kind, resolved = outcome.result
        if kind == "refused":
            raise resolved
        if kind == "missing" and must_exist:
            raise ValidationError(f"{user_path} does not exist")
        checked.append((kind, resolved))
    return checked
