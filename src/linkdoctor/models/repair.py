"""The source index (media files under the source roots) and the journal of link repairs."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from linkdoctor.models.base import db, utcnow

REPAIRED, UNDONE = "repaired", "undone"


class SourceFolder(db.Model):
    """A folder of a source root and its mtime when last listed: unchanged folders are not listed again."""

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(4096), unique=True)
    parent: Mapped[str] = mapped_column(String(4096), default="", index=True)  # "" for a source root
    mtime_ns: Mapped[int] = mapped_column(BigInteger, default=0)


class SourceFile(db.Model):
    """A media file of a source root and what its name says it is."""

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(4096), unique=True)
    folder: Mapped[str] = mapped_column(String(4096), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="")
    title: Mapped[str] = mapped_column(String(1000), default="")
    year: Mapped[int | None]
    season: Mapped[int | None]
    episodes: Mapped[list] = mapped_column(JSON, default=list)
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    mtime_ns: Mapped[int] = mapped_column(BigInteger, default=0)


class RepairEntry(db.Model):
    """One link re-pointed by repair-links or fix-bad-links, with its old target so it can be undone."""

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(4096), index=True)
    old_target: Mapped[str] = mapped_column(String(4096))  # as the link held it (relative or absolute)
    new_target: Mapped[str] = mapped_column(String(4096))
    score: Mapped[float] = mapped_column(default=0.0)
    command: Mapped[str] = mapped_column(String(32), default="repair-links")
    job_id: Mapped[int | None] = mapped_column(index=True)  # the apply job (a batch of the web); None from the CLI
    state: Mapped[str] = mapped_column(String(16), default=REPAIRED)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    undone_at: Mapped[datetime | None]

    def to_dict(self) -> dict:
        return {"id": self.id, "path": self.path, "old_target": self.old_target, "new_target": self.new_target,
                "score": self.score, "command": self.command, "job_id": self.job_id, "state": self.state,
                "created_at": self.created_at.isoformat() if self.created_at else None}
