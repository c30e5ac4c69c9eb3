"""The scan: walk the selected folders, check every link (phase 1), probe and decode media (phase 2).

The engine runs in the calling thread and does no filesystem access of its own
on the library or its targets: every listing, check, probe and decode runs in the worker
pool, so a dead mount can slow a scan down by its timeouts but never hang it.
Results stream out through a sink; nothing holds every path in memory.
"""

import collections
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Protocol

from linkdoctor.scanner.buffers import FolderStack, ListingPieces, Spill, push_spilled_folders
from linkdoctor.scanner.checks import BROKEN, IO_ERROR, OK, PHASE1_CATEGORIES, TIMEOUT, target_or_none
from linkdoctor.scanner.folderscan import LISTING_IN_MEMORY, FolderScan
from linkdoctor.scanner.phase2 import Phase2, VerdictCache
from linkdoctor.workers.pool import CRASHED, TIMED_OUT, Outcome, Spares, Task, WorkerPool
from linkdoctor.scanner.probe import is_probeable
from linkdoctor.scanner.sources import SourceMap

LINK_BATCH = 512
MIN_LINK_BATCH = 4
TASK_SECONDS = 0.5  # aim for check tasks this long, so that a slow mount spreads over every worker
FOLDER_BATCH = 128
SHARE = 2000  # links a folder-scan task checks at most (fewer when they turn out slow)
SLOW_LINK_SECONDS = 0.002  # a check slower than this waits on a mount, not on the CPU: use every worker
FOLDERS_IN_MEMORY = 20_000  # pending folders beyond this wait in a temporary file
BREAKER_TIMEOUTS = 3  # timeouts in a row, with no answer between them, that mark a source dead
PHASE1_SHARE = 0.3  # share of the progress bar given to phase 1 in a full scan


class IgnoreMatcher(Protocol):
    def matches(self, path: str, target: str | None) -> bool: ...


@dataclass
class ScanRequest:
    """What to scan and how; paths are absolute and already checked against the media root."""

    paths: list[str]
    verification_depth: str = "basic"
    max_workers: int = 6
    small_threshold: int = 1024
    file_timeout: float = 5.0
    probe_timeout: float = 60.0
    include_regular_files: bool = False
    source_roots: list[str] = field(default_factory=list)
    phase2_decode: str = "suspicious"  # which media phase 2 decodes: DECODE_MODES
    decode_timeout: float = 60.0  # a decode making no progress for this long is abandoned
    ignores: IgnoreMatcher | None = None  # links the user ignores: counted, never checked


@dataclass(frozen=True, slots=True)
class FindingRecord:
    """One problem link, as the engine reports it."""

    path: str
    target: str
    category: str
    detail: str
    source: str


@dataclass
class ScanProgress:
    """A snapshot of a running scan for status polls."""

    phase: str
    progress: float
    eta: float | None
    counters: dict
    discovered: int
    checked: int
    walk_done: bool
    to_probe: int
    probed: int
    warnings: list[str]
    to_decode: int = 0
    decoded: int = 0
    elapsed: float = 0.0  # seconds since the scan started


class ScanSink(Protocol):
    def finding(self, record: FindingRecord) -> None: ...
    def progress(self, snapshot: ScanProgress) -> None: ...


def new_counters() -> dict:
    counters = {"total_analyzed": 0}
    counters.update({f"phase1_{name}": 0 for name in PHASE1_CATEGORIES})
    counters.update(phase2_analyzed=0, phase2_corrupted=0, phase2_cached=0, phase2_timeout=0,
                    phase2_decoded=0, phase2_suspicious=0, phase2_io_error=0, phase2_candidates=0, phase2_ok=0,
                    ignored=0)
    return counters


class _Breaker:
    """Stops sending work into a source once it has stopped answering."""

    def __init__(self):
        self.timeouts_in_a_row: collections.Counter = collections.Counter()

    def answered(self, source: str | None) -> None:
        if source is not None:
            self.timeouts_in_a_row[source] = 0

    def timed_out(self, source: str | None) -> None:
        if source is not None:
            self.timeouts_in_a_row[source] += 1

    def reason(self, source: str | None) -> str | None:
        if source is not None and self.timeouts_in_a_row[source] >= BREAKER_TIMEOUTS:
            return f"not checked: source {source} stopped answering ({BREAKER_TIMEOUTS} timeouts in a row)"
        return None


