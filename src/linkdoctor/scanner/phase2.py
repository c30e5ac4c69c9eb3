"""Phase 2 of a scan: probe the media that passed phase 1, decode the doubtful files (or all).

The probe (probe.py) calls each file ok, suspicious or corrupted; the request's
``phase2_decode`` says which files are then decoded (decode.py), in the same killable
worker processes:

* ``suspicious`` (the default): the suspicious ones, which the decode confirms
  (corrupted) or clears (ok);
* ``sampled``: the suspicious ones whole, as ``suspicious`` does, and every file the probe
  found ok in short windows spread through it, with small reads through its bytes
  (sampling.py): a damaged region in the middle of a film for a few percent of a full decode;
* ``all``: every file the probe did not already find corrupted;
* ``off``: none.

Only ``corrupted`` is a finding. A file left suspicious (not decoded, or not decodable
here) is counted and named in a warning, and never proposed for removal.

Verdicts are remembered per (device, inode, size, mtime) with the check that gave them
(PROBE, SAMPLED or DECODE): an unchanged file is neither probed nor decoded again, except
that a file is checked again when the mode asks for more than it had: a decode (or, in
``sampled``, windows) for a file only probed, a full decode in ``all`` for a sampled one.
A read error (the mount's, not the media's) is an io_error and is not remembered.
"""

import statistics
import time
from typing import Callable, NamedTuple, Protocol

from linkdoctor.scanner.buffers import Spill
from linkdoctor.scanner.checks import CORRUPTED, IO_ERROR, TIMEOUT
from linkdoctor.scanner.decode import DecodeHint
from linkdoctor.scanner.layout import OK, SUSPICIOUS
from linkdoctor.workers.pool import CRASHED, TIMED_OUT, Outcome, Task
from linkdoctor.scanner.probe import UNREADABLE
from linkdoctor.scanner.sampling import plan_windows

DECODE_MODES = ("suspicious", "sampled", "all", "off")
PROBE, SAMPLED, DECODE = "probe", "sampled", "decode"
CACHE_LOOKUP_BATCH = 500
MEASURED_CHECKS = 4  # probes and decodes of this scan after which its own rate gives the ETA
EXAMPLES = 3  # doubtful files named in the warning


class ScanError(Exception):
    """The scan cannot go on (for instance ffprobe cannot be run)."""


class CachedVerdict(NamedTuple):
    """A remembered verdict: its level, its detail, and the check that gave it (PROBE, SAMPLED or DECODE)."""

    level: str
    detail: str
    checked_by: str


class VerdictCache(Protocol):
    def lookup(self, identities: list[tuple]) -> dict[tuple, CachedVerdict]: ...
    def store(self, identity: tuple, verdict: CachedVerdict, probe_seconds: float) -> None: ...
    def mean_probe_seconds(self) -> float | None: ...


