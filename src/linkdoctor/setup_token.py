"""The first-run setup link: a one-time token that lets whoever reads the server's log choose the password.

Bound to 0.0.0.0 (a container), no browser is "local", so nobody could choose the first password
from the page. `serve` makes one token at a start where no password is set and prints the
/setup?token=... link once. The token lives only in this process's memory, works once, is useless
once any password exists, is compared in constant time and never appears in an API answer.
"""

import secrets
import threading

from linkdoctor import auth
from linkdoctor.errors import LinkdoctorError

EXTENSION = "linkdoctor.setup_token"
PAGE_PATH = "/setup"
API_PATH = "/api/symlink/auth/setup"


class SetupLinkRefused(LinkdoctorError):
    """A wrong, used or outdated setup token: 403, and nothing changed."""

    status_code = 403
    error = "setup_link_refused"

    def __init__(self):
        super().__init__("this setup link is not valid any more (it was used, a password is set, or the server "
                         "restarted): log in, or run `linkdoctor auth set-password` on the server")


class SetupToken:
    """One token, usable once, while no password is set."""

    def __init__(self):
        self._token: str | None = secrets.token_urlsafe(32)
        self._lock = threading.Lock()  # guards _token: two browsers may send the link at once

    @property
    def token(self) -> str | None:
        return self._token

    def set_password(self, candidate, password) -> None:
        """Set the first password when `candidate` is this token; raise SetupLinkRefused otherwise.

        A password the rules refuse (ValidationError) leaves the token usable.
        """
        with self._lock:
            valid = (self._token is not None and isinstance(candidate, str)
                     and secrets.compare_digest(candidate.encode(), self._token.encode()))
            if not valid or auth.password_is_set():
                raise SetupLinkRefused()
            auth.set_password(password)
            self._token = None


def issue(app) -> str | None:
    """Make the app's setup token when no password is set (inside an app context); None otherwise."""
    if auth.password_is_set():
        app.extensions.pop(EXTENSION, None)
        return None
    setup = SetupToken()
    app.extensions[EXTENSION] = setup
    return setup.token


def setup_link(host: str, port: int, token: str) -> str:
    """The link to print: the bound address, or localhost when bound to every address."""
    if host in ("0.0.0.0", "::", ""):
        host = "localhost"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}{PAGE_PATH}?token={token}"


def set_first_password(app, candidate, password) -> None:
    """Use the app's setup token (SetupLinkRefused when there is none)."""
    setup = app.extensions.get(EXTENSION)
    if setup is None:
        raise SetupLinkRefused()
    setup.set_password(candidate, password)
