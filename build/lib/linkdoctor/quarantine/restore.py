"""Restore quarantined links to where they were, and purge the ones past retention."""

import os
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from linkdoctor.errors import NotFoundError, ValidationError
from linkdoctor.jobs.lock import library_lock
from linkdoctor.models import PURGED, QUARANTINED, RESTORED, QuarantineEntry, db, utcnow
from linkdoctor.paths import is_inside, without_following_last
from linkdoctor.config import get_config
from linkdoctor.quarantine.journal import JournalFile
from linkdoctor.scanner.fileops import MOVED
from linkdoctor.scanner.pool import run_items
from linkdoctor.repairlog import repair_log
from linkdoctor.scans import check_page, text_filter


def restore(scan_id: int, data_dir: Path, paths: list[str] | None = None, media_root: str | None = None,
            quarantine_dir: Path | None = None) -> dict:
    """Put a scan's quarantined links back (all, or the given original paths); refuse occupied paths."""
    config = get_config()
    media_root = media_root or config.media_path
    quarantine_dir = Path(quarantine_dir or Path(data_dir) / "trash" / "orphans")
    with library_lock(data_dir):
        return _restore(scan_id, data_dir, paths, media_root, quarantine_dir, config.file_timeout)


# What a refused move back means to the user.
_RESTORE_REASONS = {"no longer there": "the quarantined link is gone"}


def _restore(scan_id: int, data_dir: Path, paths: list[str] | None, media_root: str, quarantine_dir: Path,
             timeout: float) -> dict:
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
    # Moved back in workers: the library may sit on a mount that stops answering, and every
    # folder on the way back is checked to resolve inside the media root before it is used.
    by_item = {(e.quarantine_path, e.original_path, str(quarantine_dir), media_root): e for e in entries}
    answers = run_items("move", list(by_item), timeout)
    restored, conflicts, journal = [], [], JournalFile(quarantine_dir)
    for item, entry in by_item.items():
        outcome = answers.get(item)
        if outcome is None or outcome.failure:
            conflicts.append({"path": entry.original_path, "reason": f"did not answer within {timeout:g}s"})
            continue
        status, message = outcome.result
        if status != MOVED:
            conflicts.append({"path": entry.original_path, "reason": _RESTORE_REASONS.get(message, message)})
            continue
        entry.state = RESTORED
        restored.append(entry.original_path)
        repair_log(data_dir, "restore", f"scan {scan_id}: {entry.original_path!r} put back from quarantine")
    journal.record([by_item[i] for i in by_item if by_item[i].state == RESTORED])
    db.session.commit()
    for item in conflicts:
        repair_log(data_dir, "restore-refused", f"scan {scan_id}: {item['path']!r}: {item['reason']}")
    return {"scan_id": scan_id, "restored": len(restored), "paths": restored, "conflicts": conflicts}


def purge(older_than_days: int, data_dir: Path, quarantine_dir: Path) -> dict:
    """Delete quarantined links older than the retention; returns how many."""
    if isinstance(older_than_days, bool) or not isinstance(older_than_days, int) or older_than_days < 0:
        raise ValidationError("older_than_days must be a whole number of days, 0 or more")
    with library_lock(data_dir):
        return _purge(older_than_days, data_dir, quarantine_dir)


def _purge(older_than_days: int, data_dir: Path, quarantine_dir: Path) -> dict:
    cutoff = utcnow() - timedelta(days=older_than_days)
    entries = list(db.session.execute(
        select(QuarantineEntry).where(QuarantineEntry.state == QUARANTINED, QuarantineEntry.created_at <= cutoff)
    ).scalars())
    quarantine_root = os.path.realpath(quarantine_dir)
    purged = 0
    for entry in entries:
        path = entry.quarantine_path
        # Only ever delete what sits inside our own quarantine folder: a link, or a regular
        # file moved there with include_regular_files; never a folder.
        inside = is_inside(without_following_last(path), quarantine_root)
        if inside and (os.path.islink(path) or os.path.isfile(path)):
            os.unlink(path)
        elif os.path.lexists(path):
            repair_log(data_dir, "purge-refused", f"scan {entry.scan_id}: {path!r} is not ours to delete: kept")
            continue
        entry.state = PURGED
        purged += 1
        repair_log(data_dir, "purge", f"scan {entry.scan_id}: quarantined {entry.original_path!r} deleted")
    JournalFile(quarantine_dir).record([e for e in entries if e.state == PURGED])
    db.session.commit()
    return {"purged": purged, "older_than_days": older_than_days}


def quarantine_page(page: int, per_page: int, q: str | None, retention_days: int) -> dict:
    """What is in the quarantine across scans, newest first: age and when retention will purge each."""
    check_page(page, per_page)
    query = select(QuarantineEntry).where(QuarantineEntry.state == QUARANTINED)
    matching = text_filter(q, QuarantineEntry.original_path, QuarantineEntry.target)
    if matching is not None:
        query = query.where(matching)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = db.session.execute(query.order_by(QuarantineEntry.id.desc())
                              .offset((page - 1) * per_page).limit(per_page)).scalars()
    now = utcnow()
    items = []
    for entry in rows:
        item = entry.to_dict()
        item["age_days"] = round((now - entry.created_at).total_seconds() / 86400, 1)
        item["purge_after"] = (entry.created_at + timedelta(days=retention_days)).isoformat()
        items.append(item)
    return {"page": page, "per_page": per_page, "total": total, "pages": (total + per_page - 1) // per_page,
            "retention_days": retention_days, "q": q or "", "items": items}


def restore_entries(ids: list[int], data_dir: Path) -> dict:
    """Put chosen quarantined links back, scan by scan; unknown or no longer quarantined ids are refused."""
    entries = db.session.execute(select(QuarantineEntry).where(QuarantineEntry.id.in_(ids))).scalars().all()
    found = {entry.id: entry for entry in entries if entry.state == QUARANTINED}
    unknown = [i for i in dict.fromkeys(ids) if i not in found]
    if unknown:
        raise ValidationError(f"{len(unknown)} id(s) are not in the quarantine: {unknown[:5]}")
    by_scan: dict[int, list[str]] = {}
    for entry in found.values():
        by_scan.setdefault(entry.scan_id, []).append(entry.original_path)
    restored, paths, conflicts = 0, [], []
    for scan_id, scan_paths in sorted(by_scan.items()):
        result = restore(scan_id, data_dir, scan_paths)
        restored += result["restored"]
        paths += result["paths"]
        conflicts += result["conflicts"]
    return {"restored": restored, "paths": paths, "conflicts": conflicts, "scans": sorted(by_scan)}
