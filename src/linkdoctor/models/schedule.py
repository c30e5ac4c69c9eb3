"""Scans that run by themselves, and where to tell about what they found."""

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from linkdoctor.models.base import db, utcnow


class Schedule(db.Model):
    """A scan run by the server on a cron expression or an interval, optionally followed by import and check."""

    __tablename__ = "schedule"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    cron: Mapped[str | None] = mapped_column(String(100), default=None)  # "m h dom mon dow", the server's time zone
    interval_minutes: Mapped[int | None] = mapped_column(default=None)
    paths: Mapped[list] = mapped_column(JSON, default=list)  # [] = the whole library
    depth: Mapped[str] = mapped_column(String(8), default="basic")
    mode: Mapped[str] = mapped_column(String(8), default="dry-run")
    allow_real: Mapped[bool] = mapped_column(default=False)  # real mode unattended is opted into per schedule
    max_removals: Mapped[int] = mapped_column(default=50)
    then: Mapped[list] = mapped_column(JSON, default=list)  # jobs that follow the scan: "import", "check"
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When it last fired (UTC): the next run and a missed run are counted from here.
    last_run_at: Mapped[datetime | None] = mapped_column(default=None)
    last_scan_id: Mapped[int | None] = mapped_column(default=None)
    last_outcome: Mapped[str] = mapped_column(String(1000), default="")


class NotificationTarget(db.Model):
    """An Apprise URL (Discord, Telegram, ntfy, Gotify, e-mail, a JSON webhook...) and the events it wants."""

    __tablename__ = "notification_target"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))  # holds secrets: shown masked, never in a log line
    events: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_sent_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str] = mapped_column(String(1000), default="")
    failures: Mapped[int] = mapped_column(default=0)
