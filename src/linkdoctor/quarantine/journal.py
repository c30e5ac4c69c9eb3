"""The quarantine journal: each move recorded in the database and in an append-only file beside the links.

The file (<data>/trash/journal.jsonl, one JSON event per line) outlives the
database: when the database is lost or replaced, `rebuild` makes the records
again from it, so that links still in the quarantine can be restored. Crash
recovery settles the moves that were planned and never recorded as done.
"""

import json
import os
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from linkdoctor.datafolder import open_private
from linkdoctor.errors import NotFoundError
from linkdoctor.events import QUARANTINED as LINKS_QUARANTINED, RESTORED as LINKS_RESTORED, library_changed
from linkdoctor.models import (
    MISSING, PLANNED, QUARANTINED, RESTORED, RESTORING, ROLLED_BACK, QuarantineEntry, SymlinkScan, db, utcnow,
)
from linkdoctor.repairlog import repair_log

JOURNAL_NAME = "journal.jsonl"
_FIELDS = ("scan_id", "original_path", "quarantine_path", "target", "category", "reason", "state")


class JournalFile:
    """The append-only file of quarantine events, beside the quarantine folder."""

    def __init__(self, quarantine_dir: Path):
        self.path = Path(quarantine_dir).parent / JOURNAL_NAME

    def record(self, entries: list[QuarantineEntry]) -> None:
        """Append one event per entry (its current state), flushed to disk before returning."""
        now = utcnow().isoformat()
        lines = []
        for entry in entries:
            event = {name: getattr(entry, name) for name in _FIELDS}
            event["created_at"] = (entry.created_at or utcnow()).isoformat()
            event["at"] = now
            lines.append(json.dumps(event, ensure_ascii=False, default=str))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open_private(self.path, "a", encoding="utf-8", errors="surrogateescape") as handle:
            handle.write("".join(line + "\n" for line in lines))
            handle.flush()
            os.fsync(handle.fileno())

    def latest(self) -> dict[str, dict]:
        """The last event of each quarantined path; a torn last line (a crash mid-write) is skipped."""
        if not self.path.exists():
            return {}
        latest = {}
        with open(self.path, encoding="utf-8", errors="surrogateescape") as handle:
            for line in handle:
                try:
                    event = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(event, dict) and all(name in event for name in _FIELDS):
                    latest[event["quarantine_path"]] = event
        return latest


def rebuild(quarantine_dir: Path, data_dir: Path) -> dict:
    """Make the database's records of the quarantine again from the journal file; settle planned moves."""
    known = set(db.session.execute(select(QuarantineEntry.quarantine_path)).scalars())
    added = 0
    for quarantine_path, event in JournalFile(quarantine_dir).latest().items():
        if quarantine_path in known:
            continue
        created = datetime.fromisoformat(event["created_at"]) if event.get("created_at") else utcnow()
        db.session.add(QuarantineEntry(**{name: event[name] for name in _FIELDS}, created_at=created))
        added += 1
    db.session.commit()
    if added:
        repair_log(data_dir, "rebuild", f"{added} quarantine record(s) made again from {JOURNAL_NAME}")
    return {"rebuilt": added, "recovered": recover_journal(data_dir, quarantine_dir)}


def needs_rebuild(quarantine_dir: Path) -> bool:
    """True when the database knows no quarantined link but the journal file does (a new or lost database)."""
    has_records = db.session.execute(select(QuarantineEntry.id).limit(1)).first() is not None
    return not has_records and JournalFile(quarantine_dir).path.exists()


def recover_journal(data_dir: Path, quarantine_dir: Path | None = None) -> dict:
    """After a crash: finish or roll back every move journalled as planned (into the quarantine) or restoring
    (back into the library), from where each link is now; announce what was finished."""
    journal = JournalFile(quarantine_dir or Path(data_dir) / "trash" / "orphans")
    removals = list(db.session.execute(select(QuarantineEntry).where(QuarantineEntry.state == PLANNED)).scalars())
    restores = list(db.session.execute(select(QuarantineEntry).where(QuarantineEntry.state == RESTORING)).scalars())
    counts = {"finished": 0, "rolled_back": 0, "restores_finished": 0, "restores_rolled_back": 0}
    quarantined, restored = [], []
    for entry in removals:
        _settle(entry, True, data_dir)
        if entry.state == QUARANTINED:
            counts["finished"] += 1
            quarantined.append(entry)
            scan = db.session.get(SymlinkScan, entry.scan_id)
            if scan is not None:  # the scan's count says what is in the quarantine
                scan.files_deleted = (scan.files_deleted or 0) + 1
        elif entry.state == ROLLED_BACK:
            counts["rolled_back"] += 1
    for entry in restores:
        _settle(entry, False, data_dir)
        if entry.state == RESTORED:
            counts["restores_finished"] += 1
            restored.append(entry)
        elif entry.state == QUARANTINED:
            counts["restores_rolled_back"] += 1
    journal.record(removals + restores)
    # The follow-ups of what was finished: the event of the cut change was never committed.
    library_changed(LINKS_QUARANTINED, [{"path": e.original_path, "old_target": e.target, "new_target": None,
                                         "scan_id": e.scan_id} for e in quarantined],
                    reason="a removal cut by a crash, finished at start", origin="recovery")
    library_changed(LINKS_RESTORED, [{"path": e.original_path, "old_target": None, "new_target": e.target,
                                      "scan_id": e.scan_id} for e in restored],
                    reason="a restore cut by a crash, finished at start", origin="recovery")
    db.session.commit()
    return counts


def _settle(entry: QuarantineEntry, into_quarantine: bool, data_dir: Path) -> None:
    """One interrupted move, into the quarantine or back into the library, settled from where the link is.

    Where a cross-filesystem move left it in both places (a copy is made before the unlink), the
    library's one is kept and the quarantine's copy removed: finished for a restore, rolled back
    for a removal. A restore whose path holds something else was refused: the link stays quarantined.
    """
    in_library, in_quarantine = os.path.lexists(entry.original_path), os.path.lexists(entry.quarantine_path)
    if not in_library and not in_quarantine:
        # Cannot come from our own moves (a rename is atomic, a copy precedes the unlink):
        # someone removed it meanwhile. Say so rather than pretend it was put back.
        entry.state = MISSING
        repair_log(data_dir, "error", f"scan {entry.scan_id}: {entry.original_path!r} is neither in the "
                                      f"library nor in the quarantine")
        return
    if in_library and in_quarantine and (into_quarantine or _same_link(entry.original_path, entry.quarantine_path)):
        os.unlink(entry.quarantine_path)
        in_quarantine = False
    if into_quarantine:
        entry.state = QUARANTINED if not in_library else ROLLED_BACK
    else:
        entry.state = RESTORED if not in_quarantine else QUARANTINED
    repair_log(data_dir, "recover", f"scan {entry.scan_id}: {entry.original_path!r} {entry.state} after a crash")


def _same_link(first: str, second: str) -> bool:
    """Both are links with the same text (a move across filesystems copies the link, then unlinks it)."""
    try:
        return os.path.islink(first) and os.path.islink(second) and os.readlink(first) == os.readlink(second)
    except OSError:
        return False


def entries_of(scan_id: int) -> list[dict]:
    """The journal entries of a scan; NotFoundError for a scan that never existed here."""
    entries = [e.to_dict() for e in db.session.execute(
        select(QuarantineEntry).where(QuarantineEntry.scan_id == scan_id).order_by(QuarantineEntry.id)
    ).scalars()]
    if not entries and db.session.get(SymlinkScan, scan_id) is None:
        raise NotFoundError(f"no scan with id {scan_id}")
    return entries
