"""Restore quarantined links to where they were, and purge the ones past retention."""

import os
import threading
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from linkdoctor.errors import ConflictError, NotFoundError, ValidationError
from linkdoctor.events import PURGED as LINKS_PURGED, RESTORED as LINKS_RESTORED, library_changed
from linkdoctor.locks import library_lock
from linkdoctor.models import PURGED, QUARANTINED, RESTORED, RESTORING, QuarantineEntry, db, utcnow
from linkdoctor.paths import is_inside, without_following_last
from linkdoctor.config import get_config
from linkdoctor.quarantine.journal import JournalFile
from linkdoctor.scanner.fileops import MOVED
from linkdoctor.workers.pool import Task, WorkerPool
from linkdoctor.repairlog import repair_log
from linkdoctor.scans import check_page, text_filter

JOURNAL_BATCH = 100  # links whose move back is written to the journal file at once
RESTORE_WORKERS = 4


def restore(scan_id: int, data_dir: Path, paths: list[str] | None = None, media_root: str | None = None,
            quarantine_dir: Path | None = None, origin: str = "web") -> dict:
    """Put a scan's quarantined links back (all, or the given original paths); refuse occupied paths."""
    entries = _scan_entries(scan_id, paths)
    return restore_chosen(entries, data_dir, media_root, quarantine_dir, origin, scan_id)


def _scan_entries(scan_id: int, paths: list[str] | None) -> list[QuarantineEntry]:
    entries = list(db.session.execute(
        select(QuarantineEntry).where(QuarantineEntry.scan_id == scan_id, QuarantineEntry.state == QUARANTINED)
    ).scalars())
    if not entries:
        raise NotFoundError(f"scan {scan_id} has no links in the quarantine")
    if paths is None:
        return entries
    if not isinstance(paths, list) or not paths or not all(isinstance(p, str) for p in paths):
        raise ValidationError("paths must be a non-empty list of quarantined paths of this scan")
    by_path = {entry.original_path: entry for entry in entries}
    unknown = [p for p in paths if p not in by_path]
    if unknown:
        raise ValidationError(f"{len(unknown)} path(s) are not in this scan's quarantine: {unknown[:5]}")
    return [by_path[p] for p in dict.fromkeys(paths)]


def restore_chosen(entries: list[QuarantineEntry], data_dir: Path, media_root: str | None = None,
                   quarantine_dir: Path | None = None, origin: str = "web", scan_id: int | None = None) -> dict:
    """Put these quarantined links back under the library lock; one library_changed event for what came back."""
    config = get_config()
    media_root = media_root or config.media_path
    quarantine_dir = Path(quarantine_dir or Path(data_dir) / "trash" / "orphans")
    with library_lock(data_dir):
        for entry in entries:
            db.session.refresh(entry)
            if entry.state != QUARANTINED:  # restored or purged by someone else while we waited for the lock
                raise ConflictError(f"{entry.original_path} is no longer in the quarantine (now {entry.state})")
        return _restore(entries, data_dir, media_root, quarantine_dir, config.file_timeout, origin, scan_id)


# What a refused move back means to the user.
_RESTORE_REASONS = {"no longer there": "the quarantined link is gone"}


def _restore(entries: list[QuarantineEntry], data_dir: Path, media_root: str, quarantine_dir: Path,
             timeout: float, origin: str, scan_id: int | None) -> dict:
    """Journal every move back first (state restoring), then move them in workers, then record the outcome.

    Until the last commit the database says "restoring" for each link and the journal file says, link by
    link, which came back: a crash anywhere leaves recovery (recover_journal) what it needs to settle each.
    """
    journal = JournalFile(quarantine_dir)
    for entry in entries:
        entry.state = RESTORING
    journal.record(entries)
    db.session.commit()
    # Moved back in workers: the library may sit on a mount that stops answering, and every
    # folder on the way back is checked to resolve inside the media root before it is used.
    by_item = {(e.quarantine_path, e.original_path, str(quarantine_dir), media_root): e for e in entries}
    pool = WorkerPool(min(RESTORE_WORKERS, len(by_item)), {"move": timeout}, {}, threading.Event())
    restored, conflicts, settled = [], [], []
    for outcome in pool.run_all([Task("move", [item]) for item in by_item]):
        if outcome.kind != "move":
            continue
        entry = by_item[outcome.item]
        reason = _refusal(outcome, timeout)
        if outcome.failure:
            # The move may still happen when the mount answers: the entry stays "restoring" and
            # the next start settles it from what is on disk.
            conflicts.append({"path": entry.original_path, "reason": f"{reason}: left for the next start to settle"})
        elif reason is None:
            entry.state = RESTORED
            restored.append(entry)
        else:
            entry.state = QUARANTINED
            conflicts.append({"path": entry.original_path, "reason": reason})
        settled.append(entry)
        if len(settled) >= JOURNAL_BATCH:
            journal.record(settled)  # the file first: the database says it all at the end
            settled = []
    journal.record(settled)
    event = library_changed(LINKS_RESTORED, [_link(e) for e in restored], reason="restored from the quarantine",
                            scan_id=scan_id, origin=origin)
    db.session.commit()
    for entry in restored:
        repair_log(data_dir, "restore", f"scan {entry.scan_id}: {entry.original_path!r} put back from quarantine")
    for item in conflicts:
        repair_log(data_dir, "restore-refused", f"{item['path']!r}: {item['reason']}")
    paths = [e.original_path for e in restored]
    return {"scan_id": scan_id, "restored": len(paths), "paths": paths, "conflicts": conflicts,
            "event_id": event.id if event is not None else None}


