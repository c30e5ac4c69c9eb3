"""Scans, their findings, and the phase-2 verdict cache."""

from datetime import datetime, timedelta

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from linkdoctor.models.base import db, utcnow

# Scan states. AWAITING_CONFIRMATION is where a real-mode scan waits for the user.
PENDING, RUNNING, COMPLETED, CANCELLED, ERROR = "pending", "running", "completed", "cancelled", "error"
AWAITING_CONFIRMATION = "awaiting_confirmation"
DISCARDED = "discarded"  # a real scan whose proposal the user closed without removing anything
INTERRUPTED = "interrupted"  # the process running it died (crash, kill, restart); scans and jobs alike
ACTIVE_STATES = (PENDING, RUNNING)
FINISHED_STATES = (COMPLETED, CANCELLED, ERROR, AWAITING_CONFIRMATION, DISCARDED, INTERRUPTED)

MODES = ("dry-run", "real")
DEPTHS = ("basic", "full")


class SymlinkScan(db.Model):
    """One scan: what was asked, its live state and its counters."""

    id: Mapped[int] = mapped_column(primary_key=True)
    scan_date: Mapped[datetime] = mapped_column(default=utcnow)
    mode: Mapped[str] = mapped_column(String(16), default="dry-run")
    selected_paths: Mapped[list] = mapped_column(JSON, default=list)
    verification_depth: Mapped[str] = mapped_column(String(16), default="basic")
    origin: Mapped[str] = mapped_column(String(8), default="web")
    owner_pid: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(32), default=PENDING)
    phase: Mapped[str] = mapped_column(String(32), default="")
    progress: Mapped[float] = mapped_column(default=0.0)
    total_analyzed: Mapped[int] = mapped_column(default=0)
    phase1_ok: Mapped[int] = mapped_column(default=0)
    phase1_broken: Mapped[int] = mapped_column(default=0)
    phase1_inaccessible: Mapped[int] = mapped_column(default=0)
    phase1_small: Mapped[int] = mapped_column(default=0)
    phase1_io_error: Mapped[int] = mapped_column(default=0)
    phase1_timeout: Mapped[int] = mapped_column(default=0)
    phase2_analyzed: Mapped[int] = mapped_column(default=0)
    phase2_corrupted: Mapped[int] = mapped_column(default=0)
    phase2_cached: Mapped[int] = mapped_column(default=0)
    phase2_timeout: Mapped[int] = mapped_column(default=0)
    phase2_decoded: Mapped[int] = mapped_column(default=0)
    phase2_suspicious: Mapped[int] = mapped_column(default=0)
    # Links of a full scan that phase 2 has to judge, and those it judged ok: `healthy` counts
    # only links that passed every check asked for.
    phase2_io_error: Mapped[int] = mapped_column(default=0, server_default="0")  # reads the mount failed
    phase2_candidates: Mapped[int] = mapped_column(default=0, server_default="0")
    phase2_ok: Mapped[int] = mapped_column(default=0, server_default="0")
    ignored: Mapped[int] = mapped_column(default=0, server_default="0")  # links an ignore rule matched
    # Links moved into the quarantine by this scan's confirmations (nothing is deleted:
    # the name is kept for the column and the API field).
    files_deleted: Mapped[int] = mapped_column(default=0)
    duration: Mapped[float] = mapped_column(default=0.0)
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    source_stats: Mapped[dict] = mapped_column(JSON, default=dict)
    guard: Mapped[list] = mapped_column(JSON, default=list)
    error_message: Mapped[str | None] = mapped_column(String(2000))
    confirm_token: Mapped[str | None] = mapped_column(String(64))
    finished_at: Mapped[datetime | None]
    # Findings per category, set when the finished scan's findings were indexed for paging
    # (linkdoctor.findings): None while it runs, and for a scan not indexed yet.
    finding_counts: Mapped[dict | None] = mapped_column(JSON)

    findings: Mapped[list["Finding"]] = relationship(
        back_populates="scan", cascade="all, delete-orphan", passive_deletes=True
    )

    COUNTERS = (
        "total_analyzed", "phase1_ok", "phase1_broken", "phase1_inaccessible", "phase1_small",
        "phase1_io_error", "phase1_timeout", "phase2_analyzed", "phase2_corrupted", "phase2_cached",
        "phase2_timeout", "phase2_decoded", "phase2_suspicious", "phase2_io_error", "phase2_candidates", "phase2_ok", "ignored",
        "files_deleted",
    )

    def mark_interrupted(self, message: str) -> None:
        """Its process died: it ran for the time last saved with its progress (at most a second behind)."""
        ran = timedelta(seconds=self.duration or 0.0)
        self.status, self.error_message = INTERRUPTED, message
        self.finished_at = self.scan_date + ran if self.scan_date and ran else utcnow()

    def statistics(self, live_counters: dict | None = None) -> dict:
        """The counters as a dict (the running engine's, where given), plus `healthy`.

        A link is healthy once it passed every check asked for: phase 1, and in a full scan
        phase 2 for the media among them. A media file not probed yet (phase 2 still running,
        or the scan cancelled first), left suspicious, or timed out is not healthy.
        """
        stats = {name: getattr(self, name) or 0 for name in self.COUNTERS}
        stats.update(live_counters or {})
        stats["healthy"] = stats["phase1_ok"]
        if self.verification_depth == "full":
            stats["healthy"] -= stats["phase2_candidates"] - stats["phase2_ok"]
        return stats


