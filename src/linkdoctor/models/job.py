"""Background jobs (scan, import, check, repair, enrich, the Sonarr/Radarr follow-up): one persisted row each."""

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from linkdoctor.models.base import db, utcnow
from linkdoctor.models.scan import CANCELLED, COMPLETED, ERROR, INTERRUPTED, PENDING, RUNNING

# A job that ran to its end but could not do all it was asked (a follow-up Sonarr refused): its result's
# "problems" say why, one line each, and the page shows it as a warning, never as a success.
WITH_PROBLEMS = "with_problems"
JOB_ACTIVE_STATES = (PENDING, RUNNING)
JOB_FINISHED_STATES = (COMPLETED, WITH_PROBLEMS, CANCELLED, ERROR, INTERRUPTED)
# Every kind the runner knows; a scan is a job too, but keeps its own SymlinkScan row.
ARR_FOLLOWUP = "arr_followup"  # tell Sonarr/Radarr what a change to the library did (was "notify" before 0010)
MEDIA_REFRESH = "media_refresh"  # ask Plex/Jellyfin/Emby to refresh the folders a change touched
IMPORT_CHECK = "import_check"  # both phases on the links a Sonarr/Radarr import touched (a webhook)
JOB_KINDS = ("scan", "import", "check", "repair", "enrich", ARR_FOLLOWUP, MEDIA_REFRESH, IMPORT_CHECK)
# Kinds that never touch the library (they talk to Sonarr/Radarr): they run beside the library
# lock, one at a time among themselves, so that a slow rescan never holds up a scan or a restore.
SIDE_KINDS = (ARR_FOLLOWUP, MEDIA_REFRESH)


class Job(db.Model):
    """One background job: what it is, where it stands, and what it found."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    state: Mapped[str] = mapped_column(String(16), default=PENDING, index=True)
    phase: Mapped[str] = mapped_column(String(64), default="")
    progress: Mapped[float] = mapped_column(default=0.0)
    message: Mapped[str] = mapped_column(String(2000), default="")
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    origin: Mapped[str] = mapped_column(String(8), default="web")
    cancel_requested: Mapped[bool] = mapped_column(default=False)  # read by the owning process
    owner_pid: Mapped[int | None]
    scan_id: Mapped[int | None] = mapped_column(index=True)  # the scan a job follows up, if any
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # Written with each progress save: an interrupted job ran until about then.
    heartbeat_at: Mapped[datetime | None]

    def mark_interrupted(self, message: str) -> None:
        """Its process died: it ran until its last progress save (once a second while it worked)."""
        self.state, self.message = INTERRUPTED, message
        self.finished_at = self.heartbeat_at or self.started_at or utcnow()
