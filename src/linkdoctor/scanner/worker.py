"""The scan worker process: runs the tasks the pool sends: listing, check, probe, decode, hash,
and the library's moves, folder tree and path checks (scanner/fileops.py).

Protocol (multiprocessing.connection framing over the process's stdin and stdout):
the pool sends ``(task_id, kind, items, flush_each, options)``; the worker answers
``("r", task_id, [(index, result), ...])`` as it goes and ``("d", task_id, [...])``
when the task is done. Results are flushed often enough that, when the worker
hangs on one item, the pool knows which items were finished before it. While a
decode makes progress, an empty ``("r", task_id, [])`` four times a second tells the pool
that the worker is alive: a decode's deadline is a time without progress, since a
film takes minutes to decode.
Light imports only (no Flask, no SQLAlchemy), so that a replacement worker starts in milliseconds.
"""

import os
import sys
import time
from multiprocessing.connection import Connection

from linkdoctor.errors import ValidationError
from linkdoctor.library.hashing import sample_target
from linkdoctor.paths import path_kind
from linkdoctor.scanner import fileops
from linkdoctor.scanner.checks import check_link, index_folder, list_folder
from linkdoctor.scanner.probe import ProbeError, probe_media
from linkdoctor.scanner.sampling import check_hinted

FLUSH_ITEMS = 128
FLUSH_SECONDS = 0.025
HEARTBEAT_SECONDS = 0.25  # well within the shortest decode_timeout (1 s)


def _path_kind(item):
    try:
        return path_kind(*item)  # (user path, media root)
    except ValidationError as exc:  # pickled back and raised by the caller
        return "refused", exc


# Kinds whose item is all they need.
LIBRARY_KINDS = {
    "move": lambda item: fileops.move_checked(*item),  # (source, destination, source_root, destination_root)
    "tree": lambda item: fileops.tree_node(*item),  # (folder, media root, depth)
    "children": fileops.folder_children,
    "path": _path_kind,
    "link": fileops.link_state,
    "hash": lambda item: sample_target(*item),  # (path, known (size, mtime_ns) or None, read)
}


def run_item(kind: str, item, options: dict, beat=None):
    """Run one item of a task and return its picklable result; ``beat`` is called as a decode progresses."""
    if kind == "list":
        return list_folder(item, options.get("include_files", False))
    if kind == "index":  # (source folder, known mtime_ns or None): the source index's listing
        return index_folder(*item)
    if kind == "check":
        return check_link(item[0], options["small_threshold"])
    if kind in LIBRARY_KINDS:
        return LIBRARY_KINDS[kind](item)
    if kind not in ("probe", "decode"):
        raise ValueError(f"unknown task kind {kind!r}")
    started = time.monotonic()
    try:
        if kind == "probe":
            verdict = probe_media(item[0])
        else:
            # A decode item is (path, target, identity, DecodeHint) with the probe's hint: the whole
            # file, or the windows of the sampled check.
            verdict = check_hinted(item[0], item[3], threads=options.get("decode_threads", 1), on_progress=beat)
    except ProbeError as exc:  # ffprobe or ffmpeg itself cannot run: a tooling error, not a verdict
        return exc, 0.0
    return verdict, time.monotonic() - started


def _heartbeat(outbox: Connection, task_id: int):
    """A callback that sends an empty answer at most every HEARTBEAT_SECONDS."""
    last = time.monotonic()

    def beat(_position: float) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= HEARTBEAT_SECONDS:
            outbox.send(("r", task_id, []))
            last = now
    return beat


def serve(inbox: Connection, outbox: Connection) -> None:
    """Answer tasks until the pool closes the pipe."""
    while True:
        try:
            task_id, kind, items, flush_each, options = inbox.recv()
        except EOFError:
            return
        pending, last_flush = [], time.monotonic()
        beat = _heartbeat(outbox, task_id) if kind == "decode" else None
        for index, item in enumerate(items):
            pending.append((index, run_item(kind, item, options, beat)))
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
