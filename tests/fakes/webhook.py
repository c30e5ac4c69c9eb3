"""A JSON webhook receiver on 127.0.0.1, the far end of Apprise's `json://` URL: a real HTTP server.

Keeps every message it accepted (Apprise's JSON body: {version, title, message, type}). Knobs:
`fail_next` (answer 500 that many times), `hang` (accept the connection, read the request, never
answer: a target that hangs). `wait_for(count, timeout)` waits on a condition, never sleeps.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler

from tests.fakes import serving


class FakeWebhook:
    def __init__(self):
        self.messages: list[dict] = []
        self.paths: list[str] = []
        self.fail_next = 0
        self.hang = False
        self.attempts = 0
        self._changed = threading.Condition()  # guards the lists and knobs; notified on each request
        self._release = threading.Event()  # set at stop: a hanging answer ends
        self.server = None

    @property
    def url(self) -> str:
        return f"127.0.0.1:{self.server.server_port}"

    def apprise_url(self, path: str = "hook") -> str:
        return f"json://{self.url}/{path}"

    def _receive(self, path: str, body: bytes) -> int | None:
        with self._changed:
            self.attempts += 1
            self._changed.notify_all()
            if self.hang:
                hanging = True
            elif self.fail_next:
                self.fail_next -= 1
                return 500
            else:
                self.messages.append(json.loads(body or b"{}"))
                self.paths.append(path)
                self._changed.notify_all()
                return 200
        if hanging:
            self._release.wait(60)
        return None

    def wait_for(self, count: int, timeout: float = 30.0, attempts: bool = False) -> list[dict]:
        """Wait until `count` messages (or attempts) have arrived; the messages."""
        with self._changed:
            arrived = self._changed.wait_for(
                lambda: (self.attempts if attempts else len(self.messages)) >= count, timeout)
            assert arrived, f"{len(self.messages)} message(s), {self.attempts} attempt(s) within {timeout}s"
            return list(self.messages)

    def start(self) -> "FakeWebhook":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                status = fake._receive(self.path, self.rfile.read(length))
                if status is None:
                    return
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = serving.serve(Handler, "fake-webhook")
        return self

    def stop(self) -> None:
        self._release.set()
        serving.stop(self.server)
