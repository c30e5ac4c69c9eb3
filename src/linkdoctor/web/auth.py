"""Who may use the server: API key, login session, loopback clients; the login throttle.

One before_request for every route: without credentials the API answers 401 JSON and the
pages redirect to /login. /ping, /login, the static files and the login routes stay open.
"""

import threading
import time
from collections import deque

from flask import current_app, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface

from linkdoctor import auth
from linkdoctor.web.errors import error_response
from linkdoctor.web.security import client_address, client_is_local, presented_api_key, request_is_https

SESSION_KEY = "auth"
OPEN_PATHS = frozenset({"/ping", "/api/symlink/health", "/login", "/api/symlink/auth/status", "/api/symlink/auth/login",
                        "/api/symlink/auth/logout", "/setup", "/api/symlink/auth/setup"})
FIRST_PASSWORD_PATH = "/api/symlink/auth/password"


def register_auth(app) -> None:
    """Sign sessions with the stored key, set the cookie's flags, check every request."""
    app.secret_key = auth.credentials().session_secret
    app.config.update(
        SESSION_COOKIE_NAME="linkdoctor_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        PERMANENT_SESSION_LIFETIME=auth.SESSION_IDLE,  # the cookie goes when the server forgets the session
    )
    app.session_interface = _SessionCookies()
    app.extensions["linkdoctor.login_throttle"] = LoginThrottle()
    app.before_request(_require_credentials)


class _SessionCookies(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the browser came over HTTPS (also behind a trusted proxy):
    it is then never sent over plain HTTP. Over plain HTTP on the LAN it could not be Secure at all."""

    def get_cookie_secure(self, app) -> bool:
        return request_is_https()


def auth_mode() -> str:
    """The auth_required mode in force for this server."""
    from linkdoctor.config import get_config

    return auth.auth_mode(get_config().auth_required, current_app.config["LINKDOCTOR_SETTINGS"].host)


def logged_in() -> bool:
    """Whether this request carries a login session the server still holds (not logged out, not expired)."""
    return auth.session_is_valid(session.get(SESSION_KEY))


def log_in_session() -> None:
    """Start a server-side session for this browser (a fresh cookie: never reuse one made before login)."""
    session.clear()
    session.permanent = True
    session[SESSION_KEY] = auth.start_session()


def log_out_session() -> None:
    """End this browser's session on the server and clear its cookie."""
    auth.end_session(session.get(SESSION_KEY))
    session.clear()


def can_set_first_password() -> bool:
    """No password yet and the client is on this machine: it may choose one."""
    return not auth.password_is_set() and client_is_local()


def authenticated() -> bool:
    """Whether the request may use the app: API key, login session, or a local client when allowed."""
    if presented_api_key() is not None:
        return auth.api_key_matches(presented_api_key())
    if logged_in():
        return True
    return auth_mode() == auth.AUTH_DISABLED_FOR_LOCAL and client_is_local()


def _require_credentials():
    path = request.path
    if path in OPEN_PATHS or path.startswith("/static/"):
        return None
    if path == FIRST_PASSWORD_PATH and can_set_first_password():
        return None
    if authenticated():
        return None
    if path.startswith("/api/") or path == "/metrics":
        message = ("the API key is not valid" if presented_api_key() is not None
                   else "log in, or send the API key as the X-Api-Key header or the apikey parameter")
        return error_response(401, "unauthorized", message)
    return redirect(url_for("pages.login", next=request.full_path if request.query_string else path))


class LoginThrottle:
    """Failed logins per client address: after `limit` failures within `window` seconds, wait."""

    def __init__(self, limit: int = 5, window: float = 300.0, max_clients: int = 10_000):
        self.limit, self.window, self.max_clients = limit, window, max_clients
        self._lock = threading.Lock()  # guards _failures (waitress serves on several threads)
        self._failures: dict[str, deque] = {}

    def _recent(self, address: str, now: float) -> deque:
        times = self._failures.get(address, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        return times

    def retry_after(self, address: str) -> int:
        """Seconds before this address may try again; 0 when it may now."""
        now = time.monotonic()
        with self._lock:
            times = self._recent(address, now)
            if len(times) < self.limit:
                return 0
            return max(1, int(times[0] + self.window - now + 0.999))

    def failed(self, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            if address not in self._failures and len(self._failures) >= self.max_clients:
                self._failures.pop(next(iter(self._failures)))  # forget the oldest client, stay bounded
            times = self._recent(address, now)
            times.append(now)
            self._failures[address] = times

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._failures.pop(address, None)


def throttle() -> LoginThrottle:
    return current_app.extensions["linkdoctor.login_throttle"]


def throttle_key() -> str:
    return client_address() or "unknown"
