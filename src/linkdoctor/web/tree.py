"""The folder tree under the media root, with how many symlinks each folder holds.

The folders are read in worker processes (scanner/fileops.py), one per top-level
sub-folder: a folder on a mount that does not answer is shown with an error after
the timeout instead of holding the request.

At a million links, counting them all takes seconds: the page first asks for what can be
counted in QUICK_SECONDS (nodes not finished by then say "partial": true, their count a
lower bound), then for the full counts (?full=1). A folder lists at most SHOWN_SUBDIRS
sub-folders ("more_subdirs": how many more are counted but not listed); the asked folder's next
ones come with ?offset= (the page's "show more" row).
"""

import os
import threading
import time

from linkdoctor.errors import ValidationError
from linkdoctor.paths import checked_paths, real_root, waiting_on_the_library
from linkdoctor.scanner.fileops import SHOWN_SUBDIRS, relative_to
from linkdoctor.workers.pool import SPARES, TIMED_OUT, Task, WorkerPool, failure_reason

MAX_DEPTH = 6
TREE_SECONDS = 10.0
WORKERS = 4  # a healthy folder with tens of thousands of links below it is counted well within this
QUICK_SECONDS = 0.6  # what the page's first ask may take, workers' start included; the rest comes with ?full=1
MIN_COUNT_SECONDS = 0.1  # the counting a task gets however late its worker started: a small library is all counted
COUNT_BATCH = 2000  # folders not shown, counted per task
MAX_OFFSET = 10**7  # ?offset=: where a folder's listed sub-folders start


def _silent(folder: str, root: str, failure: str, timeout: float) -> dict:
    reason = failure_reason(failure, timeout)
    return {"path": folder, "relative_path": relative_to(folder, root), "name": os.path.basename(folder),
            "symlink_count": 0, "subdirs": [], "has_subdirs": False, "error": reason, "partial": False,
            "more_subdirs": 0}


def resolve_folder(path: str | None, root: str, timeout: float) -> str:
    """The folder `path` names (absolute, or relative to the root), checked in a worker; refused outside the root."""
    if not path:
        return root
    kind, resolved = checked_paths([path], root, timeout, must_exist=False)[0]
    if kind != "folder":
        raise ValidationError(f"{path} is not a folder")
    return resolved


def directory_tree(media_root: str, path: str | None = None, depth: int = 2, timeout: float = 5.0,
                   seconds: float | None = None, offset: int = 0) -> dict:
    """The tree under `path` (default the media root), `depth` levels of sub-folders shown: of the folder's
    own, SHOWN_SUBDIRS from the `offset`th on (by name; "more_subdirs": how many come after them).

    `seconds`: how long the counting may go on, from now (None: up to the timeout; each task counts at
    least MIN_COUNT_SECONDS however late it starts); what was not counted by then is left out of the
    counts, and the nodes concerned say "partial": true.
    """
    started = time.monotonic()
    if not 0 <= depth <= MAX_DEPTH:
        raise ValidationError(f"depth must be between 0 and {MAX_DEPTH}")
    if not 0 <= offset <= MAX_OFFSET:
        raise ValidationError(f"offset must be between 0 and {MAX_OFFSET}")
    root = real_root(media_root)
    start = resolve_folder(path, root, timeout)
    deadline = max(timeout, TREE_SECONDS)
    # A folder that takes the whole deadline to count answers a partial count, not a timeout.
    until = time.monotonic() + deadline - 1.0
    tree, shown, counted, answers = None, [], [], {}
    # The folder's own listing first; once it is in, its sub-folders become tasks of the same workers:
    # one per folder shown, and batches of the others, only counted.
    pending = [Task("children", [start])]
    pool = WorkerPool(WORKERS, {"children": deadline, "tree": deadline, "count": deadline}, {}, threading.Event(),
                      spares=SPARES)
    with waiting_on_the_library():
        for outcome in pool.run(lambda: pending.pop() if pending else None):
            if outcome.kind == "children":
                if outcome.failure:
                    tree = _silent(start, root, outcome.failure, deadline)
                    continue
                subdirs, links, error = outcome.result
                tree = {"path": start, "relative_path": relative_to(start, root),
                        "name": os.path.basename(start) or start, "symlink_count": links, "subdirs": [],
                        "has_subdirs": bool(subdirs), "error": error, "partial": False, "more_subdirs": 0}
                at_least = 0.0
                if seconds is not None:
                    until, at_least = min(until, started + seconds), MIN_COUNT_SECONDS
                listed = subdirs[offset:offset + SHOWN_SUBDIRS] if depth > 0 else []
                after = offset + len(listed)
                unlisted = subdirs[:offset] + subdirs[after:] if depth > 0 else subdirs  # counted only
                shown = [(sub, root, depth - 1, until, at_least) for sub in listed]
                counted = [(tuple(unlisted[i:i + COUNT_BATCH]), until, at_least)
                           for i in range(0, len(unlisted), COUNT_BATCH)]
                tree["more_subdirs"] = max(0, len(subdirs) - after) if depth > 0 else 0
                pending.extend(Task("count", [item]) for item in reversed(counted))
                pending.extend(Task("tree", [item]) for item in reversed(shown))
            else:
                answers[outcome.item] = outcome
    if tree is None:
        tree = _silent(start, root, TIMED_OUT, deadline)
    for item in shown:
        outcome = answers.get(item)
        if outcome is not None and not outcome.failure:
            child = outcome.result
        else:
            child = _silent(item[0], root, outcome.failure if outcome else TIMED_OUT, deadline)
        tree["symlink_count"] += child["symlink_count"]
        tree["partial"] = tree["partial"] or child["partial"]
        tree["subdirs"].append(child)
    for item in counted:
        outcome = answers.get(item)
        links, finished = (0, False) if outcome is None or outcome.failure else outcome.result
        tree["symlink_count"] += links
        tree["partial"] = tree["partial"] or not finished
    tree["media_root"] = root
    return tree
