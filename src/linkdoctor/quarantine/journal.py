"""The quarantine journal: crash recovery of planned moves, and each scan's entries."""

import os
from pathlib import Path

from sqlalchemy import select

from linkdoctor.models import MISSING, PLANNED, QUARANTINED, ROLLED_BACK, QuarantineEntry, db
from linkdoctor.repairlog import repair_log


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
