"""The quarantine journal: one row per removed link."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from linkdoctor.models.base import db, utcnow


# Journal states of a quarantined link. PLANNED is written before the link is moved.
PLANNED, QUARANTINED, RESTORED, ROLLED_BACK, PURGED = "planned", "quarantined", "restored", "rolled_back", "purged"
MISSING = "missing"  # journalled, then found neither in the library nor in the quarantine


class QuarantineEntry(db.Model):
    """The journal of one removed link: where it was, where it is, and why."""

    id: Mapped[int] = mapped_column(primary_key=True)
    scan_id: Mapped[int] = mapped_column(index=True)  # no foreign key: entries outlive rotated scans
    original_path: Mapped[str] = mapped_column(String(4096))
    quarantine_path: Mapped[str] = mapped_column(String(4096))
    target: Mapped[str] = mapped_column(String(4096), default="")
    category: Mapped[str] = mapped_column(String(16), default="")
    reason: Mapped[str] = mapped_column(String(1000), default="")
    state: Mapped[str] = mapped_column(String(16), default=PLANNED)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def to_dict(self) -> dict:
        return {
            "id": self.id, "scan_id": self.scan_id, "original_path": self.original_path,
            "quarantine_path": self.quarantine_path, "target": self.target, "category": self.category,
            "reason": self.reason, "state": self.state,
            "created_at": self.created_at.isoformat() if self.created_at else None,
        }
