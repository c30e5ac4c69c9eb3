"""Changes to the library and reads of its folders, run inside worker processes.

Moving a link into the quarantine or back, listing the folder tree and checking a
user's path all touch the library, which may itself sit on a mount that stops
answering. They run here, in the scan engine's killable workers, so that a
request or a confirmation gives up after the timeout instead of hanging.

Every path written is checked after resolving its parent folders: a folder of the
library replaced by a symlink to somewhere else is refused, and no folder is ever
created outside the root. Light imports only (this runs in worker processes).
"""

import errno
import os
import re
import shutil
import time

from linkdoctor.paths import is_inside, without_following_last

MOVED, REFUSED, FAILED = "moved", "refused", "failed"
OUTSIDE_ROOT = "outside the media root"


class OutsideRoot(Exception):
    """A path that resolves outside its root."""


def make_folders_inside(folder: str, root: str) -> None:
    """Create `folder` and its missing parents one by one, each existing one checked to resolve inside `root`."""
    root = os.path.realpath(root)
    folder = os.path.normpath(os.path.abspath(folder))
    if not is_inside(folder, root):
        raise OutsideRoot(folder)
    current = root
    relative = os.path.relpath(folder, root)
    for part in [] if relative == "." else relative.split(os.sep):
        current = os.path.join(current, part)
        if os.path.lexists(current):
            real = os.path.realpath(current)
            if not is_inside(real, root) or not os.path.isdir(real):
                raise OutsideRoot(current)  # a folder swapped for a link to elsewhere, or a file
            current = real
        else:
            os.mkdir(current)


def _move(source: str, destination: str) -> None:
    """Move a link as a link (a regular file as a file); across filesystems copy first, then unlink."""
    try:
        os.rename(source, destination)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        if os.path.islink(source):
            os.symlink(os.readlink(source), destination)
        else:
            shutil.copy2(source, destination, follow_symlinks=False)
        os.unlink(source)


def move_checked(source: str, destination: str, source_root: str, destination_root: str) -> tuple[str, str]:
    """Move `source` to `destination` when both resolve inside their roots and nothing is in the way."""
    try:
        source_root, destination_root = os.path.realpath(source_root), os.path.realpath(destination_root)
        if not is_inside(without_following_last(source), source_root):
            return REFUSED, OUTSIDE_ROOT
        if not os.path.lexists(source):
            return REFUSED, "no longer there"
        if os.path.isdir(source) and not os.path.islink(source):
            return REFUSED, "a folder, not a link"
        make_folders_inside(os.path.dirname(os.path.abspath(destination)), destination_root)
        if not is_inside(without_following_last(destination), destination_root):
            return REFUSED, OUTSIDE_ROOT
        if os.path.lexists(destination):
            return REFUSED, "something now occupies this path"
        _move(source, destination)
        return MOVED, ""
    except OutsideRoot:
        return REFUSED, OUTSIDE_ROOT
    except OSError as exc:
        return FAILED, str(exc)


def folder_children(path: str, until: float | None = None) -> tuple[list[str] | None, int, str | None]:
    """(sub-folders, symlinks directly inside, error) of one folder; sub-folders None when `until`
    (time.monotonic()) came before the end of the listing (a folder of 200,000 titles), links then a lower bound."""
    subdirs, links = [], 0
    try:
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.is_symlink():
                    links += 1
                elif entry.is_dir(follow_symlinks=False):
                    subdirs.append(entry.path)
                    if until is not None and not len(subdirs) % 4096 and time.monotonic() > until:
                        return None, links, None
    except OSError as exc:
        return [], 0, os.strerror(exc.errno or 0)
    return sorted(subdirs, key=by_name), links, None


_DIGITS = re.compile(r"(\d+)")


def by_name(path: str) -> tuple:
    """The order a person reads a folder in: case aside, numbers by value ("Show 9" before "Show 10"); ties
    (same name but for case or zeros) by the name itself, so that the order is the same at every listing."""
    name = os.path.basename(path)
    # The split alternates text and digit runs (text first, maybe empty): the runs are at odd places.
    return [int(part) if index % 2 else part.lower() for index, part in enumerate(_DIGITS.split(name))], name


