"""A fake Docker Engine API on 127.0.0.1 (or a unix socket), enough for the real `docker` SDK.

The SDK asks /version first (API version negotiation), then /vX.YZ/containers/json,
/containers/{id}/json for each, and /containers/{id}/archive?path= which answers a tar
with the X-Docker-Container-Path-Stat header. `hang` makes it accept and never answer.
"""

import base64
import io
import json
import re
import socketserver
import tarfile
import threading
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from tests.fakes import serving

API_VERSION = "1.45"


def config_xml(api_key: str, port: int, url_base: str = "") -> bytes:
    """A Sonarr/Radarr config.xml as the linuxserver and hotio images write it."""
    return (f"<Config>\n  <BindAddress>*</BindAddress>\n  <Port>{port}</Port>\n  <SslPort>9898</SslPort>\n"
            f"  <UrlBase>{url_base}</UrlBase>\n  <ApiKey>{api_key}</ApiKey>\n"
            "  <AuthenticationMethod>Forms</AuthenticationMethod>\n</Config>\n").encode()


class FakeDockerEngine:
    """Containers as the engine describes them; files inside them for get_archive."""

    def __init__(self):
        self.containers: dict[str, dict] = {}
        self.files: dict[tuple[str, str], bytes] = {}
        self.hang = False
        self.requests: list[str] = []
        self.server = None

    def add_container(self, name: str, image: str, internal_port: int, published: int | None = None,
                      env: dict | None = None, network: str = "media", ip: str = "172.20.0.5",
                      config: bytes | None = None) -> str:
        container_id = f"{len(self.containers) + 1:064x}"
        ports = {f"{internal_port}/tcp": [{"HostIp": "0.0.0.0", "HostPort": str(published)}] if published else None}
        self.containers[container_id] = {
            "Id": container_id, "Name": f"/{name}", "State": {"Status": "running", "Running": True},
            "Config": {"Image": image, "Env": [f"{k}={v}" for k, v in (env or {}).items()] + ["PUID=1000"],
                       "Labels": {}},
            "Image": "sha256:" + "ab" * 32,
            "NetworkSettings": {"Ports": ports, "Networks": {network: {"IPAddress": ip, "Aliases": [name]}}},
            "HostConfig": {"NetworkMode": network},
        }
        if config is not None:
            self.files[(container_id, "/config/config.xml")] = config
        return container_id

    # -- serving ------------------------------------------------------------

    def _handler(self):
        engine = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                engine.requests.append(self.path)
                if engine.hang:
                    time.sleep(30)
                    return
                engine._answer(self)

            def address_string(self):
                return "local"

        return Handler

    def start(self) -> "FakeDockerEngine":
        self.server = serving.serve(self._handler(), "fake-docker")
        return self

    def start_unix(self, path: str) -> "FakeDockerEngine":
        class UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
            daemon_threads = True

        self.server = UnixServer(path, self._handler())
        threading.Thread(target=self.server.serve_forever, name="fake-docker-unix", daemon=True).start()
        return self

    def stop(self) -> None:
        serving.stop(self.server)

    @property
    def docker_host(self) -> str:
        return f"tcp://127.0.0.1:{self.server.server_address[1]}"

    # -- the API ------------------------------------------------------------

    def _answer(self, handler) -> None:
        parts = urlsplit(handler.path)
        path = re.sub(r"^/v\d+\.\d+", "", parts.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if path == "/version":
            return self._json(handler, 200, {"Version": "26.1.4", "ApiVersion": API_VERSION,
                                             "MinAPIVersion": "1.24", "Os": "linux", "Arch": "amd64"})
        if path == "/containers/json":
            return self._json(handler, 200, [
                {"Id": c["Id"], "Names": [c["Name"]], "Image": c["Config"]["Image"], "State": "running",
                 "Status": "Up 2 hours"} for c in self.containers.values()])
        match = re.fullmatch(r"/containers/([0-9a-f]+)/(json|archive)", path)
        if match and match.group(1) in self.containers:
            container_id, what = match.groups()
            if what == "json":
                return self._json(handler, 200, self.containers[container_id])
            data = self.files.get((container_id, query.get("path", "")))
            if data is None:
                return self._json(handler, 404, {"message": f"Could not find the file {query.get('path')} in container"})
            return self._archive(handler, query["path"], data)
        return self._json(handler, 404, {"message": "page not found"})

    def _json(self, handler, status: int, body) -> None:
        payload = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.send_header("Api-Version", API_VERSION)
        handler.end_headers()
        handler.wfile.write(payload)

    def _archive(self, handler, path: str, data: bytes) -> None:
        buffer = io.BytesIO()
        name = path.rsplit("/", 1)[-1]
        with tarfile.open(fileobj=buffer, mode="w") as archive:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        payload = buffer.getvalue()
        stat = {"name": name, "size": len(data), "mode": 420, "mtime": "2026-11-22T00:00:00Z", "linkTarget": ""}
        handler.send_response(200)
        handler.send_header("Content-Type", "application/x-tar")
        handler.send_header("Content-Length", str(len(payload)))
        handler.send_header("X-Docker-Container-Path-Stat", base64.b64encode(json.dumps(stat).encode()).decode())
        handler.end_headers()
        handler.wfile.write(payload)
