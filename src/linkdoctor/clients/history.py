"""Sonarr/Radarr history and blocklist JSON turned into records: pure functions, no HTTP."""

from dataclasses import dataclass

from linkdoctor.clients.records import UnexpectedAnswer

GRABBED = 1  # the history event type of a grab (API v3: eventType=1)


@dataclass(frozen=True)
class HistoryRecord:
    """One history event: a grab is what `history/failed/{id}` marks failed, which blocklists the release."""

    id: int
    event_type: str
    source_title: str
    download_id: str
    date: str


@dataclass(frozen=True)
class BlocklistEntry:
    id: int
    source_title: str
    item_id: int  # the series or the movie


def _records(data) -> list[dict]:
    """A paged answer's records, or a plain list (Radarr's history/movie)."""
    if isinstance(data, dict):
        data = data.get("records")
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise UnexpectedAnswer("a history or blocklist answer has no list of records")
    return data


def parse_history(data) -> list[HistoryRecord]:
    """History records, newest first."""
    found = [HistoryRecord(int(item["id"]), str(item.get("eventType") or ""), str(item.get("sourceTitle") or ""),
                           str(item.get("downloadId") or ""), str(item.get("date") or ""))
             for item in _records(data) if isinstance(item.get("id"), int)]
    return sorted(found, key=lambda record: record.date, reverse=True)


def parse_blocklist(data) -> list[BlocklistEntry]:
    return [BlocklistEntry(int(item["id"]), str(item.get("sourceTitle") or ""),
                           int(item.get("seriesId") or item.get("movieId") or 0))
            for item in _records(data) if isinstance(item.get("id"), int)]


def newest_grab(records: list[HistoryRecord]) -> HistoryRecord | None:
    """The newest `grabbed` record (a server that ignores the eventType filter still answers other events)."""
    grabs = [record for record in records if record.event_type in ("grabbed", str(GRABBED))]
    return grabs[0] if grabs else None