def _refusal(outcome, timeout: float) -> str | None:
    """Why a link was not put back, or None when it was."""
    if outcome.failure:
        return f"did not answer within {timeout:g}s"
    status, message = outcome.result
    if status != MOVED:
        return _RESTORE_REASONS.get(message, message)
    return None


def _link(entry: QuarantineEntry) -> dict:
    return {"path": entry.original_path, "old_target": None, "new_target": entry.target, "scan_id": entry.scan_id}


def purge(older_than_days: int, data_dir: Path, quarantine_dir: Path, origin: str = "web") -> dict:
    """Delete quarantined links older than the retention; returns how many."""
    if isinstance(older_than_days, bool) or not isinstance(older_than_days, int) or older_than_days < 0:
        raise ValidationError("older_than_days must be a whole number of days, 0 or more")
    with library_lock(data_dir):
        return _purge(older_than_days, data_dir, quarantine_dir, origin)


def _purge(older_than_days: int, data_dir: Path, quarantine_dir: Path, origin: str) -> dict:
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
    gone = [e for e in entries if e.state == PURGED]
    JournalFile(quarantine_dir).record(gone)
    library_changed(LINKS_PURGED, [{"path": e.original_path, "old_target": e.target, "new_target": None,
                                    "scan_id": e.scan_id} for e in gone],
                    reason=f"purged: in the quarantine for more than {older_than_days} day(s)", origin=origin)
    db.session.commit()
    return {"purged": purged, "older_than_days": older_than_days}


RESTORE_AT_ONCE = 10_000  # ids one restore takes (POST /quarantine/restore), so the most one filter selects


def _quarantined(q: str | None, scan_id: int | None, category: str | None):
    """What is in the quarantine, narrowed by a search text, the scan that removed it and its category."""
    query = select(QuarantineEntry).where(QuarantineEntry.state == QUARANTINED)
    matching = text_filter(q, QuarantineEntry.original_path, QuarantineEntry.target)
    if matching is not None:
        query = query.where(matching)
    if scan_id is not None:
        query = query.where(QuarantineEntry.scan_id == scan_id)
    if category:
        query = query.where(QuarantineEntry.category == category)
    return query


def _facets() -> dict:
    """The scans and categories of everything in the quarantine, with their counts: the page's filters."""
    counted = {}
    for column in (QuarantineEntry.scan_id, QuarantineEntry.category):
        query = (select(column, func.count()).where(QuarantineEntry.state == QUARANTINED)
                 .group_by(column).order_by(column))
        counted[column.key] = [{"value": value, "count": count} for value, count in db.session.execute(query)]
    return {"scans": counted["scan_id"], "categories": counted["category"]}


def quarantine_page(page: int, per_page: int, q: str | None, retention_days: int, scan_id: int | None = None,
                    category: str | None = None) -> dict:
    """What is in the quarantine across scans, newest first: age and when retention will purge each."""
    check_page(page, per_page)
    query = _quarantined(q, scan_id, category)
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
            "retention_days": retention_days, "q": q or "", "scan_id": scan_id, "category": category or "",
            "items": items, **_facets()}


def quarantined_ids(q: str | None, scan_id: int | None = None, category: str | None = None) -> dict:
    """The ids of every quarantined link the filter matches (at most what one restore takes): "select all"."""
    query = _quarantined(q, scan_id, category).with_only_columns(QuarantineEntry.id).order_by(QuarantineEntry.id.desc())
    ids = list(db.session.execute(query.limit(RESTORE_AT_ONCE + 1)).scalars())
    return {"ids": ids[:RESTORE_AT_ONCE], "truncated": len(ids) > RESTORE_AT_ONCE}


def restore_entries(ids: list[int], data_dir: Path, origin: str = "web") -> dict:
    """Put chosen quarantined links back, whatever scan removed them; unknown or no longer quarantined ids are refused."""
    entries = db.session.execute(select(QuarantineEntry).where(QuarantineEntry.id.in_(ids))).scalars().all()
    found = {entry.id: entry for entry in entries if entry.state == QUARANTINED}
    unknown = [i for i in dict.fromkeys(ids) if i not in found]
    if unknown:
        raise ValidationError(f"{len(unknown)} id(s) are not in the quarantine: {unknown[:5]}")
    chosen = sorted(found.values(), key=lambda e: (e.scan_id, e.id))
    result = restore_chosen(chosen, data_dir, origin=origin)
    result["scans"] = sorted({e.scan_id for e in chosen})
    del result["scan_id"]
    return result
