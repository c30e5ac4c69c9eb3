"""The library inventory (what each link or media file is) and the results of integrity checks."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from linkdoctor.models.base import db, utcnow

MOVIE, EPISODE = "movie", "episode"


class InventoryItem(db.Model):
    """One media link (or regular media file) of the library: where it points, what it is, its sampled hash."""

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(4096), unique=True)
    target: Mapped[str] = mapped_column(String(4096), default="", index=True)  # "" for a regular file
    is_link: Mapped[bool] = mapped_column(default=True)
    kind: Mapped[str] = mapped_column(String(16), default="")  # movie, episode, or "" while pending
    title: Mapped[str] = mapped_column(String(1000), default="")
    year: Mapped[int | None]
    season: Mapped[int | None]
    episodes: Mapped[list] = mapped_column(JSON, default=list)
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    mtime_ns: Mapped[int] = mapped_column(BigInteger, default=0)
    # xxh3_64 of the first MiB, the last MiB and the size, in hex; None while the target was never read.
    hash: Mapped[str | None] = mapped_column(String(16), index=True)
    pending: Mapped[bool] = mapped_column(default=False, index=True)  # identity still unknown
    # From TMDB (linkdoctor enrich): other names of the item for the matcher; enrich_state found/not_found/failed.
    tmdb_id: Mapped[int | None]
    tmdb_title: Mapped[str] = mapped_column(String(1000), default="", server_default="")
    original_title: Mapped[str] = mapped_column(String(1000), default="", server_default="")
    tmdb_year: Mapped[int | None]
    enrich_state: Mapped[str] = mapped_column(String(16), default="", server_default="")
    enriched_at: Mapped[datetime | None]
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    def identity(self) -> dict:
        return {"kind": self.kind, "title": self.title, "year": self.year, "season": self.season,
                "episodes": list(self.episodes or [])}

    def to_dict(self) -> dict:
        return {"id": self.id, "path": self.path, "target": self.target, "is_link": self.is_link,
                **self.identity(), "size": self.size, "hash": self.hash, "pending": self.pending}


class CheckResult(db.Model):
    """One inconsistency found by a check job; paged by (job, category) so huge lists stay on the server."""

    __table_args__ = (Index("ix_check_result_job_category", "job_id", "category", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int]
    category: Mapped[str] = mapped_column(String(32))
    path: Mapped[str] = mapped_column(String(4096), default="")
    target: Mapped[str] = mapped_column(String(4096), default="")
    detail: Mapped[str] = mapped_column(String(1000), default="")
    action: Mapped[str] = mapped_column(String(1000), default="")
    verdict: Mapped[str] = mapped_column(String(16), default="")  # legitimate / suspicious for duplicates
    links: Mapped[list] = mapped_column(JSON, default=list)

    def to_dict(self) -> dict:
        data = {"path": self.path, "target": self.target, "detail": self.detail, "action": self.action}
        if self.category == "duplicate_targets":
            data.update(verdict=self.verdict, links=self.links)
        return data
