"""The walk shared by import and check: list folders and sample targets on the scan worker pool.

No filesystem access here: listings and target samples run in worker processes
with deadlines, so a dead mount costs timeouts, never a hang. After three
timeouts in a row into one source, the rest of its items are reported without
being tried (the scan engine's breaker, for the same reason).
"""

import collections
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator, NamedTuple

from linkdoctor.library.hashing import TargetSample
from linkdoctor.scanner.buffers import FolderStack, push_spilled_folders
from linkdoctor.workers.pool import TIMED_OUT, Outcome, Task, WorkerPool, failure_reason
from linkdoctor.scanner.probe import VIDEO_EXTENSIONS
from linkdoctor.scanner.sources import SourceMap

HASH_BATCH = 16
FOLDER_BATCH = 64
FOLDERS_IN_MEMORY = 20_000
HASH_DEADLINE_FACTOR = 3  # a hash reads up to 2 MiB where a check reads 1 KiB: more time per item
BREAKER_TIMEOUTS = 3

# plan(path, target) -> (known (size, mtime_ns) or None, read) to sample the target, or None not to.
Plan = Callable[[str, str], tuple | None]


def is_media(path: str, target: str = "") -> bool:
    """A video file, by the extension of the link's name or of its target's."""
    return (os.path.splitext(path)[1].lower() in VIDEO_EXTENSIONS
            or os.path.splitext(target)[1].lower() in VIDEO_EXTENSIONS)


class WalkItem(NamedTuple):
    """One media link or file found by the walk, and what its worker learned (or why it could not)."""

    path: str
    target: str  # absolute target of a link, "" for a regular file
    is_link: bool
    sample: TargetSample | None = None
    failure: str | None = None  # the worker did not answer (timeout) or the source was given up


@dataclass
class WalkStats:
    discovered: int = 0
    sampled: int = 0
    walk_done: bool = False
    failed_folders: list = field(default_factory=list)  # (folder, reason): what is under them is unknown
    started: float = field(default_factory=time.monotonic)

    def progress_text(self, verb: str, what: str) -> str:
        """"read 12,345/100,000 media items, 2,345/s, ETA 38 s"; while the walk lists: found so many, so fast."""
        elapsed = max(time.monotonic() - self.started, 1e-3)
        if not self.walk_done:
            return f"found {self.discovered:,} {what}, {self.discovered / elapsed:,.0f}/s"
        rate = self.sampled / elapsed
        eta = f", ETA {(self.discovered - self.sampled) / rate:,.0f} s" if rate else ""
        return f"{verb} {self.sampled:,}/{self.discovered:,} {what}, {rate:,.0f}/s{eta}"


class LibraryWalk:
    """Walks `roots` and yields every media item, sampled as `plan` says."""

    def __init__(self, roots: list[str], workers: int, timeout: float, cancel: threading.Event,
                 plan: Plan, source_roots: list[str] = (), on_tick: Callable[["LibraryWalk"], None] | None = None):
        self.folders = FolderStack(FOLDERS_IN_MEMORY)
        # Called a few times a second even while every worker waits on a dead mount, so that
        # a job's progress (and its heartbeat, its run time if it is interrupted) is still saved.
        self.on_tick = on_tick
        self.folders.push(list(roots))
        self.timeout = timeout
        self.plan = plan
        self.pool = WorkerPool(workers, {"list": timeout, "hash": timeout * HASH_DEADLINE_FACTOR},
                               {"include_files": True, "small_threshold": 0}, cancel)
        self.spill_dir: str | None = None
        self.pool.skip = self._skip
        self.sources = SourceMap(list(source_roots))
        self.timeouts = collections.Counter()
        self.to_sample: collections.deque = collections.deque()
        self.items: dict[str, tuple[str, bool]] = {}  # path -> (target, is_link) while its sample is out
        self.listing = 0
        self.stats = WalkStats()

    def run(self) -> Iterator[WalkItem]:
        """Yield items as they are found (unsampled) or sampled; raises ScanCancelled when cancelled."""
        # A folder of more sub-folders than a listing holds (100,000 movie folders side by side) writes them to
        # a file here, read back block by block onto the folder stack.
        self.spill_dir = self.pool.options["spill_dir"] = tempfile.mkdtemp(prefix="linkdoctor-listings-")
        try:
            for outcome in self.pool.run(self._next_task):
                if outcome.kind == "list":
                    yield from self._on_listing(outcome)
                elif outcome.kind == "hash":
                    yield self._on_sample(outcome)
                elif outcome.kind == "tick" and self.on_tick is not None:
                    self.on_tick(self)
        finally:
            self.folders.close()
            shutil.rmtree(self.spill_dir, ignore_errors=True)  # and what a killed worker was writing
        self.stats.walk_done = True

    def _next_task(self) -> Task | None:
        if len(self.to_sample) >= HASH_BATCH or (self.to_sample and not self.folders):
            return Task("hash", [self.to_sample.popleft() for _ in range(min(HASH_BATCH, len(self.to_sample)))])
        if self.folders:
            batch = self.folders.pop_batch(FOLDER_BATCH)
            self.listing += len(batch)
            return Task("list", batch)
        return None

    def _on_listing(self, outcome: Outcome) -> Iterator[WalkItem]:
        self.listing -= 1
        if outcome.failure:
            reason = failure_reason(outcome.failure, self.timeout)
            self.stats.failed_folders.append((outcome.item, reason))
        else:
            listing = outcome.result
            if listing.error:
                self.stats.failed_folders.append((outcome.item, listing.error))
            self.folders.push(listing.subdirs)
            push_spilled_folders(listing, self.folders)
            found = [(path, target or "", True) for path, target in listing.links]
            found += [(path, "", False) for path in listing.files]
            for path, target, is_link in found:
                if not is_media(path, target):
                    continue
                self.stats.discovered += 1
                plan = self.plan(path, target)
                if plan is None:
                    yield WalkItem(path, target, is_link)
                else:
                    self.items[path] = (target, is_link)
                    self.to_sample.append((path, *plan))
        self.stats.walk_done = not self.listing and not self.folders

    def _on_sample(self, outcome: Outcome) -> WalkItem:
        path = outcome.item[0]
        target, is_link = self.items.pop(path)
        self.stats.sampled += 1
        source = self.sources.source_of(target) if target else None
        if outcome.failure:
            if outcome.failure == TIMED_OUT and source:
                self.timeouts[source] += 1
            failure = (f"target did not answer within {self.timeout * HASH_DEADLINE_FACTOR:g}s"
                       if outcome.failure == TIMED_OUT else outcome.failure)
            return WalkItem(path, target, is_link, failure=failure)
        if source:
            self.timeouts[source] = 0
        return WalkItem(path, target, is_link, sample=outcome.result)

    def _skip(self, kind: str, item) -> str | None:
        if kind != "hash":
            return None
        target = self.items.get(item[0], ("", False))[0]
        source = self.sources.source_of(target) if target else None
        if source and self.timeouts[source] >= BREAKER_TIMEOUTS:
            return f"not read: source {source} stopped answering ({BREAKER_TIMEOUTS} timeouts in a row)"
        return None
