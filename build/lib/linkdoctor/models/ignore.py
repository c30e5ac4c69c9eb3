"""Ignore rules: links the user does not want to hear about again."""

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from linkdoctor.models.base import db, utcnow

# What a rule matches: one link (its path), every link under a folder of the library,
# or every link whose target is under a prefix outside it.
LINK, FOLDER, TARGET = "link", "folder", "target"
IGNORE_KINDS = (LINK, FOLDER, TARGET)


class IgnoreRule(db.Model):
    """One ignore rule; links it matches are counted as ignored and never become findings."""

    __tablename__ = "ignore_rule"
    __table_args__ = (UniqueConstraint("kind", "value", name="uq_ignore_rule"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    value: Mapped[str] = mapped_column(String(4096))  # an absolute, normalised path
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def to_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "value": self.value, "note": self.note,
                "created_at": self.created_at.isoformat() if self.created_at else None}
