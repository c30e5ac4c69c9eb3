"""The server's own secrets: the API key, the password hash and the session signing key."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from linkdoctor.models.base import db, utcnow


class AuthCredentials(db.Model):
    """One row, made at first start; kept apart from SymlinkConfig so no settings dump can show it."""

    __tablename__ = "auth_credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    api_key: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    session_secret: Mapped[str] = mapped_column(String(128))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
