"""Confirm: re-check the confirmed links and move them, journalled, into the quarantine."""

import os
import threading
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from linkdoctor.errors import ConflictError, StaleTokenError, ValidationError
from linkdoctor.jobs.lock import library_lock
from linkdoctor.models import (
    AWAITING_CONFIRMATION, COMPLETED, PLANNED, QUARANTINED, ROLLED_BACK, Finding, QuarantineEntry, SymlinkConfig,
    SymlinkScan, db,
)
from linkdoctor.paths import real_root
from linkdoctor.quarantine.journal import JournalFile
from linkdoctor.quarantine.proposals import guard_verdicts, proposed_findings
from linkdoctor.repairlog import repair_log
from linkdoctor.scans import get_scan
from linkdoctor.scanner.checks import BROKEN, CORRUPTED, OK, SMALL
from linkdoctor.scanner.fileops import MOVED
from linkdoctor.scanner.pool import Task, WorkerPool

# What a link must still look like at confirmation time to be removed.
_STILL_BAD = {BROKEN: {BROKEN}, SMALL: {SMALL}, CORRUPTED: {OK, SMALL}}
JOURNAL_BATCH = 100


def quarantine_destination(quarantine_dir: Path, media_root: str, original: str) -> Path:
    """The link's place in the quarantine, timestamped where that place is taken."""
    destination = Path(quarantine_dir) / os.path.relpath(original, media_root)
    if os.path.lexists(destination):
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S%f")
        destination = destination.with_name(f"{destination.name}.{stamp}")
    return destination


def _recheck(paths: list[str], config: SymlinkConfig) -> dict:
    """Check the links again now, in the worker pool: the source may have come back."""
    results = {}
    pool = WorkerPool(config.max_workers, {"check": config.file_timeout},
                      {"small_threshold": config.small_file_threshold}, threading.Event())
    tasks = [Task("check", [(p, None) for p in paths[i:i + 256]]) for i in range(0, len(paths), 256)]
    for outcome in pool.run_all(tasks):
        if outcome.kind == "check":
            results[outcome.item[0]] = outcome.result if not outcome.failure else None
    return results


def confirm(scan_id: int, token: str, paths: list[str] | None, force: bool, media_root: str,
            data_dir: Path, quarantine_dir: Path) -> dict:
    """Move the confirmed links (all proposed, or the given subset) into the quarantine, under the library lock."""
    with library_lock(data_dir):
        return _confirm(scan_id, token, paths, force, media_root, data_dir, quarantine_dir)


def _confirm(scan_id: int, token: str, paths: list[str] | None, force: bool, media_root: str,
             data_dir: Path, quarantine_dir: Path) -> dict:
    scan = get_scan(scan_id)
    if scan.status != AWAITING_CONFIRMATION:
        raise ConflictError(f"scan {scan_id} is not waiting for confirmation (status {scan.status})")
    if not isinstance(token, str) or token != scan.confirm_token:
        raise StaleTokenError("the confirmation token does not match this scan's list; reload it and confirm again")
    findings = {f.path: f for f in proposed_findings(scan_id)}
    if paths is not None:
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise ValidationError("paths must be a list of paths from the proposed list")
        unknown = [p for p in paths if p not in findings]
        if unknown:
            raise ValidationError(f"{len(unknown)} path(s) are not in this scan's proposed list: {unknown[:5]}")
        findings = {p: findings[p] for p in dict.fromkeys(paths)}
    config = db.session.execute(select(SymlinkConfig)).scalars().first()
    guard = {v["source"]: v for v in guard_verdicts(list(findings.values()), scan, config)}
    root = real_root(media_root)
    skipped, chosen = [], []
    for path, finding in findings.items():
        verdict = guard.get(finding.source)
        if verdict and verdict["blocked"] and not force:
            skipped.append({"path": path, "reason": f"source blocked: {verdict['reason']}"})
        else:
            chosen.append(finding)
    now_seen = _recheck([f.path for f in chosen], config)
    ready = []
    for finding in chosen:
        check = now_seen.get(finding.path)
        if check is None:
            skipped.append({"path": finding.path, "reason": "no longer a link, or did not answer: left alone"})
        elif check.category not in _STILL_BAD[finding.category] or check.target != finding.target:
            skipped.append({"path": finding.path, "reason": f"changed since the scan (now {check.category}): left alone"})
        else:
            ready.append(finding)
    moved_paths = _move_batch(scan, ready, root, data_dir, quarantine_dir, config.file_timeout, skipped)
    # Links kept only because the guard blocked them leave the scan waiting, so that the
    # user can still override deliberately; anything else closes it.
    held_by_guard = any(item["reason"].startswith("source blocked") for item in skipped)
    scan.status = AWAITING_CONFIRMATION if held_by_guard else COMPLETED
    db.session.commit()
    for item in skipped:
        repair_log(data_dir, "skip", f"scan {scan_id}: {item['path']!r}: {item['reason']}")
    return {"scan_id": scan_id, "removed": len(moved_paths), "paths": moved_paths, "skipped": skipped,
            "blocked_sources": [v for v in guard.values() if v["blocked"]], "forced": bool(force)}


