"""What the HTTP clients share (Sonarr/Radarr, Plex, Jellyfin/Emby, TMDB's messages): a session whose secret
travels in a header, calls that always time out and never follow a redirect, and failures told in words a
person can act on, never in the remote's own words.
"""

from http import HTTPStatus
from urllib.parse import urlsplit

import requests


class ApiSession:
    """A session to one server (its headers set once); `with` closes it. Subclasses say `_where()`."""

    def __init__(self, headers: dict, timeout: float):
        self.timeout = timeout
        self.session = requests.Session()
        # The secret travels in a header, never in the URL, so it stays out of logs and proxies.
        self.session.headers.update({"Accept": "application/json", **headers})

    def close(self) -> None:
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _where(self) -> str:
        """The server, as messages name it ("sonarr 'main' at http://...")."""
        raise NotImplementedError

    def _send(self, method: str, url: str, params: dict | None = None, body: dict | None = None) -> requests.Response:
        """One request, bounded by the timeout; a redirect is answered, not followed."""
        # Never followed: requests would carry the secret header to whatever origin the answer names
        # (Session.rebuild_auth strips only Authorization). The caller reports a redirect instead.
        return self.session.request(method, url, params=params, json=body, timeout=self.timeout,
                                    allow_redirects=False)

    @staticmethod
    def _json(response: requests.Response, not_json: Exception):
        """The decoded JSON answer, None for an empty one; `not_json` raised when it is something else."""
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise not_json from None


def status_phrase(status: int) -> str:
    """The standard reason phrase of an HTTP status ("Forbidden"), never the remote's own words."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "(non-standard status)"


def shown_url(url: str) -> str:
    """A URL as it may be shown: scheme, host, port and path only (no user:password@, query or fragment),
    without control characters, at most 200 characters."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "an address that is not a URL"
    if ":" in host:
        host = f"[{host}]"
    text = f"{parts.scheme}://{host}{port}{parts.path}" if parts.scheme else parts.path
    text = "".join(ch for ch in text if ch.isprintable() and not ch.isspace())
    return text[:200] or "an empty address"


def readable_cause(exc: Exception) -> str:
    """The innermost readable cause of a requests exception."""
    text = str(exc.args[0] if exc.args else exc)
    for marker in ("Connection refused", "Name or service not known", "Temporary failure in name resolution",
                   "No route to host", "timed out", "CERTIFICATE_VERIFY_FAILED", "WRONG_VERSION_NUMBER",
                   "record layer failure"):
        if marker in text:
            return marker
    return text[-160:]
