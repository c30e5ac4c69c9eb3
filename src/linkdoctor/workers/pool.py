"""A pool of worker processes that can be abandoned one at a time.

A thread blocked in a syscall on a dead mount can never be freed, and a killed
child that is *waited for* blocks its parent just the same. So every filesystem
access of a scan happens in a worker process; when one does not answer within
its deadline, the pool kills its whole process group, does not wait for it, and
starts a replacement. The items of the abandoned task that had not been answered
are retried one by one, so that exactly the item that hung is reported.
"""

import collections
import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Callable, Iterator

SRC_DIR = str(Path(__file__).resolve().parents[2])
# The program a worker runs: the task kinds and their functions (started by name, never imported here).
WORKER_PROGRAM = "linkdoctor.worker_tasks"
TIMED_OUT, CRASHED = "timeout", "crashed"


def failure_reason(failure: str, timeout: float) -> str:
    """An item's failure in words: "did not answer within Ns" for a timeout, else the failure as it is."""
    return f"did not answer within {timeout:g}s" if failure == TIMED_OUT else failure

# Killed workers, kept until they are reaped without waiting: one stuck on a dead mount
# only dies when the mount answers. The lock guards the list across scans' threads.
_killed: list[subprocess.Popen] = []
_killed_lock = threading.Lock()
_pool_ids = itertools.count(1)


def reap_killed() -> int:
    """Reap the killed workers that have died by now; returns how many are still stuck."""
    with _killed_lock:
        _killed[:] = [proc for proc in _killed if proc.poll() is None]
        return len(_killed)


def wait_for_killed(timeout: float) -> int:
    """Reap the killed and finished workers as they end, for up to `timeout` seconds (the server is
    stopping); returns how many are still there (stuck on a dead mount: they end when it answers)."""
    deadline = time.monotonic() + timeout
    with _killed_lock:
        waiting = list(_killed)
    for proc in waiting:
        try:
            proc.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    return reap_killed()


class Spares:
    """Idle workers kept between pools, so that a small scan does not wait for processes to start.

    A pool made with `spares` takes its workers from here before starting new ones, and gives
    back the ones that end idle (never one it killed or that crashed), up to `keep`. One keeper
    serves the whole process (`SPARES`): the server's scans, path checks and tree requests, or
    one CLI command, which starts its first worker while it loads (`prestart`). A spare is a
    plain idle worker: it holds no folder open and ends when its input closes, with us.
    """

    def __init__(self, keep: int):
        self.keep = keep
        self._idle: list["_Worker"] = []
        self._lock = threading.Lock()

    def take(self) -> "_Worker | None":
        """An idle worker still alive, or None."""
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.proc.poll() is None:
                    return worker
                worker.finish()
        return None

    def give(self, worker: "_Worker") -> bool:
        """Keep an idle worker for the next pool; False when enough are kept (the caller ends it)."""
        with self._lock:
            if len(self._idle) >= self.keep or worker.proc.poll() is not None:
                return False
            self._idle.append(worker)
            return True

    def prestart(self, count: int = 1) -> None:
        """Start workers now, before they are needed (they boot while the caller goes on). One that
        cannot start now (no process left under the limits) is started, or reported, when needed."""
        with self._lock:
            missing = min(count, self.keep) - len(self._idle)
        for _ in range(missing):
            try:
                worker = _Worker()
            except OSError:
                return
            if not self.give(worker):
                worker.finish()
                return

    def close(self) -> None:
        """End every kept worker (they exit on end-of-input)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.finish()

    def __len__(self) -> int:
        with self._lock:
            return len(self._idle)


class ScanCancelled(Exception):
    """Raised out of the pool's event loop when the cancel flag is set."""


