"""Check: compare the inventory, the library and the source roots; report every inconsistency.

Suggestions only: a check never changes the library or the inventory. Its
results go into the check_result table, one row per entry, so that a page of
30,000 orphans is one indexed query and never reaches a browser whole.
"""

import os
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import delete, func, insert, select

from linkdoctor.library.identify import Identity, identify
from linkdoctor.library.inventory import PENDING_ACTION
from linkdoctor.library.scratch import Scratch, key, stream, text
from linkdoctor.library.walk import LibraryWalk, WalkItem
from linkdoctor.models import CheckResult, InventoryItem, Job, db
from linkdoctor.paths import is_inside

GHOSTS, BROKEN, ORPHANS, DUPLICATES, UNIDENTIFIED, MISMATCHES = (
    "ghost_entries", "broken_symlinks", "orphan_files", "duplicate_targets", "unidentified", "hash_mismatches",
)
CATEGORIES = (GHOSTS, BROKEN, ORPHANS, DUPLICATES, UNIDENTIFIED, MISMATCHES)
LEGITIMATE, SUSPICIOUS = "legitimate", "suspicious"
ACTIONS = {
    GHOSTS: "linkdoctor import",
    BROKEN: "linkdoctor repair-links",
    ORPHANS: "linkdoctor import (after linking it into the library), or delete it",
    DUPLICATES: "linkdoctor fix-bad-links",
    UNIDENTIFIED: PENDING_ACTION,
    MISMATCHES: "linkdoctor import (records the new content), or replace the file if it was damaged",
}
DESCRIPTIONS = {
    GHOSTS: "in the inventory, gone from the library",
    BROKEN: "library links whose target is missing",
    ORPHANS: "media files in the source roots that no library link points to",
    DUPLICATES: "one target shared by several links (legitimate: the same item; suspicious: different ones)",
    UNIDENTIFIED: "items the import could not identify, waiting to be renamed by hand",
    MISMATCHES: "targets whose content no longer matches the recorded hash (--verify-hash)",
}
# What the page calls each category, and the fix its button starts (None: no button, the action says what to do).
LABELS = {
    GHOSTS: "Recorded but gone",
    BROKEN: "Broken links",
    ORPHANS: "Files no link points to",
    DUPLICATES: "Files shared by several links",
    UNIDENTIFIED: "Not identified",
    MISMATCHES: "Content changed",
}
FIXES = {GHOSTS: "import", BROKEN: "repair_broken", ORPHANS: None, DUPLICATES: "repair_shared",
         UNIDENTIFIED: "pending", MISMATCHES: "import"}
CHECKS_KEPT = 5  # check jobs whose results stay in the table
INSERT_BATCH = 1000
PROGRESS_SECONDS = 0.1

Progress = Callable[[float, str, str], None]


@dataclass
class CheckRequest:
    media_root: str
    movie_folders: list[str]
    series_folders: list[str]
    source_roots: list[str] = field(default_factory=list)
    max_workers: int = 6
    file_timeout: float = 5.0
    verify_hash: bool = False


# recorded: the inventory (path, target, hash); library: every library path the walk found; links: the
# library's links by target; sources: the media files in the source roots.
SCHEMA = """
CREATE TABLE recorded (path BLOB PRIMARY KEY, target TEXT, hash TEXT) WITHOUT ROWID;
CREATE TABLE library (path BLOB PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE links (target BLOB, path BLOB);
CREATE INDEX links_by_target ON links (target, path);
CREATE TABLE sources (path BLOB);
"""
DUPLICATES_BATCH = 500  # groups of links to one target identified together (one query for their records)


