"""Fake Plex and Jellyfin/Emby servers on 127.0.0.1: real HTTP servers answering as the upstream specs say.

- Plex checks `X-Plex-Token` (401 with an HTML body otherwise; `/identity` is open), lists its sections
  with their `Location` folders, and records each `refresh?path=`;
- Jellyfin checks `Authorization: MediaBrowser Token="..."` (12 refuses the legacy X-Emby-Token),
  Emby `X-Emby-Token`; both list `VirtualFolders` and record each `Media/Updated` body (204);
  `/System/Info/Public` (what the server is and its version) is open to anyone, as upstream;
- every request is checked against the spec (Plex's YAML, Jellyfin 12's JSON; Emby shares Jellyfin's
  endpoints), every JSON answer validated; what does not match lands in `violations`.
Knobs: `html` (nginx's page answers), `delay` (seconds before answering).
"""

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tests.fakes import serving
from tests.fakes.arr import NGINX_PAGE
from tests.fakes.openapi import SpecViolation, check_request, check_response, load

TOKEN = "fake-media-token-0123456789"


class FakeMediaServer:
    """The HTTP part both fakes share; `route()` answers (status, JSON or None)."""

    spec = ""

    def __init__(self, token: str = TOKEN):
        self.token = token
        self.libraries: list[dict] = []  # {"id", "title", "type", "locations"}
        self.requests: list[dict] = []
        self.violations: list[str] = []
        self.html = False
        self.delay = 0.0
        self._lock = threading.Lock()  # guards requests and what the routes record between request threads
        self.server: ThreadingHTTPServer | None = None

    def add_library(self, title: str, kind: str, *locations: str) -> str:
        library_id = str(len(self.libraries) + 1)
        self.libraries.append({"id": library_id, "title": title, "type": kind, "locations": list(locations)})
        return library_id

    def start(self):
        load(self.spec)  # read the spec now (seconds for Plex's YAML), not while a client waits for an answer
        self.server = serving.serve(serving.handler_for(self._handle, ("GET", "POST")), f"fake-{self.spec}")
        return self

    def stop(self) -> None:
        serving.stop(self.server)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        body = json.loads(handler.rfile.read(length)) if length else None
        with self._lock:
            self.requests.append({"method": method, "path": parts.path, "query": query, "body": body,
                                  "headers": dict(handler.headers), "at": time.monotonic()})
        if self.delay:
            time.sleep(self.delay)
        if self.html:
            return self._send(handler, 200, NGINX_PAGE, "text/html")
        if not self.authorised(parts.path, handler.headers, query):
            return self._send(handler, 401, b"<html><body>401 Unauthorized</body></html>", "text/html")
        try:
            check_request(self.spec, method, parts.path, {k: v for k, v in query.items() if k != "api_key"}, body)
        except SpecViolation as exc:
            self.violations.append(str(exc))
            return self._send(handler, 400, json.dumps({"message": str(exc)}).encode())
        with self._lock:
            status, answer = self.route(method, parts.path, query, body)
        if 200 <= status < 300 and answer is not None:
            try:
                check_response(self.spec, method, parts.path, status, answer)
            except SpecViolation as exc:
                self.violations.append(str(exc))
        self._send(handler, status, json.dumps(answer).encode() if answer is not None else b"")

    @staticmethod
    def _send(handler, status: int, payload: bytes, content_type: str = "application/json") -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    def authorised(self, path: str, headers, query: dict) -> bool:
        raise NotImplementedError

    def route(self, method: str, path: str, query: dict, body):
        raise NotImplementedError


class FakePlex(FakeMediaServer):
    spec = "plex"

    def __init__(self, token: str = TOKEN):
        super().__init__(token)
        self.refreshes: list[tuple[str, str]] = []  # (section id, folder), in order

    def authorised(self, path, headers, query) -> bool:
        return path == "/identity" or headers.get("X-Plex-Token") == self.token

    def route(self, method, path, query, body):
        if path == "/identity":
            return 200, {"MediaContainer": {"size": 0, "claimed": True, "machineIdentifier": "0f1e2d3c4b5a",
                                            "version": "1.41.3.9314-a0bfb8370"}}
        if path in ("/library/sections", "/library/sections/"):
            return 200, {"MediaContainer": {"size": len(self.libraries), "allowSync": False, "title1": "Plex Library",
                                            "Directory": [{"key": lib["id"], "title": lib["title"], "type": lib["type"],
                                                           "Location": [{"id": i + 1, "path": p} for i, p in
                                                                        enumerate(lib["locations"])]}
                                                          for lib in self.libraries]}}
        found = re.fullmatch(r"/library/sections/([^/]+)/refresh", path)
        if found and method == "GET":
            if found.group(1) not in {lib["id"] for lib in self.libraries}:
                return 404, None
            self.refreshes.append((found.group(1), query.get("path", "")))
            return 200, None  # Plex answers at once with an empty body and never says when the scan ended
        return 404, None


class FakeJellyfin(FakeMediaServer):
    """Jellyfin 12 (product "jellyfin"), or Emby with `product="emby"` (same endpoints, X-Emby-Token)."""

    spec = "jellyfin"

    def __init__(self, token: str = TOKEN, product: str = "jellyfin"):
        super().__init__(token)
        self.product = product
        self.updates: list[list[dict]] = []  # the Updates of each Media/Updated, in order

    def authorised(self, path, headers, query) -> bool:
        if path == "/System/Info/Public":  # open to anyone, as upstream: what the server is, not what it holds
            return True
        if self.product == "emby":
            return headers.get("X-Emby-Token") == self.token or query.get("api_key") == self.token
        return headers.get("Authorization", "") == f'MediaBrowser Token="{self.token}"'

    def route(self, method, path, query, body):
        if path == "/System/Info/Public" and method == "GET":
            public = {"ServerName": "media", "Version": "10.11.0" if self.product == "jellyfin" else "4.9.1.80",
                      "Id": "4f1b2c3d", "StartupWizardCompleted": True}
            return 200, {**public, "ProductName": "Jellyfin Server"} if self.product == "jellyfin" else public
        if path == "/System/Info" and method == "GET":
            return 200, {"ServerName": "media", "Version": "10.11.0" if self.product == "jellyfin" else "4.9.1.80",
                         "ProductName": "Jellyfin Server" if self.product == "jellyfin" else "Emby Server",
                         "Id": "4f1b2c3d", "StartupWizardCompleted": True}
        if path == "/Library/VirtualFolders" and method == "GET":
            return 200, [{"Name": lib["title"], "Locations": lib["locations"],
                          "CollectionType": "tvshows" if lib["type"] == "show" else "movies", "ItemId": lib["id"]}
                         for lib in self.libraries]
        if path == "/Library/Media/Updated" and method == "POST":
            self.updates.append(list((body or {}).get("Updates", [])))
            return 204, None
        return 404, None