@dataclass
class Task:
    """A batch of items of one kind; `flush_each` makes the worker answer item by item."""

    kind: str
    items: list
    flush_each: bool = False
    id: int = 0
    answered: set = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one item: a result, or a failure (timeout, crashed, or a skip reason)."""

    kind: str
    item: object
    result: object = None
    failure: str | None = None
    seconds: float = 0.0


TICK = Outcome("tick", None)


def _worker_command() -> list[str]:
    # -P: nothing from the working folder. Site-packages stay: the hash kind needs xxhash.
    return [sys.executable, "-P", "-m", WORKER_PROGRAM]


class _Worker:
    """One worker process and the task it is running."""

    def __init__(self):
        reap_killed()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [SRC_DIR, env.get("PYTHONPATH")]))
        # A new session gives the worker its own process group, so killing the group
        # also kills the ffprobe it may be running.
        # stderr to /dev/null: a worker stuck on a dead mount outlives us, and must not
        # hold our caller's stderr pipe open (a `linkdoctor scan 2>&1 | jq` would wait on it).
        self.proc = subprocess.Popen(
            _worker_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            start_new_session=True, close_fds=True, env=env,
        )
        self.outbox = Connection(os.dup(self.proc.stdin.fileno()), readable=False)
        self.inbox = Connection(os.dup(self.proc.stdout.fileno()), writable=False)
        self.proc.stdin.close()
        self.proc.stdout.close()
        self.task: Task | None = None
        self.last_heard = time.monotonic()

    def start(self, task: Task, options: dict) -> None:
        self.task = task
        self.last_heard = time.monotonic()
        self.outbox.send((task.id, task.kind, task.items, task.flush_each, options))

    def finish(self) -> None:
        """Let an idle worker end by closing its input; it is reaped later, never waited for."""
        for conn in (self.outbox, self.inbox):
            try:
                conn.close()
            except OSError:
                pass
        with _killed_lock:
            _killed.append(self.proc)

    def kill(self) -> None:
        """Kill the worker's process group and forget it; never wait for it."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.finish()


