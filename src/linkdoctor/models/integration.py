"""What Sonarr/Radarr's webhooks told: the release behind each imported file, and links to look at again."""

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from linkdoctor.models.base import db, utcnow


class ImportedRelease(db.Model):
    """One file Sonarr/Radarr imported (a `Download` webhook): which release it came from, for the blocklist."""

    __tablename__ = "imported_release"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # sonarr | radarr
    instance: Mapped[str] = mapped_column(String(64), default="")  # the instance's name, when one matched
    remote_path: Mapped[str] = mapped_column(String(4096))  # the file as the app names it
    local_path: Mapped[str] = mapped_column(String(4096), index=True)  # the same file here, through the mappings
    download_id: Mapped[str] = mapped_column(String(255), default="")  # the download client's id of the release
    source_title: Mapped[str] = mapped_column(String(1000), default="")  # the release's scene name
    item_id: Mapped[int] = mapped_column(default=0)  # series or movie id
    episode_ids: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MarkedLink(db.Model):
    """A link a webhook said changed (renamed, file deleted): the next scan looks at it whatever its filters."""

    __tablename__ = "marked_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(4096), index=True)
    reason: Mapped[str] = mapped_column(String(1000), default="")  # "sonarr Rename", "radarr MovieFileDelete"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
