"""Typed SQLAlchemy models: configuration, scans, their findings and the probe verdict cache."""

from datetime import datetime, timezone

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


# Scan states. AWAITING_CONFIRMATION is where a real-mode scan waits for the user.
PENDING, RUNNING, COMPLETED, CANCELLED, ERROR = "pending", "running", "completed", "cancelled", "error"
AWAITING_CONFIRMATION = "awaiting_confirmation"
ACTIVE_STATES = (PENDING, RUNNING)
FINISHED_STATES = (COMPLETED, CANCELLED, ERROR, AWAITING_CONFIRMATION)

MODES = ("dry-run", "real")
DEPTHS = ("basic", "full")


class SymlinkConfig(db.Model):
    """The library's settings; one row, created with defaults when missing."""

    id: Mapped[int] = mapped_column(primary_key=True)
    media_path: Mapped[str] = mapped_column(String(4096))
    max_workers: Mapped[int] = mapped_column(default=6)
    small_file_threshold: Mapped[int] = mapped_column(default=1024)
    file_timeout: Mapped[float] = mapped_column(default=5.0)
    probe_timeout: Mapped[float] = mapped_column(default=60.0)
    scans_to_keep: Mapped[int] = mapped_column(default=3)
    include_regular_files: Mapped[bool] = mapped_column(default=False)
    source_roots: Mapped[list] = mapped_column(JSON, default=list)
    broken_share_limit: Mapped[float] = mapped_column(default=0.5)
    quarantine_retention_days: Mapped[int] = mapped_column(default=30)
    phase2_decode: Mapped[str] = mapped_column(String(16), default="suspicious")  # suspicious | all | off
    decode_timeout: Mapped[float] = mapped_column(default=60.0)  # seconds without progress
    sonarr_enabled: Mapped[bool] = mapped_column(default=False)
    sonarr_host: Mapped[str] = mapped_column(String(255), default="localhost")
    sonarr_port: Mapped[int] = mapped_column(default=8989)
    sonarr_api_key: Mapped[str] = mapped_column(String(255), default="")
    radarr_enabled: Mapped[bool] = mapped_column(default=False)
    radarr_host: Mapped[str] = mapped_column(String(255), default="localhost")
    radarr_port: Mapped[int] = mapped_column(default=7878)
    radarr_api_key: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


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
    files_deleted: Mapped[int] = mapped_column(default=0)
    duration: Mapped[float] = mapped_column(default=0.0)
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    source_stats: Mapped[dict] = mapped_column(JSON, default=dict)
    guard: Mapped[list] = mapped_column(JSON, default=list)
    error_message: Mapped[str | None] = mapped_column(String(2000))
    confirm_token: Mapped[str | None] = mapped_column(String(64))
    finished_at: Mapped[datetime | None]

    findings: Mapped[list["Finding"]] = relationship(
        back_populates="scan", cascade="all, delete-orphan", passive_deletes=True
    )

    COUNTERS = (
        "total_analyzed", "phase1_ok", "phase1_broken", "phase1_inaccessible", "phase1_small",
        "phase1_io_error", "phase1_timeout", "phase2_analyzed", "phase2_corrupted", "phase2_cached",
        "phase2_timeout", "phase2_decoded", "phase2_suspicious", "files_deleted",
    )

    def statistics(self, live_counters: dict | None = None) -> dict:
        """The counters as a dict (the running engine's, where given), plus `healthy` (passed both phases)."""
        stats = {name: getattr(self, name) or 0 for name in self.COUNTERS}
        stats.update(live_counters or {})
        stats["healthy"] = stats["phase1_ok"] - stats["phase2_corrupted"] - stats["phase2_timeout"]
        return stats


class Finding(db.Model):
    """One problem link of a scan."""

    __table_args__ = (Index("ix_finding_scan_category", "scan_id", "category"),)

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