class WorkerPool:
    """Runs tasks on up to `size` worker processes with a per-item deadline for each kind.

    A worker is started only for a task that no idle one can take, and never more than
    `limit` (at most `size`) of them: the scan engine raises `limit` when its checks turn
    out to wait on a slow mount rather than on the CPU.
    """

    def __init__(self, size: int, deadlines: dict[str, float], options: dict,
                 cancel: threading.Event, tick_seconds: float = 0.25, spares: Spares | None = None,
                 ahead: bool = False):
        self.size = max(1, size)
        # ahead: a worker that finished gets its next task before its answers are handled (the caller may
        # write them to a database meanwhile). Only for work that acts on nothing (a scan's checks): a task
        # that moves files must wait, so that what the caller learns from an answer (a journal entry, a
        # guard that stops the batch) comes before the next move starts.
        self.ahead = ahead
        self.spares = spares
        if spares is not None:
            # A spare may have served another pool: what a worker keeps between tasks (the mount
            # table) is read again for this one.
            options = dict(options, pool=f"{os.getpid()}-{next(_pool_ids)}")
        self.limit = self.size
        self.deadlines = deadlines
        self.options = options
        self.cancel = cancel
        self.tick_seconds = tick_seconds
        self.retries: collections.deque[Task] = collections.deque()
        self.workers: list[_Worker] = []
        self.skip: Callable[[str, object], str | None] = lambda kind, item: None
        self._ids = itertools.count(1)
        self.replaced = 0

    def run(self, next_task: Callable[[], Task | None]) -> Iterator[Outcome]:
        """Yield outcomes until `next_task` has nothing more and every worker is idle."""
        last_tick = time.monotonic()
        try:
            while True:
                if self.cancel.is_set():
                    raise ScanCancelled()
                yield from self._dispatch(next_task)
                busy = [w for w in self.workers if w.task is not None]
                if not busy:
                    return
                now = time.monotonic()
                deadline = min(w.last_heard + self.deadlines[w.task.kind] for w in busy)
                timeout = max(0.0, min(deadline - now, self.tick_seconds))
                ready = wait([w.inbox for w in busy], timeout=timeout)
                for worker in busy:
                    if worker.inbox in ready:
                        yield from self._receive(worker, next_task)
                now = time.monotonic()
                for worker in busy:
                    if worker.task is not None and now - worker.last_heard > self.deadlines[worker.task.kind]:
                        yield from self._abandon(worker, TIMED_OUT, now - worker.last_heard)
                if now - last_tick >= self.tick_seconds:
                    last_tick = now
                    yield TICK
        finally:
            self.close()

    def run_all(self, tasks: list[Task]) -> Iterator[Outcome]:
        """Yield the outcomes of a fixed list of tasks."""
        queue = list(reversed(tasks))
        return self.run(lambda: queue.pop() if queue else None)

    def close(self) -> None:
        """Stop every worker: idle ones are kept as spares or end on end-of-input, busy ones are killed;
        none is waited for."""
        for worker in self.workers:
            if worker.task is None:
                if self.spares is None or not self.spares.give(worker):
                    worker.finish()
            else:
                worker.kill()
        self.workers = []
        reap_killed()

    def _dispatch(self, next_task) -> Iterator[Outcome]:
        while True:
            idle = next((w for w in self.workers if w.task is None), None)
            if idle is None and len(self.workers) >= min(self.size, max(1, self.limit)):
                return
            task = self.retries.popleft() if self.retries else next_task()
            if task is None:
                return
            task.id = next(self._ids)
            kept = []
            for item in task.items:
                reason = self.skip(task.kind, item)
                if reason:
                    yield Outcome(task.kind, item, failure=reason)
                else:
                    kept.append(item)
            if not kept:
                continue
            task.items = kept
            if idle is None:
                idle = (self.spares.take() if self.spares is not None else None) or _Worker()
                self.workers.append(idle)
            try:
                idle.start(task, self.options)
            except OSError:
                yield from self._abandon(idle, CRASHED, 0.0)

    def _receive(self, worker: _Worker, next_task) -> Iterator[Outcome]:
        task = worker.task
        try:
            tag, task_id, results = worker.inbox.recv()
        except (EOFError, OSError):
            yield from self._abandon(worker, CRASHED, time.monotonic() - worker.last_heard)
            return
        worker.last_heard = time.monotonic()
        for index, _ in results:
            task.answered.add(index)
        if tag == "d":
            worker.task = None
            if self.ahead:
                yield from self._dispatch(next_task)  # it works while its answers are handled
        for index, result in results:
            yield Outcome(task.kind, task.items[index], result)

    def _abandon(self, worker: _Worker, failure: str, seconds: float) -> Iterator[Outcome]:
        """Kill a worker that hung or died; blame its current item or retry item by item."""
        task = worker.task
        worker.kill()
        self.workers.remove(worker)
        self.replaced += 1
        if task is None:
            return
        left = [item for index, item in enumerate(task.items) if index not in task.answered]
        if not left:
            return
        if task.flush_each or len(left) == 1:
            # Answers came item by item: the first unanswered item is the one that hung.
            yield Outcome(task.kind, left[0], failure=failure, seconds=seconds)
            left = left[1:]
        if left:
            self.retries.appendleft(Task(task.kind, left, flush_each=True))


def run_items(kind: str, items: list, deadline: float, options: dict | None = None, workers: int = 4,
              cancel: threading.Event | None = None, spares: Spares | None = None) -> dict:
    """Run each item as its own task on a small pool; {item: Outcome}. A hung item costs `deadline`, never more."""
    if not items:
        return {}
    pool = WorkerPool(min(workers, len(items)), {kind: deadline}, options or {}, cancel or threading.Event(),
                      spares=spares)
    return {outcome.item: outcome for outcome in pool.run_all([Task(kind, [item]) for item in items])
            if outcome.kind == kind}


# The process's spare workers: two at most (about 15 MiB each), enough for a small scan on two cores.
SPARES = Spares(keep=min(2, os.cpu_count() or 1))
