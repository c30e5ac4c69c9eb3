"""The folder tree under the media root, with how many symlinks each folder holds.

The folders are read in worker processes (scanner/fileops.py), one per top-level
sub-folder: a folder on a mount that does not answer is shown with an error after
the timeout instead of holding the request.
"""

import os
import threading

from linkdoctor.errors import ValidationError
from linkdoctor.paths import checked_paths, real_root
from linkdoctor.scanner.pool import TIMED_OUT, Task, WorkerPool, failure_reason

MAX_DEPTH = 6
TREE_SECONDS = 10.0
WORKERS = 4  # a healthy folder with tens of thousands of links below it is counted well within this


def _silent(folder: str, root: str, failure: str, timeout: float) -> dict:
    reason = failure_reason(failure, timeout)
    return {"path": folder, "relative_path": os.path.relpath(folder, root), "name": os.path.basename(folder),
            "symlink_count": 0, "subdirs": [], "has_subdirs": False, "error": reason}


def resolve_folder(path: str | None, root: str, timeout: float) -> str:
    """The folder `path` names (absolute, or relative to the root), checked in a worker; refused outside the root."""
    if not path:
        return root
    kind, resolved = checked_paths([path], root, timeout, must_exist=False)[0]
    if kind != "folder":
        raise ValidationError(f"{path} is not a folder")
    return resolved


def directory_tree(media_root: str, path: str | None = None, depth: int = 2, timeout: float = 5.0) -> dict:
    """The tree under `path` (default the media root), `depth` levels of sub-folders shown."""
    if not 0 <= depth <= MAX_DEPTH:
        raise ValidationError(f"depth must be between 0 and {MAX_DEPTH}")
    root = real_root(media_root)
    start = resolve_folder(path, root, timeout)
    deadline = max(timeout, TREE_SECONDS)
    tree, children, answers = None, [], {}
    # The folder's own listing first; once it is in, one task per sub-folder, on the same workers.
    pending = [Task("children", [start])]
    pool = WorkerPool(WORKERS, {"children": deadline, "tree": deadline}, {}, threading.Event())
    for outcome in pool.run(lambda: pending.pop() if pending else None):
        if outcome.kind == "children":
            if outcome.failure:
                tree = _silent(start, root, outcome.failure, deadline)
                continue
            subdirs, links, error = outcome.result
            tree = {"path": start, "relative_path": os.path.relpath(start, root),
                    "name": os.path.basename(start) or start, "symlink_count": links, "subdirs": [],
                    "has_subdirs": bool(subdirs), "error": error}
            children = [(sub, root, depth - 1) for sub in subdirs]
            pending.extend(Task("tree", [item]) for item in reversed(children))
        elif outcome.kind == "tree":
            answers[outcome.item] = outcome
    if tree is None:
        tree = _silent(start, root, TIMED_OUT, deadline)
    for item in children:
        outcome = answers.get(item)
        if outcome is not None and not outcome.failure:
            child = outcome.result
        else:
            child = _silent(item[0], root, outcome.failure if outcome else TIMED_OUT, deadline)
        tree["symlink_count"] += child["symlink_count"]
        if depth > 0:
            tree["subdirs"].append(child)
    tree["media_root"] = root
    return tree
