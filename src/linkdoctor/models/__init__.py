"""Typed SQLAlchemy models; the schema's history is in linkdoctor/migrations (Alembic)."""

from linkdoctor.models.auth import AuthCredentials, LoginSession
from linkdoctor.models.base import Base, db, utcnow
from linkdoctor.models.config import SymlinkConfig
from linkdoctor.models.event import OutboxEvent
from linkdoctor.models.ignore import FOLDER, IGNORE_KINDS, LINK, TARGET, IgnoreRule
from linkdoctor.models.integration import ImportedRelease, MarkedLink
from linkdoctor.models.inventory import EPISODE, MOVIE, CheckResult, InventoryItem
from linkdoctor.models.job import (
    ARR_FOLLOWUP, IMPORT_CHECK, JOB_ACTIVE_STATES, JOB_FINISHED_STATES, JOB_KINDS, MEDIA_REFRESH, SIDE_KINDS, WITH_PROBLEMS,
    Job,
)
from linkdoctor.models.repair import REPAIRED, UNDONE, RepairEntry, SourceFile, SourceFolder
from linkdoctor.models.quarantine import (
    MISSING, PLANNED, PURGED, QUARANTINED, RESTORED, RESTORING, ROLLED_BACK, QuarantineEntry,
)
from linkdoctor.models.schedule import NotificationTarget, Schedule
from linkdoctor.models.scan import (
    ACTIVE_STATES, AWAITING_CONFIRMATION, CANCELLED, COMPLETED, DEPTHS, DISCARDED, ERROR, FINISHED_STATES, INTERRUPTED, MODES,
    PENDING, RUNNING, Finding, FindingOrder, FindingSearch, ProbeVerdictEntry, SymlinkScan,
)

__all__ = [
    "CheckResult", "EPISODE", "ImportedRelease", "MarkedLink", "FOLDER", "IGNORE_KINDS", "IgnoreRule", "LINK", "TARGET", "InventoryItem", "MOVIE",
    "REPAIRED", "RepairEntry", "SourceFile", "SourceFolder", "UNDONE", "WITH_PROBLEMS",
    "ACTIVE_STATES", "AuthCredentials", "AWAITING_CONFIRMATION", "Base", "CANCELLED", "COMPLETED", "DEPTHS", "ERROR",
    "FINISHED_STATES", "Finding", "FindingOrder", "FindingSearch", "INTERRUPTED", "JOB_ACTIVE_STATES", "JOB_FINISHED_STATES", "JOB_KINDS", "SIDE_KINDS",
    "Job", "IMPORT_CHECK", "LoginSession", "MEDIA_REFRESH", "OutboxEvent", "ARR_FOLLOWUP", "MISSING", "MODES", "NotificationTarget", "Schedule", "PENDING", "PLANNED", "ProbeVerdictEntry", "PURGED", "QUARANTINED",
    "QuarantineEntry", "RESTORED", "RESTORING", "ROLLED_BACK", "RUNNING", "SymlinkConfig", "SymlinkScan", "db", "utcnow",
]