class IntegrityCheck:
    """Runs one check for job `job_id`; `run()` returns the counts per category.

    The inventory, the library's paths, its links by target and the source files are kept in a scratch
    database, not in Python; ghosts, orphans and shared targets are SQL over it: memory stays flat.
    """

    def __init__(self, job_id: int, request: CheckRequest, progress: Progress, cancel: threading.Event):
        self.job_id = job_id
        self.request = request
        self.report = progress
        self.cancel = cancel
        self.counts = dict.fromkeys(CATEGORIES, 0)
        self.rows: list[dict] = []
        self.warnings: list[str] = []
        self.scratch: Scratch | None = None
        self.legitimate = 0  # groups of links to the same item: reported, but not an inconsistency
        self._last_report = 0.0

    def run(self) -> dict:
        with Scratch(SCHEMA) as self.scratch:
            return self._run()

    def _run(self) -> dict:
        self.report(0.0, "walk", "listing the library and the source roots")
        inventory = stream(select(InventoryItem.path, InventoryItem.target, InventoryItem.hash))
        self.scratch.add_all("INSERT INTO recorded VALUES (?, ?, ?)",
                             ((key(path), target, digest) for path, target, digest in inventory))
        roots = [self.request.media_root] + [r for r in self.request.source_roots
                                              if not is_inside(r, self.request.media_root)]
        walk = LibraryWalk(roots, self.request.max_workers, self.request.file_timeout, self.cancel,
                           self._plan, self.request.source_roots, on_tick=self._progress)
        for item in walk.run():
            self._on_item(item)
            self._progress(walk)
        for folder, reason in walk.stats.failed_folders:
            self.warnings.append(f"folder {folder} not listed ({reason}): what it holds was not checked")
        self.report(0.9, "compare", "comparing the inventory with the library")
        failed = [folder for folder, _ in walk.stats.failed_folders]
        self._ghosts(failed)
        self._orphans()
        self._duplicates()
        self._unidentified()
        self._flush(force=True)
        _forget_old_checks()
        db.session.commit()
        # Consistent only when everything was seen: a folder or target that did not answer is not vouched for.
        return {"counts": self.counts, "consistent": sum(self.counts.values()) == self.legitimate and not self.warnings,
                "verify_hash": self.request.verify_hash, "warnings": self.warnings,
                "checked": walk.stats.discovered}

    def _in_library(self, path: str) -> bool:
        return is_inside(path, self.request.media_root)

    def _plan(self, path: str, target: str):
        if not self._in_library(path):
            return None  # a file in a source root: only its path matters
        return None, bool(self.request.verify_hash and self._recorded_hash(path))  # stat only, unless verified

    def _recorded_hash(self, path: str) -> str | None:
        row = self.scratch.one("SELECT hash FROM recorded WHERE path = ?", (key(path),))
        return row[0] if row else None

    def _on_item(self, item: WalkItem) -> None:
        if not self._in_library(item.path):
            if not item.is_link:
                self.scratch.add("INSERT INTO sources VALUES (?)", (key(item.path),))
            return
        self.scratch.add("INSERT OR IGNORE INTO library VALUES (?)", (key(item.path),))
        if item.is_link and item.target:
            self.scratch.add("INSERT INTO links VALUES (?, ?)", (key(item.target), key(item.path)))
        if item.failure:
            self.warnings.append(f"{item.path}: {item.failure}")
            return
        sample = item.sample
        if sample.error:
            if sample.missing and item.is_link:
                self._add(BROKEN, item.path, item.target, f"target missing ({sample.error})")
            else:
                self.warnings.append(f"{item.path}: {sample.error}")
            return
        recorded = self._recorded_hash(item.path) if sample.hash is not None else None
        if recorded and sample.hash != recorded:
            self._add(MISMATCHES, item.path, item.target,
                      f"recorded hash {recorded}, now {sample.hash} ({sample.size} bytes)")

    def _progress(self, walk: LibraryWalk) -> None:
        now = time.monotonic()
        if now - self._last_report >= PROGRESS_SECONDS:
            self._last_report = now
            stats = walk.stats
            if stats.walk_done and stats.discovered:
                self.report(0.05 + 0.85 * stats.sampled / stats.discovered, "read",
                            stats.progress_text("checked", "targets"))
            else:
                self.report(0.05, "walk", stats.progress_text("checked", "media items"))

    # -- comparisons ------------------------------------------------------

    def _ghosts(self, failed_folders: list[str]) -> None:
        gone = self.scratch.rows("SELECT path, target FROM recorded WHERE path NOT IN (SELECT path FROM library)"
                                 " ORDER BY path")
        for path, target in gone:
            path = text(path)
            if not self._in_library(path):
                continue
            if any(is_inside(path, folder) for folder in failed_folders):
                continue  # not listed: unknown, not gone
            self._add(GHOSTS, path, target, "in the inventory, gone from the library")

    def _orphans(self) -> None:
        orphans = self.scratch.rows("SELECT path FROM sources WHERE path NOT IN (SELECT target FROM links)"
                                    " ORDER BY path")
        for (path,) in orphans:
            self._add(ORPHANS, text(path), "", "no library link points to this file")

    def _duplicates(self) -> None:
        """The targets shared by several links, a batch of groups at a time, in the order of their targets."""
        shared: dict[str, list[str]] = {}
        links = self.scratch.rows("SELECT target, path FROM links WHERE target IN"
                                  " (SELECT target FROM links GROUP BY target HAVING count(*) > 1) ORDER BY target, path")
        for target, path in links:
            target = text(target)
            if target not in shared and len(shared) >= DUPLICATES_BATCH:
                self._shared_group(shared)  # the groups of a batch are whole: links come in the order of targets
                shared = {}
            shared.setdefault(target, []).append(text(path))
        self._shared_group(shared)

    def _shared_group(self, shared: dict[str, list[str]]) -> None:
        identities = {}
        wanted = sorted({path for links in shared.values() for path in links})
        for start in range(0, len(wanted), 500):  # SQLite caps the parameters of one statement
            query = (select(InventoryItem.path, InventoryItem.kind, InventoryItem.title, InventoryItem.year,
                            InventoryItem.season, InventoryItem.episodes)
                     .where(InventoryItem.path.in_(wanted[start:start + 500]), ~InventoryItem.pending))
            for path, *identity in db.session.execute(query):
                identities[path] = Identity(*identity[:4], tuple(identity[4]))
        groups = shared_target_verdicts(shared, lambda path, target: identities.get(path) or self._identify(path, target))
        for target, links, verdict in groups:
            same = verdict == LEGITIMATE
            found = [identities.get(links[0]) or self._identify(links[0], target)]
            self.legitimate += same
            detail = (f"{len(links)} links to the same {found[0].kind or 'file'}" if same
                      else f"{len(links)} links whose names say different items")
            self._add(DUPLICATES, target, target, detail, verdict=verdict, links=sorted(links),
                      action="nothing to do: the same item in several folders" if same else ACTIONS[DUPLICATES])

    def _identify(self, path: str, target: str) -> Identity:
        relative = os.path.relpath(path, self.request.media_root)
        return identify(relative, target, self.request.movie_folders, self.request.series_folders)

    def _unidentified(self) -> None:
        rows = stream(select(InventoryItem.path, InventoryItem.target).where(InventoryItem.pending))
        for path, target in rows:
            self._add(UNIDENTIFIED, path, target, "guessit could not tell what this is")

    # -- results ----------------------------------------------------------

    def _add(self, category: str, path: str, target: str, detail: str, verdict: str = "",
             links: list | None = None, action: str | None = None) -> None:
        self.counts[category] += 1
        self.rows.append({"job_id": self.job_id, "category": category, "path": path, "target": target or "",
                          "detail": detail[:1000], "action": action or ACTIONS[category], "verdict": verdict,
                          "links": links or []})
        self._flush()

    def _flush(self, force: bool = False) -> None:
        if self.rows and (force or len(self.rows) >= INSERT_BATCH):
            db.session.execute(insert(CheckResult), self.rows)
            self.rows = []


