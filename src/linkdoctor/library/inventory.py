"""Import: walk the library, identify and hash every media link and file, and bring the inventory up to date.

An unchanged item (same target, size and mtime) is skipped without being read.
A known path with a new hash updates its record; a new path whose hash belongs
to a record gone from its path is that record, moved; a record whose path is
gone is forgotten. Items that cannot be identified wait in the pending list.
A failing file is logged and counted and never stops the import; nothing under
a folder that could not be listed is forgotten.
"""

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import delete, func, insert, select

from linkdoctor.library.identify import identify
from linkdoctor.library.walk import LibraryWalk, WalkItem
from linkdoctor.models import InventoryItem, db, utcnow
from linkdoctor.paths import is_inside

log = logging.getLogger(__name__)
ERRORS_KEPT = 50  # failing items listed in the result; all of them are in the log
PROGRESS_SECONDS = 0.1
INSERT_BATCH = 1000
PENDING_ACTION = "rename it ('Title (Year).ext' or 'Series - S01E02.ext'), then linkdoctor import"
SUMMARY_KEYS = ("imported", "updated", "skipped", "pending", "errors")

Progress = Callable[[float, str, str], None]


@dataclass
class ImportRequest:
    """What to import and how; paths are absolute and already checked against the media root."""

    media_root: str
    paths: list[str]
    movie_folders: list[str]
    series_folders: list[str]
    max_workers: int = 6
    file_timeout: float = 5.0
    source_roots: list[str] = field(default_factory=list)
    dry_run: bool = False


@dataclass
class _Known:
    id: int
    target: str
    size: int
    mtime_ns: int
    hash: str | None


