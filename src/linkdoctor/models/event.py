"""The outbox of events: each one committed with the change it announces, delivered to listeners after."""

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from linkdoctor.models.base import db, utcnow


class OutboxEvent(db.Model):
    """One announced event (library_changed, job_finished) and what its listeners answered."""

    __tablename__ = "event_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)  # the delivery order
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # NULL until every listener has run; the dispatcher delivers the undelivered rows, oldest first.
    delivered_at: Mapped[datetime | None] = mapped_column(index=True)
    outcome: Mapped[dict] = mapped_column(JSON, default=dict)  # listener name -> its answer or its error