class ScanEngine:
    """Runs one scan; `run()` returns the counters, or raises ScanCancelled."""

    def __init__(self, request: ScanRequest, sink: ScanSink, cache: VerdictCache | None,
                 cancel: threading.Event | None = None, sources: SourceMap | None = None,
                 spares: Spares | None = None):
        self.request = request
        self.spares = spares  # idle workers to take first and to give back (the server's, a CLI command's)
        self.sink = sink
        self.cache = cache
        self.cancel = cancel or threading.Event()
        self.sources = sources or SourceMap(request.source_roots)
        self.counters = new_counters()
        self.warnings: list[str] = []
        self.breaker = _Breaker()
        # Links and broken links per source: the mount-health guard compares them.
        self.source_links: collections.Counter = collections.Counter()
        self.source_broken: collections.Counter = collections.Counter()
        self.folders = FolderStack(FOLDERS_IN_MEMORY)
        self.first_check: float | None = None
        self.folders_listing = 0  # folders sent to a worker and not yet answered
        self.links: collections.deque[tuple[str, str | None]] = collections.deque()
        # Links of a large folder, in shares (folder, names) for folder-scan tasks.
        self.shares: collections.deque[tuple[str, list[str]]] = collections.deque()
        # The listings of folders too big to hold, in files the workers wrote to spill_dir: read a share at a time.
        self.pieces: collections.deque[tuple[str, ListingPieces]] = collections.deque()
        self.spill_dir: str | None = None
        # After a folder scan timed out or crashed, the rest of phase 1 lists folders and checks
        # their links one task per batch, as the pool then blames exactly the link that hung.
        self.careful = False
        self.link_seconds = 0.0  # time the folder scans spent checking links, and how many
        self.links_timed = 0
        self.phase1_pool: WorkerPool | None = None
        # Folders listed and checked whole (none handed links back), and their links: the walk's estimate of
        # what the folders still to list hold. A big folder (a flat one of 25,000 links) is counted exactly
        # from its own listing instead, and would make every folder still to list look as big.
        self.whole_folders = self.whole_folder_links = 0
        self.last_progress = 0.0  # the progress never goes back
        self.discovered = 0
        self.walk_done = False
        self.phase = "phase1"
        self.started = time.monotonic()
        self.candidates = 0
        self.phase2 = Phase2(request, cache, self.counters, self.breaker, self.sources, self._pool,
                             self._finding, self._report, self._warn)

    # -- the run ---------------------------------------------------------

    def run(self) -> dict:
        """Run both phases; returns the counters."""
        if self.cache is not None and self.request.verification_depth == "full":
            self.phase2.expected_probe_seconds = self.cache.mean_probe_seconds()
        self._seed()
        candidates = Spill()
        self.spill_dir = tempfile.mkdtemp(prefix="linkdoctor-listings-")
        try:
            self._run_phase1(candidates)
            if self.request.verification_depth == "full":
                self.phase = "phase2"
                self.phase2.run(candidates)
        finally:
            candidates.close()
            self.folders.close()
            for _, pieces in self.pieces:
                pieces.close()
            shutil.rmtree(self.spill_dir, ignore_errors=True)  # and what a killed worker was writing
        self.phase = "done"
        self._report()
        return self.counters

    def _pool(self) -> WorkerPool:
        pool = WorkerPool(
            self.request.max_workers,
            {"list": self.request.file_timeout, "check": self.request.file_timeout, "scan": self.request.file_timeout,
             "targets": self.request.file_timeout,
             "probe": self.request.probe_timeout, "decode": self.request.decode_timeout},
            {"small_threshold": self.request.small_threshold,
             "include_files": self.request.include_regular_files,
             "source_roots": list(self.request.source_roots), "ignores": self.request.ignores or None,
             "candidates": self.request.verification_depth == "full", "share": SHARE, "budget": TASK_SECONDS,
             "spill_dir": self.spill_dir, "listing_in_memory": LISTING_IN_MEMORY,
             # Decodes share the cores: one thread each when there are as many workers as cores.
             "decode_threads": max(1, (os.cpu_count() or 1) // max(1, self.request.max_workers))},
            self.cancel, spares=self.spares, ahead=True,  # checks, probes and decodes act on nothing
        )
        pool.skip = self._skip_reason
        return pool

    def _seed(self) -> None:
        # The selected paths were validated by the caller with plain lstat calls on the
        # library; a selected link is checked itself, a folder is walked.
        for path in self.request.paths:
            if os.path.islink(path):
                self._add_link((path, target_or_none(path) if self.request.ignores else None))
            else:
                self.folders.push([path])

    def _add_link(self, link: tuple[str, str | None]) -> None:
        ignores = self.request.ignores
        if ignores and ignores.matches(*link):
            self.counters["ignored"] += 1
            return
        self.links.append(link)
        self.discovered += 1

    # -- phase 1 ---------------------------------------------------------

    def _next_phase1_task(self) -> Task | None:
        self._notice_abandoned_workers()
        self._read_pieces()
        if len(self.links) >= LINK_BATCH or (self.links and not self.folders and not self.shares):
            size = self._check_batch_size()
            if self.first_check is None:
                self.first_check = time.monotonic()
            return Task("check", [self.links.popleft() for _ in range(min(size, len(self.links)))])
        if self.shares:
            # Careful: the share's targets are read, then its links checked one task per batch.
            return Task("targets" if self.careful else "scan", [self.shares.popleft()])
        if self.folders:
            batch = self.folders.pop_batch(self._folder_batch_size())
            self.folders_listing += len(batch)
            if self.careful:
                return Task("list", batch)
            return Task("scan", [(folder, None) for folder in batch])
        return None

    def _read_pieces(self) -> None:
        """Once the shares in memory are out, the next share of a big folder's listing (and the blocks of
        sub-folders before it) from the file its worker wrote."""
        while self.pieces and not self.shares:
            folder, pieces = self.pieces[0]
            record = pieces.next()
            if record is None:
                self.pieces.popleft()
            elif record[0] == "names":
                self.shares.append((folder, record[1]))
            else:
                self.folders.push(record[1])
        self.walk_done = self._walked()

    def _walked(self) -> bool:
        """Every folder is listed (the total of links is known)."""
        return not self.folders_listing and not self.folders and not self.pieces

    def _folder_batch_size(self) -> int:
        """Folders per task: shared among the workers while there are few, FOLDER_BATCH at most."""
        if self.careful:
            return FOLDER_BATCH
        workers = max(1, self.phase1_pool.limit if self.phase1_pool else 1)
        return min(FOLDER_BATCH, max(1, len(self.folders) // (2 * workers)))

    def _check_batch_size(self) -> int:
        """Links per check task: shared among the workers, and about TASK_SECONDS of measured work."""
        workers = max(1, self.request.max_workers)
        size = min(LINK_BATCH, max(MIN_LINK_BATCH, -(-len(self.links) // workers)))
        checked = self.counters["total_analyzed"]
        if checked >= workers and self.first_check is not None:
            seconds_per_link = (time.monotonic() - self.first_check) * workers / checked
            size = min(size, max(MIN_LINK_BATCH, int(TASK_SECONDS / max(seconds_per_link, 1e-6))))
        return size

    def _run_phase1(self, candidates: Spill) -> None:
        pool = self.phase1_pool = self._pool()
        # As many workers as cores until the checks show they wait on a mount (then all of them).
        pool.limit = min(self.request.max_workers, os.cpu_count() or 1)
        for outcome in pool.run(self._next_phase1_task):
            if outcome.kind == "scan":
                self._on_scan(outcome, candidates)
            elif outcome.kind == "list":
                self._on_listing(outcome)
            elif outcome.kind == "targets":
                self._on_targets(outcome)
            elif outcome.kind == "check":
                self._on_check(outcome, candidates)
            else:
                self._report()
        self.walk_done = True

    def _on_scan(self, outcome: Outcome, candidates: Spill) -> None:
        """A folder (or a share of its links) listed and checked by a worker: only problems come back."""
        folder, names = outcome.item
        if names is None:
            self.folders_listing -= 1
        if outcome.failure:
            self._be_careful()
            if names is None:
                self.folders.push([folder])  # listed again, and its links checked one task per batch
            else:
                self.shares.append((folder, names))
            self.walk_done = False
            return
        scan: FolderScan = outcome.result
        # The links a listing hands back count as found at once (a flat folder of a million links shows its
        # total from its first answer); a share's own were counted so, and count again as they are checked.
        handed_back = sum(map(len, scan.rest)) + scan.spilled_names
        self.discovered += handed_back - (len(names) if names is not None else 0)
        if names is None and not handed_back:
            self.whole_folders += 1
            self.whole_folder_links += scan.checked + scan.ignored
        if scan.error:
            self._warn(f"could not list folder {folder}: {scan.error}")
        self.folders.push(scan.subdirs)
        self.shares.extend((folder, share) for share in scan.rest)
        if scan.spilled:
            self.pieces.append((folder, ListingPieces(scan.spilled)))
        self.counters["ignored"] += scan.ignored
        self._measured(scan.checked, scan.seconds)
        for source, count in scan.ok_by_source.items():
            self.counters["total_analyzed"] += count
            self.counters["phase1_ok"] += count
            self.source_links[source] += count
            self.discovered += count
        for path, check in scan.problems:
            self.discovered += 1
            self._count(check.category, FindingRecord(path, check.target, check.category, check.detail,
                                                      self.sources.source_of(check.target)))
        for candidate in scan.candidates:
            candidates.add(candidate)
        self.candidates += len(scan.candidates)
        self.counters["phase2_candidates"] += len(scan.candidates)
        self.walk_done = self._walked()

    def _measured(self, checked: int, seconds: float) -> None:
        """Size the next shares by the measured time per link; a slow mount gets every worker."""
        if not checked:
            return
        self.link_seconds += seconds
        self.links_timed += checked
        per_link = self.link_seconds / self.links_timed
        pool = self.phase1_pool
        pool.options["share"] = max(MIN_LINK_BATCH, min(SHARE, int(TASK_SECONDS / max(per_link, 1e-6))))
        if per_link > SLOW_LINK_SECONDS:
            pool.limit = pool.size

    def _notice_abandoned_workers(self) -> None:
        # A worker killed on a timeout or a crash: no more folder scans, whose link hung is unknown.
        if self.phase1_pool is not None and self.phase1_pool.replaced and self.phase == "phase1":
            self._be_careful()

    def _be_careful(self) -> None:
        if not self.careful:
            self.careful = True
            self.phase1_pool.limit = self.phase1_pool.size

    def _on_targets(self, outcome: Outcome) -> None:
        folder, names = outcome.item
        self.discovered -= len(names)  # counted when their folder was listed; counted again as links to check
        if outcome.failure:
            self._warn(f"folder {folder} did not answer within {self.request.file_timeout:g}s; "
                       f"{len(names)} links not scanned")
            return
        for link in outcome.result:
            self._add_link(link)

    def _on_listing(self, outcome: Outcome) -> None:
        folder = outcome.item
        self.folders_listing -= 1
        if self._walked():
            self.walk_done = True
        if outcome.failure:
            self._warn(f"folder {folder} did not answer within {self.request.file_timeout:g}s; not scanned")
            return
        listing = outcome.result
        self.whole_folders += 1
        self.whole_folder_links += len(listing.links) + len(listing.files)
        if listing.error:
            self._warn(f"could not list folder {folder}: {listing.error}")
        self.folders.push(listing.subdirs)
        push_spilled_folders(listing, self.folders)
        for link in listing.links:
            self._add_link(link)
        for path in listing.files:
            if is_probeable(path):
                self._add_link((path, None))
        self.walk_done = self._walked()

    def _on_check(self, outcome: Outcome, candidates: Spill) -> None:
        path, hint = outcome.item
        source = self.sources.source_of(hint) if hint else None
        if outcome.failure:
            if outcome.failure == TIMED_OUT:
                self.breaker.timed_out(source)
                detail = f"target did not answer within {self.request.file_timeout:g}s"
            elif outcome.failure == CRASHED:
                detail = "the check of this link crashed its worker"
            else:
                detail = outcome.failure
            category = IO_ERROR if outcome.failure == CRASHED else TIMEOUT
            self._count(category, FindingRecord(path, hint or "", category, detail, source or ""))
            return
        check = outcome.result
        if check is None:  # the link vanished while we scanned: nothing to judge
            self.discovered -= 1
            return
        self.breaker.answered(source)
        if check.target != hint:
            source = self.sources.source_of(check.target)
        if check.category != OK:
            self._count(check.category, FindingRecord(path, check.target, check.category, check.detail, source))
            return
        self._count(OK, None, source)
        wants_probe = self.request.verification_depth == "full" and check.is_file
        if wants_probe and (is_probeable(path) or is_probeable(check.target)):
            candidates.add((path, check.target, check.identity))
            self.candidates += 1
            self.counters["phase2_candidates"] += 1

    def _count(self, category: str, record: FindingRecord | None, source: str | None = None) -> None:
        self.counters["total_analyzed"] += 1
        self.counters[f"phase1_{category}"] += 1
        source = record.source if record is not None else source
        if source:
            self.source_links[source] += 1
            if category == BROKEN:
                self.source_broken[source] += 1
        if record is not None:
            self.sink.finding(record)

    def source_stats(self) -> dict:
        """Links and broken links per source, for the mount-health guard."""
        return {source: {"links": total, "broken": self.source_broken[source]}
                for source, total in self.source_links.items()}

    def _skip_reason(self, kind: str, item) -> str | None:
        if kind == "scan":  # a retry of a folder scan after a timeout: checked link by link instead
            self._notice_abandoned_workers()
            return "careful" if self.careful else None
        if kind == "list":
            return None
        target = item[1]
        return self.breaker.reason(self.sources.source_of(target)) if target else None

    def _finding(self, path: str, target: str, category: str, detail: str) -> None:
        self.sink.finding(FindingRecord(path, target, category, detail, self.sources.source_of(target)))

    # -- progress --------------------------------------------------------

    def _warn(self, message: str) -> None:
        self.warnings.append(message)

    def snapshot(self) -> ScanProgress:
        """The scan's progress, phase, counters and ETA right now."""
        checked = self.counters["total_analyzed"]
        full = self.request.verification_depth == "full"
        p1_share = PHASE1_SHARE if full else 1.0
        eta = None
        elapsed = time.monotonic() - self.started
        if self.phase == "phase1":
            expected_links = self._expected_links()
            fraction = checked / expected_links if expected_links else 0.0
            if not self.walk_done:
                fraction = min(fraction, 0.95)  # more folders may still be found
            progress = p1_share * fraction
            if checked:
                eta = elapsed / checked * (expected_links - checked)
                probe_seconds = self.phase2.expected_probe_seconds
                if full and probe_seconds is not None:
                    # Phase 2 still to come: the candidates so far at the probe time measured before.
                    eta += self.candidates * probe_seconds / self._parallel_probes()
        elif self.phase == "phase2":
            progress = p1_share + (1 - p1_share) * self.phase2.fraction()
            eta = self.phase2.eta(self._parallel_probes())
        else:
            progress = 1.0
            eta = 0.0
        # Links found later than estimated would take the bar back: it waits for the checks instead.
        progress = self.last_progress = max(progress, self.last_progress)
        return ScanProgress(
            phase=self.phase, progress=round(progress, 4), eta=None if eta is None else round(eta, 1),
            counters=dict(self.counters), discovered=self.discovered, checked=checked,
            walk_done=self.walk_done, to_probe=self.phase2.to_probe, probed=self.phase2.probed,
            warnings=list(self.warnings), to_decode=self.phase2.to_decode, decoded=self.phase2.decoded,
            elapsed=round(elapsed, 3),  # saved with the progress: an interrupted scan keeps its run time
        )

    def _expected_links(self) -> int:
        """The links found, and while the walk goes on as many per folder still to list as the folders
        listed whole held (a big folder's links are known exactly from its listing: not an average)."""
        if self.walk_done or not self.whole_folders:
            return self.discovered
        pending = len(self.folders) + self.folders_listing
        return self.discovered + int(pending * self.whole_folder_links / self.whole_folders)

    def _parallel_probes(self) -> int:
        return max(1, min(self.request.max_workers, os.cpu_count() or 1))

    def _report(self) -> None:
        self.sink.progress(self.snapshot())
