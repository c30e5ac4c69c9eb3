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
from typing import Callable, NamedTuple

from sqlalchemy import delete, func, insert, select, update

from linkdoctor.library.identify import identify
from linkdoctor.library.scratch import Scratch, key, stream, text
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


class _Known(NamedTuple):
    id: int
    target: str
    size: int
    mtime_ns: int
    hash: str | None


class _Found(NamedTuple):
    """What the walk found of one item, as kept in the scratch table of new items; size, mtime, hash when read."""

    path: str
    target: str
    is_link: bool
    size: int | None = None
    mtime_ns: int | None = None
    hash: str | None = None

    @classmethod
    def of(cls, item: WalkItem) -> "_Found":
        sample = item.sample
        if sample is not None and sample.hash is not None:
            return cls(item.path, item.target, item.is_link, sample.size, sample.mtime_ns, sample.hash)
        return cls(item.path, item.target, item.is_link)


# known: the inventory's records in scope (their order: the first gone record of a hash is the one moved);
# seen: every path the walk found; new: items not known, until the walk's end says which were moved;
# gone: known and not seen; moves: the first gone record of each hash, taken once.
SCHEMA = """
CREATE TABLE known (path BLOB UNIQUE, id INTEGER, target TEXT, size INTEGER, mtime_ns INTEGER, hash TEXT);
CREATE TABLE seen (path BLOB PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE new (path BLOB, target BLOB, is_link INTEGER, size INTEGER, mtime_ns INTEGER, hash TEXT);
CREATE TABLE gone (path BLOB PRIMARY KEY, id INTEGER) WITHOUT ROWID;
CREATE TABLE moves (hash TEXT PRIMARY KEY, path BLOB, id INTEGER) WITHOUT ROWID;
"""
ADD_SEEN = "INSERT OR IGNORE INTO seen VALUES (?)"
ADD_NEW = "INSERT INTO new VALUES (?, ?, ?, ?, ?, ?)"


