"""What the Plex and Jellyfin/Emby clients share: one bounded HTTP call, its failures as MediaServerError.

A token travels in a header only, no redirect is followed (a redirect would carry the token to
another host), and every call has a timeout: a media server that hangs never holds a job.
"""

import requests

from linkdoctor.clients.api_session import ApiSession, readable_cause
from linkdoctor.errors import LinkdoctorError


class MediaServerError(LinkdoctorError):
    """A media server that cannot be reached or does not answer as one: the message says what to fix."""

    status_code = 502
    error = "media_server_error"


class MediaAnswerError(MediaServerError):
    """Something answered, but not as the server would (refused, not found, not its JSON): maybe another program."""


class MediaServerClient(ApiSession):
    """A session to one server; subclasses add its headers and its calls."""

    product = ""  # what the server is, for messages: "Plex", "Jellyfin", "Emby"

    def __init__(self, server, timeout: float = 10.0):
        self.server = server
        super().__init__(self.auth_headers(server.token), timeout)

    def auth_headers(self, token: str) -> dict:
        raise NotImplementedError

    def _where(self) -> str:
        return f"{self.server.label} at {self.server.url}"

    def call(self, method: str, path: str, params: dict | None = None, body: dict | None = None, decode: bool = True):
        """One call: the decoded JSON answer (None for an empty one) or a MediaServerError."""
        url = f"{self.server.url}{path}"
        try:
            response = self._send(method, url, params, body)
        except requests.exceptions.SSLError as exc:
            raise MediaServerError(f"{self._where()}: TLS error ({readable_cause(exc)}); check http/https") from exc
        except requests.exceptions.Timeout as exc:
            raise MediaServerError(f"{self._where()}: no answer within {self.timeout:g}s (timeout)") from exc
        except requests.exceptions.ConnectionError as exc:
            raise MediaServerError(f"{self._where()}: cannot connect ({readable_cause(exc)}); "
                                   "check the URL and that the server is running") from exc
        status = response.status_code
        if status in (401, 403):
            raise MediaAnswerError(f"{self._where()}: the token was refused ({status}); "
                                   f"check the {self.product} token or API key")
        if 300 <= status < 400:
            raise MediaServerError(f"{self._where()}: redirected to {response.headers.get('Location', '?')} "
                                   f"({status}), not followed with the token; put the final address in the URL")
        if status == 404:
            raise MediaAnswerError(f"{self._where()}: {path} not found (404); is this a {self.product} server?")
        if status >= 400:
            raise MediaServerError(f"{self._where()}: HTTP {status} {response.reason}")
        if not decode:
            return None
        return self._json(response, MediaAnswerError(f"{self._where()}: the answer is not JSON: another program "
                                                     f"answers there, not {self.product}"))