class Finding(db.Model):
    """One problem link of a scan."""

    # With `proposed`: a proposal's counts and pages (`proposed=1`, per category) read the index alone.
    __table_args__ = (Index("ix_finding_scan_category_proposed", "scan_id", "category", "proposed"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("symlink_scan.id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(String(4096))
    target: Mapped[str] = mapped_column(String(4096), default="")
    category: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(String(1000), default="")
    source: Mapped[str] = mapped_column(String(4096), default="")
    proposed: Mapped[bool] = mapped_column(default=False)

    scan: Mapped[SymlinkScan] = relationship(back_populates="findings")

    def to_dict(self) -> dict:
        return {
            "id": self.id, "path": self.path, "target": self.target, "category": self.category,
            "detail": self.detail, "source": self.source, "proposed": self.proposed,
        }


class FindingOrder(db.Model):
    """A finished scan's findings in one order, over all of them or one category, in blocks of positions.

    `ordering` is "id" (discovery), "path" or "target" (ties by id); `category` is "" for all of them.
    Block n holds the ids at positions n * BLOCK .. n * BLOCK + BLOCK - 1 (from 0), packed as 64-bit
    integers: a page is one to three blocks read by key, never a COUNT or an OFFSET over the table.
    """

    __table_args__ = {"sqlite_with_rowid": False}
    BLOCK = 256

    scan_id: Mapped[int] = mapped_column(ForeignKey("symlink_scan.id", ondelete="CASCADE"), primary_key=True)
    ordering: Mapped[str] = mapped_column(String(8), primary_key=True)
    category: Mapped[str] = mapped_column(String(16), primary_key=True)
    block: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    ids: Mapped[bytes] = mapped_column(LargeBinary)


class FindingSearch(db.Model):
    """A finished scan's link and target texts, stored together by scan: a search reads one scan's rows only."""

    __table_args__ = {"sqlite_with_rowid": False}

    scan_id: Mapped[int] = mapped_column(ForeignKey("symlink_scan.id", ondelete="CASCADE"), primary_key=True)
    finding_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    category: Mapped[str] = mapped_column(String(16))
    path: Mapped[str] = mapped_column(String(4096))
    target: Mapped[str] = mapped_column(String(4096))


class ProbeVerdictEntry(db.Model):
    """A remembered phase-2 verdict for an unchanged file (device, inode, size, mtime)."""

    __table_args__ = (UniqueConstraint("device", "inode", "size", "mtime_ns", name="uq_probe_identity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    device: Mapped[int]
    inode: Mapped[int]
    size: Mapped[int]
    mtime_ns: Mapped[int]
    ok: Mapped[bool]  # not corrupted
    detail: Mapped[str] = mapped_column(String(1000), default="")
    level: Mapped[str] = mapped_column(String(16), default="ok")  # ok | suspicious | corrupted
    # "probe" or "decode"; rows written before verdicts had levels have none and are checked again.
    checked_by: Mapped[str | None] = mapped_column(String(8))
    probe_seconds: Mapped[float] = mapped_column(default=0.0)
    probed_at: Mapped[datetime] = mapped_column(default=utcnow)