class Importer:
    """Runs one import; `run()` returns the summary.

    What it learns of the whole library (the known records, the paths seen, the new items) is kept in
    a scratch database, not in Python: memory stays flat at a million items, a re-import too.
    """

    def __init__(self, request: ImportRequest, progress: Progress, cancel: threading.Event):
        self.request = request
        self.report = progress
        self.cancel = cancel
        self.counts = dict.fromkeys(SUMMARY_KEYS, 0) | {"moved": 0, "forgotten": 0}
        self.failures: list[dict] = []
        self.new_items: list[_Found] = []  # a first import's batch not yet inserted
        self.updates: list[dict] = []  # changed records not yet written
        self.known = 0  # how many records in scope were known before the import
        self.scratch: Scratch | None = None
        self._last_report = 0.0

    def run(self) -> dict:
        with Scratch(SCHEMA) as self.scratch:
            return self._run()

    def _run(self) -> dict:
        self.report(0.0, "walk", "listing the library")
        self._load_known()
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

    def _load_known(self) -> None:
        rows = stream(select(InventoryItem.path, InventoryItem.id, InventoryItem.target,
                             InventoryItem.size, InventoryItem.mtime_ns, InventoryItem.hash))
        for row in rows:
            if self._in_scope(row.path):
                self.scratch.add("INSERT INTO known VALUES (?, ?, ?, ?, ?, ?)", (key(row.path), *tuple(row)[1:]))
                self.known += 1
        self.scratch.flush()

    def _known(self, path: str) -> _Known | None:
        if not self.known:
            return None
        row = self.scratch.one("SELECT id, target, size, mtime_ns, hash FROM known WHERE path = ?", (key(path),))
        return _Known(*row) if row else None

    def _in_scope(self, path: str) -> bool:
        return any(is_inside(path, root) for root in self.request.paths)

    def _plan(self, path: str, target: str) -> tuple:
        known = self._known(path)
        if known is not None and known.target == target and known.hash:
            return (known.size, known.mtime_ns), True  # read only when size or mtime changed
        return None, True

    def _on_item(self, item: WalkItem) -> None:
        if self.known:  # what was seen tells what is gone; with nothing known, nothing can be gone
            self.scratch.add(ADD_SEEN, (key(item.path),))
        if item.failure:
            self._failed(item.path, item.failure)
            return
        sample = item.sample
        known = self._known(item.path)
        if sample.error:
            self._failed(item.path, ("target missing: " if sample.missing else "") + sample.error)
            if sample.missing and known is None:
                # A broken link never imported: its names still say what it was, which repair needs.
                self._on_new(_Found.of(item))
            return
        if known is None:
            self._on_new(_Found.of(item))
        elif sample.hash is None:
            self.counts["skipped"] += 1
        else:
            self._update(known.id, _Found.of(item))
            self.counts["updated"] += 1

    def _on_new(self, found: _Found) -> None:
        if self.known:
            self.scratch.add(ADD_NEW, (key(found.path), key(found.target), *found[2:]))  # moved or new: the end tells
            return
        # Nothing known, so nothing moved: new items are recorded as they come.
        self.new_items.append(found)
        if len(self.new_items) >= INSERT_BATCH:
            self._insert_new(self.new_items)
            self.new_items = []

    def _insert_new(self, items: list[_Found]) -> None:
        """Record items new to the inventory: one multi-row INSERT per batch (the ORM would spend seconds)."""
        rows = [self._fields(found) | {"path": found.path, "imported_at": utcnow()} for found in items]
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
        self._insert_new(self.new_items)
        self.new_items = []
        if not self.known:
            return
        scratch = self.scratch
        gone = scratch.rows("SELECT path, id, hash FROM known WHERE path NOT IN (SELECT path FROM seen) ORDER BY rowid")
        for path, record_id, digest in gone:
            if any(is_inside(text(path), folder) for folder in failed_folders):
                continue  # not listed: unknown, not gone
            scratch.add("INSERT INTO gone VALUES (?, ?)", (path, record_id))
            if digest:
                scratch.add("INSERT OR IGNORE INTO moves VALUES (?, ?, ?)", (digest, path, record_id))
        batch = []
        for path, target, is_link, *read in scratch.rows("SELECT * FROM new ORDER BY rowid"):
            found = _Found(text(path), text(target), bool(is_link), *read)
            moved = scratch.one("SELECT path, id FROM moves WHERE hash = ?", (found.hash,)) if found.hash else None
            if moved is not None:
                old_path, record_id = text(moved[0]), moved[1]
                scratch.execute("DELETE FROM moves WHERE hash = ?", (found.hash,))
                scratch.execute("DELETE FROM gone WHERE path = ?", (moved[0],))
                self._update(record_id, found)
                self.counts["updated"] += 1
                self.counts["moved"] += 1
                log.info("import: %s moved to %s", old_path, found.path)
            else:
                batch.append(found)
                if len(batch) >= INSERT_BATCH:
                    self._insert_new(batch)
                    batch = []
        self._insert_new(batch)
        self._write_updates()  # moved paths first, so no new path collides with a forgotten one
        ids = []
        for (record_id,) in scratch.rows("SELECT id FROM gone"):
            ids.append(record_id)
            if len(ids) >= 500:
                self._forget(ids)
                ids = []
        self._forget(ids)

    def _forget(self, ids: list[int]) -> None:
        if ids:
            db.session.execute(delete(InventoryItem).where(InventoryItem.id.in_(ids)))
            self.counts["forgotten"] += len(ids)

    def _update(self, record_id: int, found: _Found) -> None:
        """Bring a record up to date with what the walk found: path, target, identity, size, mtime, hash."""
        self.updates.append({"id": record_id, "path": found.path, **self._fields(found)})
        if len(self.updates) >= INSERT_BATCH:
            self._write_updates()

    def _write_updates(self) -> None:
        if self.updates:
            db.session.execute(update(InventoryItem), self.updates)  # UPDATE by primary key, in one executemany
            self.updates = []

    def _fields(self, found: _Found) -> dict:
        """A record's fields from what the walk found; size, mtime and hash only when the target was read."""
        relative = os.path.relpath(found.path, self.request.media_root)
        identity = identify(relative, found.target, self.request.movie_folders, self.request.series_folders)
        fields = {"target": found.target, "is_link": bool(found.is_link),
                  "kind": identity.kind if identity.complete else "",
                  "title": identity.title, "year": identity.year, "season": identity.season,
                  "episodes": list(identity.episodes), "pending": not identity.complete, "updated_at": utcnow()}
        if found.hash is not None:
            fields.update(size=found.size, mtime_ns=found.mtime_ns, hash=found.hash)
        return fields


def pending_items(page: int = 1, per_page: int = 50) -> dict:
    """A page of the items waiting to be identified by hand."""
    query = select(InventoryItem).where(InventoryItem.pending).order_by(InventoryItem.path)
    total = db.session.execute(select(func.count()).select_from(InventoryItem).where(InventoryItem.pending)).scalar_one()
    rows = db.session.execute(query.offset((page - 1) * per_page).limit(per_page)).scalars()
    return {"total": total, "page": page, "per_page": per_page,
            "items": [{**row.to_dict(), "action": PENDING_ACTION} for row in rows]}