SHOWN_SUBDIRS = 1000  # sub-folders listed per folder of the tree; the others are counted, not listed


def relative_to(path: str, root: str) -> str:
    """`path` relative to `root` ("." for the root itself), by slicing when it lies below (os.path.relpath
    normalises both paths: most of the tree's time at 100,000 links went there)."""
    if path == root:
        return "."
    prefix = root if root.endswith(os.sep) else root + os.sep
    return path[len(prefix):] if path.startswith(prefix) else os.path.relpath(path, root)


def _until(until: float | None, at_least: float) -> float | None:
    """The end of a budget that gives at least `at_least` seconds from now (a worker that started late)."""
    return None if until is None else max(until, time.monotonic() + at_least)


def count_links_below(folders: list[str], until: float | None = None, at_least: float = 0.0) -> tuple[int, bool]:
    """(symlinks in `folders` and every folder below them, whether all were counted): counting stops at
    `until` (time.monotonic()), or `at_least` seconds from now if that is later. Links to folders are
    counted, not followed; unreadable folders count 0."""
    links, stack, until = 0, list(folders), _until(until, at_least)
    while stack:
        if until is not None and time.monotonic() > until:
            return links, False
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    if entry.is_symlink():
                        links += 1
                    elif entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
        except OSError:
            pass
    return links, True


def tree_node(path: str, root: str, depth: int, until: float | None = None, at_least: float = 0.0) -> dict:
    """One folder's node: symlinks below it (all levels) and its sub-folders down to `depth`, at most
    SHOWN_SUBDIRS of them per folder ("more_subdirs" says how many more are counted but not listed).

    Counting stops at `until` (time.monotonic(), shared by the processes of the machine): a node whose
    count is a lower bound says "partial": true; one not reached, or not listed to the end, in time has
    no "subdirs" (and "has_subdirs": true, whatever it holds: opening it tells). `at_least`:
    seconds of counting from now however late the task started (a small library is always counted).
    """
    until = _until(until, at_least)
    node = {"path": path, "relative_path": relative_to(path, root), "name": os.path.basename(path) or path,
            "symlink_count": 0, "subdirs": [], "has_subdirs": True, "error": None, "partial": True,
            "more_subdirs": 0}
    if until is not None and time.monotonic() > until:
        return node  # has_subdirs unknown: the page finds out when the folder is opened
    subdirs, node["symlink_count"], node["error"] = folder_children(path, until)
    if subdirs is None:
        return node  # listed in part: subdirs left empty although has_subdirs, the count a lower bound
    node["has_subdirs"], node["partial"] = bool(subdirs), False
    shown = subdirs[:SHOWN_SUBDIRS] if depth > 0 else []
    for sub in shown:
        child = tree_node(sub, root, depth - 1, until)
        node["symlink_count"] += child["symlink_count"]
        node["partial"] = node["partial"] or child["partial"]
        node["subdirs"].append(child)
    links, finished = count_links_below(subdirs[len(shown):], until)
    node["symlink_count"] += links
    node["partial"] = node["partial"] or not finished
    if depth > 0:
        node["more_subdirs"] = len(subdirs) - len(shown)
    return node


def link_state(path: str) -> dict:
    """A link as it is now: its target as written, resolved, and whether that target can be reached.

    Run in a worker: resolving the target may wait on its mount.
    """
    state = {"exists": False, "is_link": False, "written": None, "resolved": None,
             "target_exists": False, "target_size": None, "error": None}
    try:
        state["written"] = os.readlink(path)
        state["exists"] = state["is_link"] = True
    except FileNotFoundError:
        return state
    except OSError as exc:
        if exc.errno != errno.EINVAL:
            state["error"] = f"reading the link: {os.strerror(exc.errno or 0)}"
            return state
        state["exists"] = True  # a regular file, analysed as itself
    state["resolved"] = os.path.realpath(path)
    try:
        state["target_size"] = os.stat(path).st_size  # an empty file is reached, and still no media
        state["target_exists"] = True
    except OSError as exc:
        state["error"] = f"reaching the target: {os.strerror(exc.errno or 0)}"
    return state