class Importer:
    """Runs one import; `run()` returns the summary."""

    def __init__(self, request: ImportRequest, progress: Progress, cancel: threading.Event):
        self.request = request
        self.report = progress
        self.cancel = cancel
        self.counts = dict.fromkeys(SUMMARY_KEYS, 0) | {"moved": 0, "forgotten": 0}
        self.failures: list[dict] = []
        self.new_items: list[WalkItem] = []
        self.seen: set[str] = set()
        self.known: dict[str, _Known] = {}
        self._last_report = 0.0

    def run(self) -> dict:
        self.report(0.0, "walk", "listing the library")
        self.known = self._load_known()
        walk = LibraryWalk(self.request.paths, self.request.max_workers, self.request.file_timeout,
                           self.cancel, self._plan, self.request.source_roots, on_tick=self._progress)
        for item in walk.run():
            self._on_item(item)
            self._progress(walk)
        self.report(0.95, "record", "recording new and moved items")
        failed = [folder for folder, _ in walk.stats.failed_folders]
        for folder, reason in walk.stats.failed_folders:
            self._failed(folder, f"folder not listed: {reason}")
        self._record_new_and_moved(failed)
        self.counts["pending"] = db.session.execute(
            select(func.count()).select_from(InventoryItem).where(InventoryItem.pending)).scalar_one()
        if self.request.dry_run:
            db.session.rollback()
        else:
            db.session.commit()
        return {**self.counts, "dry_run": self.request.dry_run, "failures": self.failures,
                "discovered": walk.stats.discovered}

    # -- walk --------------------------------------------------------------

    def _load_known(self) -> dict[str, _Known]:
        rows = db.session.execute(select(InventoryItem.id, InventoryItem.path, InventoryItem.target,
                                         InventoryItem.size, InventoryItem.mtime_ns, InventoryItem.hash))
        return {row.path: _Known(row.id, row.target, row.size, row.mtime_ns, row.hash)
                for row in rows if self._in_scope(row.path)}

    def _in_scope(self, path: str) -> bool:
        return any(is_inside(path, root) for root in self.request.paths)

    def _plan(self, path: str, target: str) -> tuple:
        known = self.known.get(path)
        if known is not None and known.target == target and known.hash:
            return (known.size, known.mtime_ns), True  # read only when size or mtime changed
        return None, True

    def _on_item(self, item: WalkItem) -> None:
        if self.known:  # what was seen tells what is gone; with nothing known, nothing can be gone
            self.seen.add(item.path)
        if item.failure:
            self._failed(item.path, item.failure)
            return
        sample = item.sample
        known = self.known.get(item.path)
        if sample.error:
            self._failed(item.path, ("target missing: " if sample.missing else "") + sample.error)
            if sample.missing and known is None:
                # A broken link never imported: its names still say what it was, which repair needs.
                self._on_new(item)
            return
        if known is None:
            self._on_new(item)
        elif sample.hash is None:
            self.counts["skipped"] += 1
        else:
            self._update(db.session.get(InventoryItem, known.id), item)
            self.counts["updated"] += 1

    def _on_new(self, item: WalkItem) -> None:
        self.new_items.append(item)
        if not self.known and len(self.new_items) >= INSERT_BATCH:
            # Nothing known, so nothing moved: new items are recorded as they come and memory stays
            # flat, whatever the size of a first import.
            self._insert_new(self.new_items)
            self.new_items = []

    def _insert_new(self, items: list[WalkItem]) -> None:
        """Record items new to the inventory: one multi-row INSERT per batch (the ORM would spend seconds)."""
        rows = [self._fields(item) | {"path": item.path, "imported_at": utcnow()} for item in items]
        for start in range(0, len(rows), INSERT_BATCH):
            db.session.execute(insert(InventoryItem), rows[start:start + INSERT_BATCH])
        self.counts["imported"] += len(rows)

    def _progress(self, walk: LibraryWalk) -> None:
        now = time.monotonic()
        if now - self._last_report < PROGRESS_SECONDS:
            return
        self._last_report = now
        stats = walk.stats
        if not stats.walk_done:
            self.report(0.05, "walk", f"{stats.progress_text('read', 'media items')}, {stats.sampled:,} read")
        else:
            fraction = stats.sampled / stats.discovered if stats.discovered else 1.0
            self.report(0.05 + 0.9 * fraction, "hash", stats.progress_text("read", "media items"))

    def _failed(self, path: str, reason: str) -> None:
        log.warning("import: %s: %s", path, reason)
        self.counts["errors"] += 1
        if len(self.failures) < ERRORS_KEPT:
            self.failures.append({"path": path, "reason": reason})

    # -- records -----------------------------------------------------------

    def _record_new_and_moved(self, failed_folders: list[str]) -> None:
        gone = {path: known for path, known in self.known.items()
                if path not in self.seen and not any(is_inside(path, f) for f in failed_folders)}
        gone_by_hash: dict[str, str] = {}
        for path, known in gone.items():
            if known.hash:
                gone_by_hash.setdefault(known.hash, path)
        new = []
        for item in self.new_items:
            digest = item.sample.hash if item.sample else None
            old_path = gone_by_hash.pop(digest, None) if digest else None
            if old_path is not None:
                record = db.session.get(InventoryItem, gone.pop(old_path).id)
                record.path = item.path
                self._update(record, item)
                self.counts["updated"] += 1
                self.counts["moved"] += 1
                log.info("import: %s moved to %s", old_path, item.path)
            else:
                new.append(item)
        self._insert_new(new)
        self.new_items = []
        if gone:
            db.session.flush()  # moved paths first, so no new path collides with a forgotten one
            ids = [known.id for known in gone.values()]
            for start in range(0, len(ids), 500):
                db.session.execute(delete(InventoryItem).where(InventoryItem.id.in_(ids[start:start + 500])))
            self.counts["forgotten"] = len(ids)

    def _update(self, record: InventoryItem, item: WalkItem) -> None:
        """Bring a record up to date with what the walk found: target, identity, size, mtime, hash."""
        for name, value in self._fields(item).items():
            setattr(record, name, value)

    def _fields(self, item: WalkItem) -> dict:
        """A record's fields from what the walk found; size, mtime and hash only when the target was read."""
        relative = os.path.relpath(item.path, self.request.media_root)
        identity = identify(relative, item.target, self.request.movie_folders, self.request.series_folders)
        fields = {"target": item.target, "is_link": item.is_link, "kind": identity.kind if identity.complete else "",
                  "title": identity.title, "year": identity.year, "season": identity.season,
                  "episodes": list(identity.episodes), "pending": not identity.complete, "updated_at": utcnow()}
        sample = item.sample
        if sample is not None and sample.hash is not None:
            fields.update(size=sample.size, mtime_ns=sample.mtime_ns, hash=sample.hash)
        return fields


def pending_items(page: int = 1, per_page: int = 50) -> dict:
    """A page of the items waiting to be identified by hand."""
    query = select(InventoryItem).where(InventoryItem.pending).order_by(InventoryItem.path)
    total = db.session.execute(select(func.count()).select_from(InventoryItem).where(InventoryItem.pending)).scalar_one()
    rows = db.session.execute(query.offset((page - 1) * per_page).limit(per_page)).scalars()
    return {"total": total, "page": page, "per_page": per_page,
            "items": [{**row.to_dict(), "action": PENDING_ACTION} for row in rows]}
