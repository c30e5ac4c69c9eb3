"""A fake Sonarr or Radarr (API v3) on 127.0.0.1: a real HTTP server that behaves like the app where it matters.

- the API key is checked (401, empty body), everything sits under the URL base (else 404);
- commands take time (queued/started, then completed) and unknown ones are refused;
- a rescan, once completed, forgets the files that are gone from disk (what linkdoctor removed);
- every request is checked against the upstream OpenAPI spec, every JSON answer validated with it;
  what does not match lands in `violations`, which the tests assert is empty.
- history holds grabs (`add_grab`); `history/failed/{id}` marks one failed, which puts its release on the
  blocklist (as upstream's failed download handling does); the blocklist can be read and undone.
The web UI's page (`/` under the URL base, its title the app's name) is served without the key, as upstream does.
Knobs: `fail_next` (answer 500 that many times), `delay` (seconds before answering), `app_name`, `html` (nginx's page),
`redirect_to` (answer every request with a 307 to that origin, the same path), `error_next`
((status, body) answered once, whatever was asked).
"""

import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tests.fakes import serving
from tests.fakes.openapi import SpecViolation, check_request, check_response

# What nginx serves before it is configured (and `html` answers to everything).
NGINX_PAGE = (b"<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head>"
              b"<body><h1>Welcome to nginx!</h1></body></html>")
KNOWN_COMMANDS = {"sonarr": ("RescanSeries", "EpisodeSearch", "SeriesSearch"),
                  "radarr": ("RescanMovie", "MoviesSearch", "RefreshMovie")}
NOW = "2026-11-22T00:00:00Z"


