"""The server's credentials: API key, password (Argon2id), session key, and who must log in.

Below the web layer: no request or session here. The web layer (linkdoctor.web.auth) and
the CLI (`linkdoctor auth ...`) both call these.
"""

import hashlib
import ipaddress
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from linkdoctor.errors import ValidationError
from linkdoctor.models import AuthCredentials, db

AUTH_ENABLED = "enabled"
AUTH_DISABLED_FOR_LOCAL = "disabled_for_local"
AUTH_MODES = (AUTH_ENABLED, AUTH_DISABLED_FOR_LOCAL)
PASSWORD_MIN, PASSWORD_MAX = 8, 1024

_hasher = PasswordHasher()  # argon2-cffi's defaults: Argon2id, RFC 9106 low-memory profile


def credentials() -> AuthCredentials:
    """The credentials row, made with a fresh API key and session key at first start."""
    row = db.session.execute(db.select(AuthCredentials).order_by(AuthCredentials.id)).scalars().first()
    if row is None:
        row = AuthCredentials(api_key=_new_api_key(), session_secret=secrets.token_hex(32))
        db.session.add(row)
        db.session.commit()
    return row


def _new_api_key() -> str:
    return secrets.token_hex(16)  # 32 hex characters, like Sonarr's


def regenerate_api_key() -> str:
    """Replace the API key; the old one stops working at once."""
    row = credentials()
    row.api_key = _new_api_key()
    db.session.commit()
    return row.api_key


def api_key_matches(candidate: str | None) -> bool:
    """Whether a presented key is the API key (compared in constant time)."""
    if not candidate:
        return False
    return secrets.compare_digest(candidate.encode(), credentials().api_key.encode())


def password_is_set() -> bool:
    return bool(credentials().password_hash)


def set_password(password) -> None:
    """Store a new password as an Argon2id hash; existing sessions end (their stamp changes)."""
    if not isinstance(password, str):
        raise ValidationError("password must be text", field="password")
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise ValidationError(f"password must be {PASSWORD_MIN} to {PASSWORD_MAX} characters long", field="password")
    if "\x00" in password:
        raise ValidationError("password must not contain NUL characters", field="password")
    row = credentials()
    row.password_hash = _hasher.hash(password)
    db.session.commit()


def check_password(password) -> bool:
    """Whether the password is the stored one; False when none is set."""
    row = credentials()
    if not row.password_hash or not isinstance(password, str) or len(password) > PASSWORD_MAX:
        return False
    try:
        _hasher.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(row.password_hash):
        row.password_hash = _hasher.hash(password)
        db.session.commit()
    return True


def session_stamp() -> str:
    """A value a session carries; it changes with the password, so a new password ends old sessions."""
    return hashlib.sha256((credentials().password_hash or "").encode()).hexdigest()[:16]


def is_loopback(address: str | None) -> bool:
    """Whether an address (or a bound host name) is this machine's loopback."""
    if not address:
        return False
    if address.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def auth_mode(stored: str | None, bind_host: str) -> str:
    """The mode in force: the stored setting, else `enabled` unless the server listens on loopback only."""
    if stored in AUTH_MODES:
        return stored
    return AUTH_DISABLED_FOR_LOCAL if is_loopback(bind_host) else AUTH_ENABLED


_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


def normalise_host_name(text: str) -> str | None:
    """A host name or IP address in one spelling (lower case, IPv6 in brackets); None when it is neither."""
    name = text.strip().lower().rstrip(".")
    try:
        address = ipaddress.ip_address(name[1:-1] if name.startswith("[") and name.endswith("]") else name)
    except ValueError:
        address = None
    if address is not None:
        return f"[{address.compressed}]" if address.version == 6 else address.compressed
    if not name or len(name) > 253 or not all(_LABEL.match(label) for label in name.split(".")):
        return None
    return name


def host_of_header(value: str) -> str | None:
    """The host name of a Host header ("name:port", "[v6]:port"), normalised; None when malformed."""
    value = value.strip()
    if value.startswith("["):
        end = value.find("]")
        if end < 0 or value[end + 1:] not in ("",) and not re.fullmatch(r":\d{1,5}", value[end + 1:]):
            return None
        return normalise_host_name(value[:end + 1])
    name, _, port = value.partition(":")
    if port and not port.isascii() or port and not port.isdigit() or ":" in port:
        return None
    return normalise_host_name(name)
