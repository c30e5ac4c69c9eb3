"""Real mode: propose, confirm, move links into the quarantine, restore, purge, recover.

Nothing is deleted: a confirmed link is moved (as a link; its target is never
touched) into <data>/trash/orphans, keeping its path relative to the media root.
Every move is journalled before it happens, so a crash leaves each link either
in the library or in the quarantine with its journal entry.
"""

import collections
import errno
import hashlib
import os
import threading
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from linkdoctor.errors import ConflictError, NotFoundError, StaleTokenError, ValidationError
from linkdoctor.models import (
    AWAITING_CONFIRMATION, COMPLETED, MISSING, PLANNED, PURGED, QUARANTINED, RESTORED, ROLLED_BACK,
    Finding, QuarantineEntry, SymlinkConfig, SymlinkScan, db, utcnow,
)
from linkdoctor.paths import is_inside, real_root, without_following_last
from linkdoctor.repairlog import repair_log
from linkdoctor.scans import get_scan
from linkdoctor.scanner.checks import BROKEN, CORRUPTED, OK, SMALL
from linkdoctor.scanner.guard import evaluate_sources
from linkdoctor.scanner.pool import Task, WorkerPool

# Categories a user may remove. Timeouts, permission and I/O errors are symptoms of
# a sick source, not of a dead link: they are shown, never proposed.
REMOVABLE = (BROKEN, SMALL, CORRUPTED)
# What a link must still look like at confirmation time to be removed.
_STILL_BAD = {BROKEN: {BROKEN}, SMALL: {SMALL}, CORRUPTED: {OK, SMALL}}
JOURNAL_BATCH = 100


def proposal_token(scan_id: int, paths: list[str]) -> str:
    """A token naming exactly this list: a stale page cannot confirm a different one."""
    digest = hashlib.sha256(f"{scan_id}\0".encode())
    for path in sorted(paths):
        digest.update(path.encode("utf-8", "surrogateescape") + b"\0")
    return digest.hexdigest()[:32]


def proposed_findings(scan_id: int) -> list[Finding]:
    return list(db.session.execute(
        select(Finding).where(Finding.scan_id == scan_id, Finding.proposed.is_(True)).order_by(Finding.id)
    ).scalars())


def _guard(findings: list[Finding], scan: SymlinkScan, config: SymlinkConfig) -> list[dict]:
    proposed = collections.Counter(f.source for f in findings)
    verdicts = evaluate_sources(proposed, scan.source_stats or {}, config.broken_share_limit, config.file_timeout)
    return [v.to_dict() for v in verdicts]


def prepare_confirmation(scan: SymlinkScan, config: SymlinkConfig) -> None:
    """At the end of a real-mode scan: mark the proposals, run the guard, set the token."""
    db.session.execute(
        db.update(Finding).where(Finding.scan_id == scan.id, Finding.category.in_(REMOVABLE)).values(proposed=True)
    )
    findings = proposed_findings(scan.id)
    scan.guard = _guard(findings, scan, config)
    scan.warnings = list(scan.warnings or []) + [
        f"not removing {v['proposed']} link(s) into {v['source']}: {v['reason']}" for v in scan.guard if v["blocked"]
    ]
    scan.confirm_token = proposal_token(scan.id, [f.path for f in findings])


def confirmation_view(scan: SymlinkScan) -> dict | None:
    """What the status shows of a scan waiting for confirmation."""
    if scan.status != AWAITING_CONFIRMATION:
        return None
    blocked = sum(v["proposed"] for v in scan.guard or [] if v["blocked"])
    proposed = db.session.execute(
        select(db.func.count()).where(Finding.scan_id == scan.id, Finding.proposed.is_(True))
    ).scalar_one()
    return {"token": scan.confirm_token, "proposed": proposed, "blocked": blocked,
            "sources": scan.guard or []}


# -- moving links ---------------------------------------------------------


def quarantine_destination(quarantine_dir: Path, media_root: str, original: str) -> Path:
    """The link's place in the quarantine, timestamped where that place is taken."""
    destination = Path(quarantine_dir) / os.path.relpath(original, media_root)
    if os.path.lexists(destination):
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S%f")
        destination = destination.with_name(f"{destination.name}.{stamp}")
    return destination


def move_link(source: str, destination: str) -> None:
    """Move a symlink as a link. Across filesystems: copy the link first, then unlink the original."""
    os.makedirs(os.path.dirname(destination), exist_ok=True)
    try:
        os.rename(source, destination)
    except OSError as exc:
        if exc.errno != errno.EXDEV:  # the quarantine is on another filesystem: copy, then unlink
            raise
        os.symlink(os.readlink(source), destination)
        os.unlink(source)


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
    """Move the confirmed links (all proposed, or the given subset) into the quarantine."""
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
    guard = {v["source"]: v for v in _guard(list(findings.values()), scan, config)}
    root = real_root(media_root)
    skipped, chosen = [], []
    for path, finding in findings.items():
        verdict = guard.get(finding.source)
        if verdict and verdict["blocked"] and not force:
            skipped.append({"path": path, "reason": f"source blocked: {verdict['reason']}"})
        elif not is_inside(without_following_last(path), root):
            skipped.append({"path": path, "reason": "outside the media root"})
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
    moved = _move_batch(scan, ready, root, data_dir, quarantine_dir)
    scan.files_deleted = (scan.files_deleted or 0) + moved
    # Links kept only because the guard blocked them leave the scan waiting, so that the
    # user can still override deliberately; anything else closes it.
    held_by_guard = any(item["reason"].startswith("source blocked") for item in skipped)
    scan.status = AWAITING_CONFIRMATION if held_by_guard else COMPLETED
    db.session.commit()
    for item in skipped:
        repair_log(data_dir, "skip", f"scan {scan_id}: {item['path']!r}: {item['reason']}")
    return {"scan_id": scan_id, "removed": moved, "skipped": skipped,
            "blocked_sources": [v for v in guard.values() if v["blocked"]], "forced": bool(force)}


