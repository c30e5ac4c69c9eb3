"""Restore quarantined links to where they were, and purge the ones past retention."""

import os
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from linkdoctor.errors import NotFoundError, ValidationError
from linkdoctor.jobs.lock import library_lock
from linkdoctor.models import PURGED, QUARANTINED, RESTORED, QuarantineEntry, db, utcnow
from linkdoctor.paths import is_inside, without_following_last
from linkdoctor.quarantine.moves import move_link
from linkdoctor.repairlog import repair_log


def restore(scan_id: int, data_dir: Path, paths: list[str] | None = None) -> dict:
    """Put a scan's quarantined links back (all, or the given original paths); refuse occupied paths."""
    with library_lock(data_dir):
        return _restore(scan_id, data_dir, paths)


def _restore(scan_id: int, data_dir: Path, paths: list[str] | None) -> dict:
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
        # Only ever delete links that sit inside our own quarantine folder.
        if is_inside(without_following_last(path), quarantine_root) and os.path.islink(path):
            os.unlink(path)
        entry.state = PURGED
        purged += 1
        repair_log(data_dir, "purge", f"scan {entry.scan_id}: quarantined {entry.original_path!r} deleted")
    db.session.commit()
    return {"purged": purged, "older_than_days": older_than_days}
