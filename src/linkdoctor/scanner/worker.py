"""The scan worker process: runs listing, check, probe and hash tasks sent by the pool.

Protocol (multiprocessing.connection framing over the process's stdin and stdout):
the pool sends ``(task_id, kind, items, flush_each, options)``; the worker answers
``("r", task_id, [(index, result), ...])`` as it goes and ``("d", task_id, [...])``
when the task is done. Results are flushed often enough that, when the worker
hangs on one item, the pool knows which items were finished before it.
Stdlib only, so that a replacement worker starts in milliseconds.
"""

import os
import sys
import time
from multiprocessing.connection import Connection

from linkdoctor.errors import ValidationError
from linkdoctor.paths import path_kind
from linkdoctor.scanner import fileops
from linkdoctor.library.hashing import sample_target
from linkdoctor.scanner.checks import check_link, index_folder, list_folder
from linkdoctor.scanner.probe import ProbeError, probe_media

FLUSH_ITEMS = 128
FLUSH_SECONDS = 0.025


def run_item(kind: str, item, options: dict):
    """Run one item of a task and return its picklable result."""
    if kind == "list":
        return list_folder(item, options.get("include_files", False))
    if kind == "index":  # (source folder, known mtime_ns or None): the source index's listing
        return index_folder(*item)
    if kind == "check":
        return check_link(item[0], options["small_threshold"])
    if kind == "probe":
        started = time.monotonic()
        try:
            verdict = probe_media(item[0])
        except ProbeError as exc:  # ffprobe itself cannot run: a tooling error, not a verdict
            return exc, 0.0
        return verdict, time.monotonic() - started
    if kind == "move":  # (source, destination, source_root, destination_root)
        return fileops.move_checked(*item)
    if kind == "tree":  # (folder, media root, depth)
        return fileops.tree_node(*item)
    if kind == "children":
        return fileops.folder_children(item)
    if kind == "path":  # (user path, media root)
        try:
            return path_kind(*item)
        except ValidationError as exc:  # pickled back and raised by the caller
            return "refused", exc
    if kind == "hash":  # (path, known (size, mtime_ns) or None, read): stat, and the sampled hash
        return sample_target(*item)
    raise ValueError(f"unknown task kind {kind!r}")


def serve(inbox: Connection, outbox: Connection) -> None:
    """Answer tasks until the pool closes the pipe."""
    while True:
        try:
            task_id, kind, items, flush_each, options = inbox.recv()
        except EOFError:
            return
        pending, last_flush = [], time.monotonic()
        for index, item in enumerate(items):
            pending.append((index, run_item(kind, item, options)))
            now = time.monotonic()
            if flush_each or len(pending) >= FLUSH_ITEMS or now - last_flush >= FLUSH_SECONDS:
                outbox.send(("r", task_id, pending))
                pending, last_flush = [], now
        outbox.send(("d", task_id, pending))


def main() -> None:
    """Entry point of a worker process."""
    inbox = Connection(os.dup(0), writable=False)
    outbox = Connection(os.dup(1), readable=False)
    # Point fd 1 at stderr so that nothing else (a stray print, a child's output)
    # can write into the protocol stream.
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        serve(inbox, outbox)
    except (BrokenPipeError, KeyboardInterrupt):
        pass


if __name__ == "__main__":
    main()
