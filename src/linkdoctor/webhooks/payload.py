"""Sonarr's and Radarr's webhook bodies turned into linkdoctor's records: pure functions, no HTTP.

The shapes are those of `NzbDrone.Core/Notifications/Webhook/` in each app (camelCase JSON):
every body has `eventType` (Test, Grab, Download, Rename, EpisodeFileDelete / MovieFileDelete, ...),
`instanceName`; a Download (an import or an upgrade) carries `series` + `episodes` + `episodeFile`
(Sonarr; its ImportComplete form carries `episodeFiles`) or `movie` + `movieFile` (Radarr), with
`downloadId`; a Rename carries `renamedEpisodeFiles` / `renamedMovieFiles` (`path`, `previousPath`).
"""

from dataclasses import dataclass, field

from linkdoctor.errors import ValidationError

EVENT_TYPES = {
    "sonarr": ("Test", "Grab", "Download", "Rename", "SeriesAdd", "SeriesDelete", "EpisodeFileDelete", "Health",
               "ApplicationUpdate", "HealthRestored", "ManualInteractionRequired"),
    "radarr": ("Test", "Grab", "Download", "Rename", "MovieDelete", "MovieFileDelete", "Health", "ApplicationUpdate",
               "MovieAdded", "HealthRestored", "ManualInteractionRequired"),
}
MARKING_EVENTS = ("Rename", "EpisodeFileDelete", "MovieFileDelete")


@dataclass
class WebhookEvent:
    """What one webhook says, as far as linkdoctor acts on it."""

    app: str  # sonarr | radarr
    event_type: str
    instance_name: str = ""
    item_id: int = 0  # the series or the movie
    item_title: str = ""
    item_folder: str = ""  # the series' or the movie's folder, as the app names it
    episode_ids: list[int] = field(default_factory=list)
    files: list[dict] = field(default_factory=list)  # [{"path", "scene_name"}] as the app names them
    previous_paths: list[str] = field(default_factory=list)  # a Rename's old paths
    download_id: str = ""
    is_upgrade: bool = False


def _object(value) -> dict:
    return value if isinstance(value, dict) else {}


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _int(value) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _files(items) -> list[dict]:
    return [{"path": _text(f.get("path")), "scene_name": _text(f.get("sceneName"))}
            for f in items if isinstance(f, dict) and _text(f.get("path"))]


def parse_webhook(app: str, body) -> WebhookEvent:
    """The event of a webhook body; ValidationError (400) for a body that is not one of this app's."""
    if not isinstance(body, dict):
        raise ValidationError(f"a {app} webhook body is a JSON object with an eventType")
    event_type = body.get("eventType")
    if event_type not in EVENT_TYPES[app]:
        raise ValidationError(f"unknown {app} webhook eventType {event_type!r}", field="eventType")
    event = WebhookEvent(app, event_type, _text(body.get("instanceName")), download_id=_text(body.get("downloadId")),
                         is_upgrade=body.get("isUpgrade") is True)
    if app == "sonarr":
        series = _object(body.get("series"))
        event.item_id, event.item_title, event.item_folder = _int(series.get("id")), _text(series.get("title")), \
            _text(series.get("path"))
        episodes = body.get("episodes") if isinstance(body.get("episodes"), list) else []
        event.episode_ids = [_int(e.get("id")) for e in episodes if isinstance(e, dict) and _int(e.get("id"))]
        single = [body["episodeFile"]] if isinstance(body.get("episodeFile"), dict) else []
        many = body.get("episodeFiles") if isinstance(body.get("episodeFiles"), list) else []
        renamed = body.get("renamedEpisodeFiles") if isinstance(body.get("renamedEpisodeFiles"), list) else []
    else:
        movie = _object(body.get("movie"))
        event.item_id, event.item_title = _int(movie.get("id")), _text(movie.get("title"))
        event.item_folder = _text(movie.get("folderPath"))
        single = [body["movieFile"]] if isinstance(body.get("movieFile"), dict) else []
        many = []
        renamed = body.get("renamedMovieFiles") if isinstance(body.get("renamedMovieFiles"), list) else []
    event.files = _files(single + many + renamed)
    event.previous_paths = [_text(f.get("previousPath")) for f in renamed
                            if isinstance(f, dict) and _text(f.get("previousPath"))]
    return event