def shared_target_verdicts(shared: dict[str, list[str]], identity_of: Callable[[str, str], Identity]) -> list:
    """(target, links, legitimate or suspicious) for each target shared by several links (fix-bad-links too)."""
    groups = []
    for target, links in sorted(shared.items()):
        links = sorted(links)
        found = [identity_of(path, target) for path in links]
        same = all(i.complete for i in found) and all(found[0].same_item(i) for i in found[1:])
        groups.append((target, links, LEGITIMATE if same else SUSPICIOUS))
    return groups


def _forget_old_checks() -> None:
    """Keep the results of the last CHECKS_KEPT check jobs only."""
    kept = select(Job.id).where(Job.kind == "check").order_by(Job.id.desc()).limit(CHECKS_KEPT)
    db.session.execute(delete(CheckResult).where(CheckResult.job_id.not_in(kept)))


def results_page(job_id: int, category: str | None, page: int, per_page: int) -> dict:
    """A page of a check's results, one category or all, with the counts of every category."""
    counts = dict.fromkeys(CATEGORIES, 0)
    for name, count in db.session.execute(select(CheckResult.category, func.count())
                                          .where(CheckResult.job_id == job_id).group_by(CheckResult.category)):
        counts[name] = count
    query = select(CheckResult).where(CheckResult.job_id == job_id)
    if category:
        query = query.where(CheckResult.category == category)
    rows = db.session.execute(query.order_by(CheckResult.id).offset((page - 1) * per_page).limit(per_page)).scalars()
    items = [{**row.to_dict(), "category": row.category} for row in rows]
    total = counts[category] if category else sum(counts.values())
    return {"job_id": job_id, "category": category, "page": page, "per_page": per_page,
            "total": total, "counts": counts, "items": items}


def all_results(job_id: int) -> dict[str, list[dict]]:
    """Every result of a check, by category (for the CLI's report)."""
    grouped = {name: [] for name in CATEGORIES}
    for row in db.session.execute(select(CheckResult).where(CheckResult.job_id == job_id)
                                  .order_by(CheckResult.id)).scalars():
        grouped[row.category].append(row.to_dict())
    return grouped