def _move_batch(scan: SymlinkScan, findings: list[Finding], root: str, data_dir: Path,
                quarantine_dir: Path, timeout: float, skipped: list[dict]) -> list[str]:
    """Journal every move first (state planned), then move each link in a worker and record what became of it."""
    entries = []
    reserved = set()
    for finding in findings:
        destination = quarantine_destination(quarantine_dir, root, finding.path)
        while str(destination) in reserved:
            destination = destination.with_name(destination.name + "_")
        reserved.add(str(destination))
        entries.append(QuarantineEntry(
            scan_id=scan.id, original_path=finding.path, quarantine_path=str(destination),
            target=finding.target, category=finding.category, reason=finding.detail, state=PLANNED,
        ))
    db.session.add_all(entries)
    db.session.commit()
    Path(quarantine_dir).mkdir(parents=True, exist_ok=True)
    journal = JournalFile(quarantine_dir)
    journal.record(entries)
    by_item = {(e.original_path, e.quarantine_path, root, str(quarantine_dir)): e for e in entries}
    # One worker, one link per task: the next link is sent only once this one's outcome
    # is recorded, so a crash leaves at most one move unrecorded (recovery settles it).
    pool = WorkerPool(1, {"move": timeout}, {}, threading.Event())
    moved = []
    for index, outcome in enumerate(pool.run_all([Task("move", [item]) for item in by_item]), 1):
        if outcome.kind != "move":
            continue
        entry = by_item[outcome.item]
        if _record_move(entry, outcome, timeout, data_dir, journal, skipped):
            moved.append(entry.original_path)
            # Counted with each entry, committed with it: after a crash the count still
            # matches what the journal says is in the quarantine.
            scan.files_deleted = (scan.files_deleted or 0) + 1
        if index % JOURNAL_BATCH == 0:
            db.session.commit()
    db.session.commit()
    return moved


def _record_move(entry: QuarantineEntry, outcome, timeout: float, data_dir: Path, journal: "JournalFile",
                 skipped: list[dict]) -> int:
    """Mark one journal entry with what its move did; 1 when the link is now in the quarantine."""
    if outcome.failure:
        # The move may still happen when the mount answers: the entry stays planned and
        # the next start settles it from what is on disk.
        skipped.append({"path": entry.original_path,
                        "reason": f"did not answer within {timeout:g}s: left for the next start to settle"})
        repair_log(data_dir, "error", f"scan {entry.scan_id}: moving {entry.original_path!r} did not answer")
        return 0
    status, message = outcome.result
    if status != MOVED:
        entry.state = ROLLED_BACK
        journal.record([entry])
        skipped.append({"path": entry.original_path, "reason": message})
        repair_log(data_dir, "error", f"scan {entry.scan_id}: could not move {entry.original_path!r}: {message}")
        return 0
    entry.state = QUARANTINED
    journal.record([entry])
    repair_log(data_dir, "quarantine",
               f"scan {entry.scan_id}: {entry.original_path!r} -> {entry.target!r} "
               f"({entry.category}: {entry.reason}) moved to {entry.quarantine_path!r}")
    return 1