class Phase2:
    """Probes and decodes the candidates of phase 1; findings go out through ``finding``."""

    def __init__(self, request, cache: VerdictCache | None, counters: dict, breaker, sources,
                 make_pool: Callable, finding: Callable, report: Callable, warn: Callable):
        self.request = request
        self.mode = request.phase2_decode
        if self.mode not in DECODE_MODES:
            raise ScanError(f"phase2_decode must be one of {', '.join(DECODE_MODES)}, not {self.mode!r}")
        self.cache = cache
        self.counters = counters
        self.breaker = breaker
        self.sources = sources
        self.make_pool = make_pool
        self.finding = finding
        self.report = report
        self.warn = warn
        self.started = 0.0
        self.to_probe = self.probed = 0
        self.to_decode = self.decoded = 0
        self.probe_seconds: list[float] = []
        self.expected_probe_seconds: float | None = None
        self.doubtful: list[str] = []

    def run(self, candidates: Spill) -> None:
        """Judge every candidate (path, target, identity): from the cache, a probe, a decode."""
        self.started = time.monotonic()
        misses, decodes = Spill(), Spill()
        try:
            self._apply_cached(candidates, misses)
            self.to_probe = misses.count
            self.report()
            self._run_tasks("probe", misses, lambda outcome: self._on_probe(outcome, decodes))
            self._run_tasks("decode", decodes, self._on_decode)
        finally:
            misses.close()
            decodes.close()
        if self.counters["phase2_suspicious"]:
            why = ("phase2_decode is off, so they were not decoded" if self.mode == "off"
                   else "they could not be decoded here to confirm or clear them")
            self.warn(f"{self.counters['phase2_suspicious']} media file(s) stayed suspicious: {why}; a doubt is "
                      f"not a finding (e.g. {', '.join(self.doubtful)})")

    def _run_tasks(self, kind: str, items: Spill, on_outcome: Callable[[Outcome], None]) -> None:
        if not items.count:
            return
        queue = iter(items)

        def next_task() -> Task | None:
            item = next(queue, None)
            return Task(kind, [item], flush_each=True) if item is not None else None

        for outcome in self.make_pool().run(next_task):
            if outcome.kind == kind:
                on_outcome(outcome)
            else:
                self.report()

    # -- the cache -------------------------------------------------------

    def _apply_cached(self, candidates: Spill, misses: Spill) -> None:
        batch = []
        for candidate in candidates:
            batch.append(candidate)
            if len(batch) >= CACHE_LOOKUP_BATCH:
                self._lookup(batch, misses)
                batch = []
        self._lookup(batch, misses)

    def _lookup(self, batch: list, misses: Spill) -> None:
        known = self.cache.lookup([c[2] for c in batch]) if (self.cache and batch) else {}
        for path, target, identity in batch:
            cached = known.get(identity)
            if cached is None or not self._settles(cached):
                misses.add((path, target, identity))
                continue
            self.counters["phase2_analyzed"] += 1
            self.counters["phase2_cached"] += 1
            self._conclude(path, target, cached.level, cached.detail)

    def _settles(self, cached: CachedVerdict) -> bool:
        """Whether a remembered verdict is enough in this mode, or the file is checked again."""
        if cached.checked_by == DECODE or cached.level == CORRUPTED or self.mode == "off":
            return True
        if self.mode == "sampled":
            return cached.checked_by == SAMPLED
        return self.mode == "suspicious" and cached.level == OK

    def _store(self, identity, level: str, detail: str, checked_by: str, probe_seconds: float) -> None:
        if self.cache is not None:
            # The probe's time is kept even for a decoded verdict: it feeds the next scans' probe ETA.
            self.cache.store(identity, CachedVerdict(level, detail, checked_by), probe_seconds)

    # -- probes and decodes ----------------------------------------------

    def _on_probe(self, outcome: Outcome, decodes: Spill) -> None:
        path, target, identity = outcome.item
        self.counters["phase2_analyzed"] += 1
        self.probed += 1
        if outcome.failure:
            self._failed(path, target, outcome.failure, "ffprobe",
                         f"ffprobe did not finish within {self.request.probe_timeout:g}s")
            return
        verdict, seconds = self._result(outcome, target)
        if verdict.level == UNREADABLE:
            # The mount failed the read: a fault of the source, shown and never proposed, and not
            # remembered, so that the next scan reads the file again.
            self.counters["phase2_io_error"] += 1
            self.finding(path, target, IO_ERROR, verdict.detail)
            return
        self.probe_seconds.append(seconds)
        self._store(identity, verdict.level, verdict.detail, PROBE, seconds)
        windows = plan_windows(verdict.duration) if self.mode == "sampled" and verdict.level == OK else ()
        whole = self.mode == "all" or self.mode in ("suspicious", "sampled") and verdict.level == SUSPICIOUS
        if verdict.level != CORRUPTED and (whole or self.mode == "sampled"):
            hint = DecodeHint(verdict.media_end, verdict.expected_duration, verdict.level, verdict.detail, seconds,
                              declared_duration=verdict.duration, windows=windows,
                              check_zeros="video" in verdict.streams)
            decodes.add((path, target, identity, hint))
            self.to_decode += 1
        else:
            self._conclude(path, target, verdict.level, verdict.detail)

    def _on_decode(self, outcome: Outcome) -> None:
        path, target, identity, hint = outcome.item
        self.decoded += 1
        if outcome.failure:
            self._failed(path, target, outcome.failure, "the decode",
                         f"the decode made no progress for {self.request.decode_timeout:g}s")
            return
        verdict, _ = self._result(outcome, target)
        if verdict.level == UNREADABLE:  # as for the probe: the mount's fault, shown, never remembered
            self.counters["phase2_io_error"] += 1
            self.finding(path, target, IO_ERROR, verdict.detail)
            return
        self.counters["phase2_decoded"] += 1
        doubt = f" (probe: {hint.probe_detail})" if hint.probe_level == SUSPICIOUS else ""
        if verdict.level == CORRUPTED:
            level, detail = CORRUPTED, verdict.detail + doubt
        elif verdict.level == OK:
            level, detail = OK, "ok" + (f": decoded cleanly{doubt}" if doubt else "")
        else:  # ffmpeg could not decode it here: the probe's verdict stands
            level, detail = hint.probe_level, f"{hint.probe_detail} ({verdict.detail})"
        self._store(identity, level, detail, SAMPLED if hint.windows else DECODE, hint.probe_seconds)
        self._conclude(path, target, level, detail)

    def _result(self, outcome: Outcome, target: str):
        verdict, seconds = outcome.result
        if isinstance(verdict, Exception):
            raise ScanError(f"phase 2 cannot run: {verdict}")
        self.breaker.answered(self.sources.source_of(target))
        return verdict, seconds

    def _failed(self, path: str, target: str, failure: str, what: str, timed_out: str) -> None:
        """A probe or decode that timed out, crashed its worker, or was skipped: a timeout finding."""
        self.counters["phase2_timeout"] += 1
        if failure == TIMED_OUT:
            self.breaker.timed_out(self.sources.source_of(target))
            detail = timed_out
        else:
            detail = f"{what}'s worker crashed" if failure == CRASHED else failure
        self.finding(path, target, TIMEOUT, detail)

    def _conclude(self, path: str, target: str, level: str, detail: str) -> None:
        if level == OK:
            self.counters["phase2_ok"] += 1
        elif level == CORRUPTED:
            self.counters["phase2_corrupted"] += 1
            self.finding(path, target, CORRUPTED, detail)
        elif level == SUSPICIOUS:
            self.counters["phase2_suspicious"] += 1
            if len(self.doubtful) < EXAMPLES:
                self.doubtful.append(f"{path}: {detail}")

    # -- progress --------------------------------------------------------

    def _total(self) -> int:
        # In modes "all" and "sampled" every file still to probe will most likely be decoded too.
        likely = self.to_probe - self.probed if self.mode in ("all", "sampled") else 0
        return self.to_probe + self.to_decode + likely

    def fraction(self) -> float:
        """Share of phase 2's probes and decodes done."""
        total = self._total()
        return (self.probed + self.decoded) / total if total else 1.0

    def eta(self, parallel: int) -> float | None:
        """Remaining probes and decodes at this scan's measured rate, or earlier scans' probe time to begin with."""
        done = self.probed + self.decoded
        remaining = self._total() - done
        if done >= MEASURED_CHECKS:
            return (time.monotonic() - self.started) / done * remaining
        if self.probe_seconds:
            mean = statistics.fmean(self.probe_seconds)
        elif self.expected_probe_seconds is not None:
            mean = self.expected_probe_seconds  # measured in earlier scans
        else:
            return None
        return remaining * mean / parallel
