"""The library's stored settings: one SymlinkConfig row."""

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from linkdoctor.models.base import db, utcnow

DEFAULT_MOVIE_FOLDERS = ("Films", "Movies")
DEFAULT_SERIES_FOLDERS = ("Séries", "Series", "TV", "Shows")


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
    phase2_decode: Mapped[str] = mapped_column(String(16), default="suspicious", server_default="suspicious")  # suspicious | sampled | all | off (scanner.phase2.DECODE_MODES)
    decode_timeout: Mapped[float] = mapped_column(default=60.0, server_default="60")  # seconds without progress
    sonarr_enabled: Mapped[bool] = mapped_column(default=False)
    sonarr_host: Mapped[str] = mapped_column(String(255), default="localhost")
    sonarr_port: Mapped[int] = mapped_column(default=8989)
    sonarr_api_key: Mapped[str] = mapped_column(String(255), default="")
    radarr_enabled: Mapped[bool] = mapped_column(default=False)
    radarr_host: Mapped[str] = mapped_column(String(255), default="localhost")
    radarr_port: Mapped[int] = mapped_column(default=7878)
    radarr_api_key: Mapped[str] = mapped_column(String(255), default="")
    # None: decided by the address the server listens on (see linkdoctor.auth.auth_mode).
    auth_required: Mapped[str | None] = mapped_column(String(32), default=None)
    allowed_hosts: Mapped[list] = mapped_column(JSON, default=list)
    # The seed fields above describe the first Sonarr and Radarr; these complete them.
    sonarr_name: Mapped[str] = mapped_column(String(64), default="Sonarr", server_default="Sonarr")
    sonarr_scheme: Mapped[str] = mapped_column(String(8), default="http", server_default="http")
    sonarr_url_base: Mapped[str] = mapped_column(String(255), default="", server_default="")
    sonarr_path_mappings: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    radarr_name: Mapped[str] = mapped_column(String(64), default="Radarr", server_default="Radarr")
    radarr_scheme: Mapped[str] = mapped_column(String(8), default="http", server_default="http")
    radarr_url_base: Mapped[str] = mapped_column(String(255), default="", server_default="")
    radarr_path_mappings: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    # Further instances of either app: [{kind, name, scheme, host, port, url_base, api_key, enabled, path_mappings}].
    arr_instances: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    # What Sonarr/Radarr call a folder and what it is here: [{"remote": "/tv", "local": "/medias/Séries"}].
    path_mappings: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    arr_search: Mapped[bool] = mapped_column(default=True, server_default="1")  # off: rescan only
    arr_command_timeout: Mapped[float] = mapped_column(default=300.0, server_default="300")
    arr_request_timeout: Mapped[float] = mapped_column(default=10.0, server_default="10")
    # Folder names that tell an item's kind (any folder of its path, case and accents as written).
    movie_folders: Mapped[list] = mapped_column(JSON, default=lambda: list(DEFAULT_MOVIE_FOLDERS))
    series_folders: Mapped[list] = mapped_column(JSON, default=lambda: list(DEFAULT_SERIES_FOLDERS))
    tmdb_api_key: Mapped[str] = mapped_column(String(4096), default="", server_default="")  # v3 key or v4 token
    tmdb_base_url: Mapped[str] = mapped_column(String(255), default="https://api.themoviedb.org/3",
                                               server_default="https://api.themoviedb.org/3")
    # The last connection test of each Sonarr/Radarr instance, by "kind:name" (names are unique per app):
    # {ok, message, version, tested_at (ISO, UTC)}; see linkdoctor.arr.connections.
    service_tests: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    # Where users reach the page (https://linkdoctor.example.org): links in notifications; "" when unknown.
    public_url: Mapped[str] = mapped_column(String(255), default="", server_default="")
    # Plex/Jellyfin/Emby servers told to refresh the folders a change touched:
    # [{kind, name, url, token, enabled, path_mappings}]; see linkdoctor.media_servers.
    media_servers: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    media_refresh_coalesce: Mapped[int] = mapped_column(default=8, server_default="8")  # above: the library's root
    media_refresh_max_requests: Mapped[int] = mapped_column(default=12, server_default="12")  # per server and run
    # Before searching again for a corrupted or truncated item, mark its grabbed release failed (blocklists it).
    arr_blocklist: Mapped[bool] = mapped_column(default=True, server_default="1")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
