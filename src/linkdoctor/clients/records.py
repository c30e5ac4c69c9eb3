"""Sonarr/Radarr API JSON turned into linkdoctor's own records: pure functions, no HTTP."""

from dataclasses import dataclass, field

from linkdoctor.errors import LinkdoctorError


class ArrError(LinkdoctorError):
    """Sonarr or Radarr could not be reached, refused a request, or answered something unexpected."""

    status_code = 502
    error = "service_error"


UnexpectedAnswer = ArrError  # an answer without the shape API v3 documents


@dataclass
class ArrInstance:
    """Where one Sonarr or Radarr answers, and how linkdoctor sees its folders."""

    kind: str  # "sonarr" | "radarr"
    name: str
    host: str
    port: int
    api_key: str = ""
    scheme: str = "http"
    url_base: str = ""
    enabled: bool = True
    path_mappings: list = field(default_factory=list)

    @property
    def url(self) -> str:
        """The instance's root URL, URL base included, without a trailing slash."""
        base = self.url_base.strip("/")
        return f"{self.scheme}://{self.host}:{self.port}" + (f"/{base}" if base else "")

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name!r}"


@dataclass(frozen=True)
class SystemStatus:
    app: str
    version: str
    url_base: str = ""


@dataclass(frozen=True)
class Command:
    id: int
    name: str
    status: str
    message: str = ""


@dataclass(frozen=True)
class Series:
    id: int
    title: str
    path: str
    monitored: bool


@dataclass(frozen=True)
class Episode:
    id: int
    season: int
    number: int
    file_id: int
    monitored: bool

    @property
    def code(self) -> str:
        return f"S{self.season:02}E{self.number:02}"


@dataclass(frozen=True)
class Movie:
    id: int
    title: str
    year: int
    path: str
    monitored: bool
    has_file: bool


@dataclass(frozen=True)
class MediaFile:
    id: int
    owner_id: int  # the series or the movie
    path: str


def _objects(data, what: str) -> list[dict]:
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise UnexpectedAnswer(f"expected a list of {what}, got {type(data).__name__}")
    return data


def _require(item: dict, key: str, kind, what: str):
    value = item.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise UnexpectedAnswer(f"{what} without a valid {key!r}: {str(item)[:120]}")
    return value


def parse_system_status(data) -> SystemStatus:
    """GET system/status -> SystemStatus."""
    if not isinstance(data, dict):
        raise UnexpectedAnswer("system/status did not answer a JSON object: not a Sonarr/Radarr")
    return SystemStatus(str(data.get("appName") or ""), str(data.get("version") or ""), str(data.get("urlBase") or ""))


def parse_command(data) -> Command:
    """A CommandResource -> Command."""
    if not isinstance(data, dict):
        raise UnexpectedAnswer("a command answer is not a JSON object")
    return Command(_require(data, "id", int, "command"), str(data.get("name") or ""),
                   str(data.get("status") or "").lower(), str(data.get("message") or data.get("exception") or ""))


def parse_series(data) -> list[Series]:
    """GET series -> Series with their folder."""
    return [Series(_require(s, "id", int, "series"), str(s.get("title") or ""), _require(s, "path", str, "series"),
                   bool(s.get("monitored"))) for s in _objects(data, "series")]


def parse_episodes(data) -> list[Episode]:
    """GET episode?seriesId= -> Episode, with the id of the file it has (0: none)."""
    return [Episode(_require(e, "id", int, "episode"), int(e.get("seasonNumber") or 0),
                    int(e.get("episodeNumber") or 0), int(e.get("episodeFileId") or 0), bool(e.get("monitored")))
            for e in _objects(data, "episodes")]


def parse_episode_files(data) -> list[MediaFile]:
    """GET episodefile?seriesId= -> MediaFile."""
    return [MediaFile(_require(f, "id", int, "episode file"), int(f.get("seriesId") or 0),
                      _require(f, "path", str, "episode file")) for f in _objects(data, "episode files")]


def parse_movies(data) -> list[Movie]:
    """GET movie -> Movie with its folder."""
    return [Movie(_require(m, "id", int, "movie"), str(m.get("title") or ""), int(m.get("year") or 0),
                  _require(m, "path", str, "movie"), bool(m.get("monitored")), bool(m.get("hasFile")))
            for m in _objects(data, "movies")]


def parse_movie_files(data) -> list[MediaFile]:
    """GET moviefile?movieId= -> MediaFile."""
    return [MediaFile(_require(f, "id", int, "movie file"), int(f.get("movieId") or 0),
                      _require(f, "path", str, "movie file")) for f in _objects(data, "movie files")]