def _move_batch(scan: SymlinkScan, findings: list[Finding], root: str, data_dir: Path,
                quarantine_dir: Path) -> int:
    """Journal every move first (state planned), then move and mark each one quarantined."""
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
    moved = 0
    for index, entry in enumerate(entries, 1):
        try:
            move_link(entry.original_path, entry.quarantine_path)
        except OSError as exc:
            entry.state = ROLLED_BACK
            repair_log(data_dir, "error", f"scan {scan.id}: could not move {entry.original_path!r}: {exc}")
        else:
            entry.state = QUARANTINED
            moved += 1
            repair_log(data_dir, "quarantine",
                       f"scan {scan.id}: {entry.original_path!r} -> {entry.target!r} "
                       f"({entry.category}: {entry.reason}) moved to {entry.quarantine_path!r}")
        if index % JOURNAL_BATCH == 0:
            db.session.commit()
    db.session.commit()
    return moved


# -- restore, purge, recovery -----------------------------------------------


def restore(scan_id: int, data_dir: Path, paths: list[str] | None = None) -> dict:
    """Put a scan's quarantined links back (all, or the given original paths); refuse occupied paths."""
    entries = list(db.session.execute(
        select(QuarantineEntry).where(QuarantineEntry.scan_id == scan_id, QuarantineEntry.state == QUARANTINED)
    ).scalars())
    if not entries:
        raise NotFoundError(f"scan {scan_id} has no links in the quarantine")
    if paths is not None:
        if not isinstance(paths, list) or not paths or not all(isinstance(p, str) for p in paths):
            raise ValidationError("paths must be a non-empty list of quarantined paths of this scan")
        by_path = {entry.original_path: entry for entry in entries}
        unknown = [p for p in paths if p not in by_path]
        if unknown:
            raise ValidationError(f"{len(unknown)} path(s) are not in this scan's quarantine: {unknown[:5]}")
        entries = [by_path[p] for p in dict.fromkeys(paths)]
    restored, conflicts = [], []
    for entry in entries:
        if os.path.lexists(entry.original_path):
            conflicts.append({"path": entry.original_path, "reason": "something now occupies this path"})
            continue
        if not os.path.islink(entry.quarantine_path):
            conflicts.append({"path": entry.original_path, "reason": "the quarantined link is gone"})
            continue
        move_link(entry.quarantine_path, entry.original_path)
        entry.state = RESTORED
        restored.append(entry.original_path)
        repair_log(data_dir, "restore", f"scan {scan_id}: {entry.original_path!r} put back from quarantine")
    db.session.commit()
    for item in conflicts:
        repair_log(data_dir, "restore-refused", f"scan {scan_id}: {item['path']!r}: {item['reason']}")
    return {"scan_id": scan_id, "restored": len(restored), "paths": restored, "conflicts": conflicts}


def purge(older_than_days: int, data_dir: Path, quarantine_dir: Path) -> dict:
    """Delete quarantined links older than the retention; returns how many."""
    if isinstance(older_than_days, bool) or not isinstance(older_than_days, int) or older_than_days < 0:
        raise ValidationError("older_than_days must be a whole number of days, 0 or more")
    cutoff = utcnow() - timedelta(days=older_than_days)
    entries = list(db.session.execute(
        select(QuarantineEntry).where(QuarantineEntry.state == QUARANTINED, QuarantineEntry.created_at <= cutoff)
    ).scalars())
    quarantine_root = os.path.realpath(quarantine_dir)
    purged = 0
    for entry in entries:
        path = entry.quarantine_path
        # Only ever delete links that sit inside our own quarantine folder.
        if is_inside(without_following_last(path), quarantine_root) and os.path.islink(path):
            os.unlink(path)
        entry.state = PURGED
        purged += 1
        repair_log(data_dir, "purge", f"scan {entry.scan_id}: quarantined {entry.original_path!r} deleted")
    db.session.commit()
    return {"purged": purged, "older_than_days": older_than_days}


def recover_journal(data_dir: Path) -> dict:
    """After a crash: finish or roll back every move journalled as planned."""
    entries = list(db.session.execute(select(QuarantineEntry).where(QuarantineEntry.state == PLANNED)).scalars())
    finished = rolled_back = 0
    for entry in entries:
        in_library = os.path.lexists(entry.original_path)
        in_quarantine = os.path.islink(entry.quarantine_path)
        if in_quarantine and not in_library:
            entry.state = QUARANTINED
            finished += 1
        elif not in_quarantine and not in_library:
            # Cannot come from our own moves (a rename is atomic, a copy precedes the unlink):
            # someone removed it meanwhile. Say so rather than pretend it was put back.
            entry.state = MISSING
            repair_log(data_dir, "error", f"scan {entry.scan_id}: {entry.original_path!r} is neither in the "
                                          f"library nor in the quarantine")
            continue
        else:
            if in_quarantine and in_library:  # a cross-filesystem copy made before the unlink
                os.unlink(entry.quarantine_path)
            entry.state = ROLLED_BACK
            rolled_back += 1
        repair_log(data_dir, "recover", f"scan {entry.scan_id}: {entry.original_path!r} {entry.state} after a crash")
    db.session.commit()
    return {"finished": finished, "rolled_back": rolled_back}


def entries_of(scan_id: int) -> list[dict]:
    """The journal entries of a scan."""
    return [e.to_dict() for e in db.session.execute(
        select(QuarantineEntry).where(QuarantineEntry.scan_id == scan_id).order_by(QuarantineEntry.id)
    ).scalars()]