class FakeArr:
    """One fake instance; `start()` serves it, `url`/`port` say where."""

    def __init__(self, kind: str, api_key: str = "0123456789abcdef0123456789abcdef", url_base: str = "",
                 disk=None, command_seconds: float = 0.3):
        self.kind = kind
        self.api_key = api_key
        self.url_base = "/" + url_base.strip("/") if url_base.strip("/") else ""
        self.app_name = kind.capitalize()
        self.disk = disk or (lambda remote: remote)  # the app's path -> where that file is on this machine
        self.command_seconds = command_seconds
        self.fail_next = 0
        self.delay = 0.0
        self.html = False
        self.redirect_to = ""
        self.error_next: tuple[int, bytes] | None = None
        self.requests: list[dict] = []
        self.violations: list[str] = []
        self.series: dict[int, dict] = {}
        self.episodes: dict[int, dict] = {}
        self.movies: dict[int, dict] = {}
        self.files: dict[int, dict] = {}  # episode files or movie files
        self.commands: dict[int, dict] = {}
        self.history: dict[int, dict] = {}
        self.blocklisted: dict[int, dict] = {}
        self.failed: list[int] = []  # the history ids marked failed, in order
        self._ids = iter(range(1, 10**9))
        self._lock = threading.Lock()  # guards the library and the command list between request threads
        self.server: ThreadingHTTPServer | None = None

    # -- the library --------------------------------------------------------

    def add_series(self, title: str, path: str, monitored: bool = True) -> int:
        series_id = next(self._ids)
        self.series[series_id] = {"id": series_id, "title": title, "path": path, "monitored": monitored}
        return series_id

    def add_episode(self, series_id: int, season: int, number: int, file_path: str | None = None,
                    monitored: bool = True) -> int:
        file_id = 0
        if file_path:
            file_id = next(self._ids)
            self.files[file_id] = {"id": file_id, "seriesId": series_id, "seasonNumber": season,
                                   "path": file_path, "relativePath": os.path.relpath(file_path, self.series[series_id]["path"])}
        episode_id = next(self._ids)
        self.episodes[episode_id] = {"id": episode_id, "seriesId": series_id, "seasonNumber": season,
                                     "episodeNumber": number, "episodeFileId": file_id, "monitored": monitored}
        return episode_id

    def add_movie(self, title: str, year: int, path: str, file_path: str | None = None, monitored: bool = True) -> int:
        movie_id = next(self._ids)
        self.movies[movie_id] = {"id": movie_id, "title": title, "year": year, "path": path,
                                 "monitored": monitored, "movieFileId": 0}
        if file_path:
            file_id = next(self._ids)
            self.files[file_id] = {"id": file_id, "movieId": movie_id, "path": file_path,
                                   "relativePath": os.path.basename(file_path)}
            self.movies[movie_id]["movieFileId"] = file_id
        return movie_id

    def add_grab(self, source_title: str, download_id: str, item_id: int, episode_ids=(), date: str = NOW) -> int:
        """A grab: one `grabbed` history record per episode (Sonarr, item_id the series) or of the movie
        (Radarr), all with the release's downloadId; the id of the first."""
        ids = []
        for episode_id in (list(episode_ids) if self.kind == "sonarr" else [None]):
            history_id = next(self._ids)
            ids.append(history_id)
            record = {"id": history_id, "sourceTitle": source_title, "downloadId": download_id, "date": date,
                      "eventType": "grabbed", "data": {"indexer": "FakeIndexer"}, "qualityCutoffNotMet": False,
                      "customFormatScore": 0}
            record.update({"seriesId": item_id, "episodeId": episode_id} if self.kind == "sonarr" else {"movieId": item_id})
            self.history[history_id] = record
        return ids[0]

    def sent_commands(self) -> list[dict]:
        """The commands received, as {name, **fields}, in order."""
        return [c["request"] for c in sorted(self.commands.values(), key=lambda c: c["id"])]

    # -- serving ------------------------------------------------------------

    def start(self) -> "FakeArr":
        self.server = serving.serve(serving.handler_for(self._handle, ("GET", "POST", "DELETE")), f"fake-{self.kind}")
        return self

    def stop(self) -> None:
        serving.stop(self.server)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        self.requests.append({"method": method, "path": parts.path, "query": query, "body": body,
                              "api_key": handler.headers.get("X-Api-Key"), "url": handler.path})
        if self.delay:
            time.sleep(self.delay)
        if self.fail_next > 0:
            self.fail_next -= 1
            return self._send(handler, 500, b'{"message": "Internal Server Error"}')
        if self.redirect_to:
            return self._send(handler, 307, b"", headers={"Location": self.redirect_to + handler.path})
        if self.error_next is not None:
            (status, payload), self.error_next = self.error_next, None
            return self._send(handler, status, payload, "text/html")
        if self.html:
            return self._send(handler, 200, NGINX_PAGE, "text/html", headers={"Server": "nginx/1.27.3"})
        if not parts.path.startswith(self.url_base + "/"):
            return self._send(handler, 404, b"")
        path = parts.path[len(self.url_base):]
        if path == "/ping":
            return self._send(handler, 200, b'{"status": "OK"}')
        if path == "/" and method == "GET":  # the web UI's page, served to anyone (the UI logs in itself)
            return self._send(handler, 200, self._index_page(), "text/html")
        if handler.headers.get("X-Api-Key") != self.api_key:
            return self._send(handler, 401, b"")
        try:
            check_request(self.kind, method, path, query, body)
        except SpecViolation as exc:
            self.violations.append(str(exc))
            return self._send(handler, 400, json.dumps({"message": str(exc)}).encode())
        with self._lock:
            status, answer = self._route(method, path, query, body)
        if 200 <= status < 300:
            try:
                check_response(self.kind, method, path, status, answer)
            except SpecViolation as exc:
                self.violations.append(str(exc))
        self._send(handler, status, json.dumps(answer).encode() if answer is not None else b"")

    def _index_page(self) -> bytes:
        """The start of the app's index.html as upstream serves it: the app's name is its title."""
        return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{self.app_name}</title>'
                f"<script>window.{self.app_name} = {{ urlBase: '{self.url_base}' }};</script></head>"
                '<body><div id="root"></div></body></html>').encode()

    def _send(self, handler, status: int, payload: bytes, content_type: str = "application/json",
              headers: dict | None = None) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    # -- the API ------------------------------------------------------------

    def _route(self, method: str, path: str, query: dict, body):
        if path == "/api/v3/system/status":
            return 200, {"appName": self.app_name, "instanceName": self.app_name, "version": "4.0.19.2546"
                         if self.kind == "sonarr" else "5.26.2.10099", "urlBase": self.url_base, "isDocker": True}
        if path == "/api/v3/command" and method == "POST":
            return self._new_command(body)
        if path.startswith("/api/v3/command/"):
            command = self.commands.get(int(path.rsplit("/", 1)[1]))
            return (200, self._command_view(command)) if command else (404, {"message": "NotFound"})
        answer = self._history_route(method, path, query)
        if answer is not None:
            return answer
        if self.kind == "sonarr":
            if path == "/api/v3/series":
                return 200, [self._series_view(s) for s in self.series.values()]
            if path == "/api/v3/episodefile":
                series_id = int(query["seriesId"])
                return 200, [dict(f) for f in self.files.values() if f.get("seriesId") == series_id]
            if path == "/api/v3/episode":
                series_id = int(query["seriesId"])
                return 200, [{**e, "hasFile": bool(e["episodeFileId"])} for e in self.episodes.values()
                             if e["seriesId"] == series_id]
        else:
            if path == "/api/v3/movie":
                return 200, [{k: v for k, v in m.items() if k != "movieFileId"} | {"hasFile": bool(m["movieFileId"])}
                             for m in self.movies.values()]
            if path == "/api/v3/moviefile":
                movie_id = int(query["movieId"])
                return 200, [dict(f) for f in self.files.values() if f.get("movieId") == movie_id]
        return 404, {"message": "NotFound"}

    def _history_route(self, method: str, path: str, query: dict):
        """history, history/movie, history/failed/{id}, blocklist, blocklist/{id}; None for another path."""
        owner = "seriesId" if self.kind == "sonarr" else "movieId"
        if path in ("/api/v3/history", "/api/v3/history/movie") and method == "GET":
            found = sorted(self.history.values(), key=lambda r: r["date"], reverse=True)
            for key in ("episodeId", "movieId", "downloadId"):
                if key in query:
                    found = [r for r in found if str(r.get(key)) == query[key]]
            if query.get("eventType") == "1":
                found = [r for r in found if r["eventType"] == "grabbed"]
            if path.endswith("/movie"):
                return 200, found
            return 200, {"page": 1, "pageSize": len(found), "sortKey": "date", "sortDirection": "descending",
                         "totalRecords": len(found), "records": found}
        if path.startswith("/api/v3/history/failed/") and method == "POST":
            record = self.history.get(int(path.rsplit("/", 1)[1]))
            if record is None:
                return 404, {"message": "NotFound"}
            self.failed.append(record["id"])
            entry_id = next(self._ids)
            entry = {"id": entry_id, owner: record[owner], "sourceTitle": record["sourceTitle"], "date": NOW,
                     "protocol": "torrent", "indexer": "FakeIndexer", "message": "Manually marked as failed"}
            if self.kind == "sonarr":
                entry["episodeIds"] = [r["episodeId"] for r in self.history.values()
                                       if r["downloadId"] == record["downloadId"]]
            self.blocklisted[entry_id] = entry
            return 200, None
        if path == "/api/v3/blocklist" and method == "GET":
            found = list(self.blocklisted.values())
            return 200, {"page": 1, "pageSize": len(found), "sortKey": "date", "sortDirection": "descending",
                         "totalRecords": len(found), "records": found}
        if path.startswith("/api/v3/blocklist/") and method == "DELETE":
            return (200, None) if self.blocklisted.pop(int(path.rsplit("/", 1)[1]), None) else (404, {"message": "NotFound"})
        return None

    def _series_view(self, series: dict) -> dict:
        return dict(series)

    def _new_command(self, body: dict):
        name = (body or {}).get("name")
        if name not in KNOWN_COMMANDS[self.kind]:
            return 400, {"message": f"Unknown command {name!r}"}  # what upstream does with a name it does not know
        command_id = next(self._ids)
        self.commands[command_id] = {"id": command_id, "name": name, "request": dict(body),
                                     "at": time.monotonic(), "applied": False}
        return 201, self._command_view(self.commands[command_id])

    def _command_view(self, command: dict) -> dict:
        elapsed = time.monotonic() - command["at"]
        status = "queued" if elapsed < self.command_seconds / 3 else "started"
        if elapsed >= self.command_seconds:
            status = "completed"
            if not command["applied"]:
                command["applied"] = True
                self._apply(command["request"])
        return {"id": command["id"], "name": command["name"], "commandName": command["name"],
                "message": "Completed" if status == "completed" else "", "body": {"name": command["name"]},
                "priority": "normal", "status": status, "result": "successful" if status == "completed" else "unknown",
                "queued": NOW, "started": NOW if status != "queued" else None,
                "ended": NOW if status == "completed" else None, "trigger": "manual",
                "stateChangeTime": NOW, "sendUpdatesToClient": True, "updateScheduledTask": True}

    def _apply(self, request: dict) -> None:
        """A completed rescan forgets the files that are no longer on disk."""
        name = request["name"]
        if name == "RescanSeries":
            owner, key = request["seriesId"], "seriesId"
        elif name == "RescanMovie":
            owner, key = request["movieId"], "movieId"
        else:
            return
        for file_id, media_file in list(self.files.items()):
            if media_file.get(key) == owner and not os.path.exists(self.disk(media_file["path"])):
                del self.files[file_id]
                for episode in self.episodes.values():
                    if episode["episodeFileId"] == file_id:
                        episode["episodeFileId"] = 0
                for movie in self.movies.values():
                    if movie["movieFileId"] == file_id:
                        movie["movieFileId"] = 0
