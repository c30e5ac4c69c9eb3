"""The loop of a worker process: receive a task from the pool, answer its items as they are done.

Protocol (multiprocessing.connection framing over the process's stdin and stdout):
the pool sends ``(task_id, kind, items, flush_each, options)``; the worker answers
``("r", task_id, [(index, result), ...])`` as it goes and ``("d", task_id, [...])``
when the task is done. While a decode (or a folder scan) makes progress, an empty
``("r", task_id, [])`` at most four times a second tells the pool that the worker is alive.
"""

import os
import sys
import time
from multiprocessing.connection import Connection
from typing import Callable

FLUSH_ITEMS = 128
FLUSH_SECONDS = 0.025
HEARTBEAT_SECONDS = 0.25  # well within the shortest decode_timeout (1 s)
# Kinds whose items may run longer than the deadline while making progress: a decode, a folder's links.
HEARTBEAT_KINDS = ("decode", "scan")
RunItem = Callable  # (kind, item, options, beat) -> a picklable result


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


def serve(inbox: Connection, outbox: Connection, run_item: RunItem) -> None:
    """Answer tasks until the pool closes the pipe, or its process is gone."""
    parent = os.getppid()
    while True:
        try:
            task_id, kind, items, flush_each, options = inbox.recv()
        except EOFError:
            return
        pending, last_flush = [], time.monotonic()
        beat = _heartbeat(outbox, task_id) if kind in HEARTBEAT_KINDS else None
        for index, item in enumerate(items):
            if os.getppid() != parent:
                return  # the pool's process was killed: start nothing it can no longer record
            pending.append((index, run_item(kind, item, options, beat)))
            now = time.monotonic()
            if flush_each or len(pending) >= FLUSH_ITEMS or now - last_flush >= FLUSH_SECONDS:
                outbox.send(("r", task_id, pending))
                pending, last_flush = [], now
        outbox.send(("d", task_id, pending))


def serve_tasks(run_item: RunItem) -> None:
    """Entry point of a worker process: answer the pool on stdin/stdout with `run_item`."""
    inbox = Connection(os.dup(0), writable=False)
    outbox = Connection(os.dup(1), readable=False)
    # Point fd 1 at stderr so that nothing else (a stray print, a child's output)
    # can write into the protocol stream.
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        serve(inbox, outbox, run_item)
    except (BrokenPipeError, KeyboardInterrupt):
        pass
