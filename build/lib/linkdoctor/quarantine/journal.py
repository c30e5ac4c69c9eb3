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

from linkdoctor.errors import NotFoundError
from linkdoctor.models import MISSING, PLANNED, QUARANTINED, ROLLED_BACK, QuarantineEntry, SymlinkScan, db, utcnow
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
        with open(self.path, "a", encoding="utf-8", errors="surrogateescape") as handle:
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
    """After a crash: finish or roll back every move journalled as planned."""
    entries = list(db.session.execute(select(QuarantineEntry).where(QuarantineEntry.state == PLANNED)).scalars())
    journal = JournalFile(quarantine_dir or Path(data_dir) / "trash" / "orphans")
    finished = rolled_back = 0
    for entry in entries:
        in_library = os.path.lexists(entry.original_path)
        in_quarantine = os.path.lexists(entry.quarantine_path)
        if in_quarantine and not in_library:
            entry.state = QUARANTINED
            finished += 1
            scan = db.session.get(SymlinkScan, entry.scan_id)
            if scan is not None:  # the scan's count says what is in the quarantine
                scan.files_deleted = (scan.files_deleted or 0) + 1
        elif not in_quarantine and not in_library:
            # Cannot come from our own moves (a rename is atomic, a copy precedes the unlink):
            # someone removed it meanwhile. Say so rather than pretend it was put back.
            entry.state = MISSING
            repair_log(data_dir, "error", f"scan {entry.scan_id}: {entry.original_path!r} is neither in the "
                                          f"library nor in the quarantine")
            journal.record([entry])
            continue
        else:
            if in_quarantine and in_library:  # a cross-filesystem copy made before the unlink
                os.unlink(entry.quarantine_path)
            entry.state = ROLLED_BACK
            rolled_back += 1
        journal.record([entry])
        repair_log(data_dir, "recover", f"scan {entry.scan_id}: {entry.original_path!r} {entry.state} after a crash")
    db.session.commit()
    return {"finished": finished, "rolled_back": rolled_back}


def entries_of(scan_id: int) -> list[dict]:
    """The journal entries of a scan; NotFoundError for a scan that never existed here."""
    entries = [e.to_dict() for e in db.session.execute(
        select(QuarantineEntry).where(QuarantineEntry.scan_id == scan_id).order_by(QuarantineEntry.id)
    ).scalars()]
    if not entries and db.session.get(SymlinkScan, scan_id) is None:
        raise NotFoundError(f"no scan with id {scan_id}")
    return entries
