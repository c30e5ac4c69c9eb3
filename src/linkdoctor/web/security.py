"""Browser-side attacks closed as a class, for every route at once.

- DNS rebinding: a request whose Host is not one of our names is refused (421).
- Cross-site requests: a state-changing request (POST/PUT/PATCH/DELETE) must carry a JSON
  body (415 otherwise: HTML forms cannot send one, and a cross-site fetch sending one needs a
  CORS preflight we never grant) and must not say it comes from another site (403).
- Every answer carries CSP (no inline script, no framing), nosniff, Referrer-Policy and
  X-Frame-Options.
"""

import ipaddress
from urllib.parse import urlsplit

from flask import current_app, request

from linkdoctor.auth import host_of_header, is_loopback, normalise_host_name
from linkdoctor.web.errors import error_response

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]"})
WILDCARD_BINDS = frozenset({"", "0.0.0.0", "[::]"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
OPEN_PATHS = frozenset({"/ping", "/api/symlink/health"})
WEBHOOK_PATHS = frozenset({"/api/symlink/webhook/sonarr", "/api/symlink/webhook/radarr"})  # see _check_request  # health checks come from anywhere under any name
SAME_ORIGIN_FETCH = frozenset({"same-origin", "none"})  # "none": typed in the address bar
# What reverse proxies add (nginx's usual set, Caddy's, Traefik's, RFC 7239); any of them means "not local".
FORWARDING_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP", "X-Forwarded-Host", "X-Forwarded-Proto")

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'",
    "frame-ancestors 'none'",
))
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def register_security(app) -> None:
    """Install the checks before every request and the headers after every answer."""
    app.before_request(_check_request)
    app.after_request(_add_headers)


def _settings():
    return current_app.config["LINKDOCTOR_SETTINGS"]


def _from_trusted_proxy() -> bool:
    return is_trusted_proxy(request.remote_addr, _settings().trusted_proxies)


def is_trusted_proxy(address: str | None, trusted: tuple[str, ...]) -> bool:
    """Whether a peer address is one of the trusted proxies (addresses or networks such as 172.18.0.0/16)."""
    if not address or not trusted:
        return False
    try:
        peer = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return False
    return any(peer in ipaddress.ip_network(entry, strict=False) for entry in trusted)


def _forwarded_pairs(name: str) -> list[str]:
    """The values of one parameter of the standard Forwarded header (RFC 7239), in hop order."""
    values = []
    for element in request.headers.get("Forwarded", "").split(","):
        for pair in element.split(";"):
            key, _, value = pair.partition("=")
            if key.strip().lower() == name:
                values.append(value.strip().strip('"'))
    return values


def _strip_port(address: str) -> str:
    if address.startswith("["):
        return address[1:].split("]")[0]
    return address.split(":")[0] if address.count(":") == 1 else address


def client_address() -> str | None:
    """The client's address: the peer's, or the last hop a trusted proxy added (X-Forwarded-For, else Forwarded)."""
    if _from_trusted_proxy():
        hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",") if hop.strip()]
        hops = hops or [_strip_port(hop) for hop in _forwarded_pairs("for") if hop]
        if hops:
            return hops[-1]
    return request.remote_addr


def forwarded_by_a_proxy() -> bool:
    """Whether the request says it was passed on by a reverse proxy for someone else."""
    return any(h in request.headers for h in FORWARDING_HEADERS)


def client_is_local() -> bool:
    """Whether the client runs on this machine. A loopback peer that forwards for someone else is not."""
    if forwarded_by_a_proxy() and not _from_trusted_proxy():
        _warn_untrusted_proxy()
        return False  # a reverse proxy on this machine we were not told about: its clients are not local
    return is_loopback(client_address())


def _warn_untrusted_proxy() -> None:
    peer = request.remote_addr
    warned = current_app.extensions.setdefault("linkdoctor.untrusted_proxies_warned", set())
    if peer not in warned and len(warned) < 64:
        warned.add(peer)
        current_app.logger.warning(
            "a reverse proxy at %s forwards requests (X-Forwarded-For/Forwarded): its clients must log in, and they "
            "share one login throttle. List it in LINKDOCTOR_TRUSTED_PROXIES to believe the client addresses it "
            "sends", peer)


def request_is_https() -> bool:
    """Whether the browser reached us over HTTPS: directly, or through a trusted proxy that says so."""
    if request.scheme == "https":
        return True
    if not _from_trusted_proxy():
        return False
    proto = request.headers.get("X-Forwarded-Proto", "") or next(iter(_forwarded_pairs("proto")), "")
    return proto.split(",")[0].strip().lower() == "https"


def _host_header() -> str:
    # Behind a trusted proxy the browser's Host arrives as X-Forwarded-Host (its first value).
    if _from_trusted_proxy() and request.headers.get("X-Forwarded-Host"):
        return request.headers["X-Forwarded-Host"].split(",")[0].strip()
    return request.headers.get("Host", "")


def request_host() -> str | None:
    """The host name the client asked for, normalised; None when the header is malformed."""
    return host_of_header(_host_header())


def allowed_host_names() -> tuple[frozenset, bool]:
    """Our names (loopback, the bound address, the allowed_hosts setting) and whether any IP literal is ours."""
    from linkdoctor.config import get_config

    names = set(LOOPBACK_NAMES)
    bound = normalise_host_name(_settings().host) or ""
    wildcard = bound in WILDCARD_BINDS
    if not wildcard:
        names.add(bound)
    names.update(get_config().allowed_hosts or ())
    return frozenset(names), wildcard


def _host_is_allowed(host: str | None) -> bool:
    if host is None:
        return False
    names, wildcard = allowed_host_names()
    if host in names:
        return True
    # Listening on every address, any IP literal is one of ours or unreachable; an IP literal
    # cannot be rebound (the browser's origin is the address itself), only names can.
    return wildcard and _is_ip_literal(host)


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


def _refuse(status: int, error: str, message: str):
    if request.path.startswith("/api/"):
        return error_response(status, error, message)
    return current_app.response_class(message + "\n", status=status, mimetype="text/plain")


def _origin_is_ours(origin: str) -> bool:
    if origin == "null":
        return False  # sandboxed frames, file:// pages, cross-origin redirects
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    return parts.netloc.lower() == _host_header().lower()


def _check_request():
    if request.path in OPEN_PATHS:
        return None
    if request.path in WEBHOOK_PATHS and _carries_api_key():
        # Sonarr/Radarr call linkdoctor by its container name (http://linkdoctor:8080/...), no name of ours.
        # The Host check stops DNS rebinding, a browser attack; a page of another site cannot know the API
        # key, so a request carrying it is not one. Only these two paths, and only with the key.
        return None
    if not _host_is_allowed(request_host()):
        return _refuse(421, "host_not_allowed",
                       "this server does not answer to that host name; add it to the allowed_hosts setting")
    if request.method not in UNSAFE_METHODS:
        return None
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in SAME_ORIGIN_FETCH:
        return _refuse(403, "cross_site_request", f"requests from another site are refused (Sec-Fetch-Site: {site})")
    origin = request.headers.get("Origin")
    if origin is not None and not _origin_is_ours(origin):
        return _refuse(403, "cross_site_request", "requests from another origin are refused")
    # An HTML form can send only GET and POST; a DELETE from another site needs a CORS preflight that is
    # never granted. So a DELETE may come without a body (as the *arr APIs take it); one with a body sends JSON.
    bodiless_delete = request.method == "DELETE" and not request.content_length and not request.mimetype
    if request.mimetype != "application/json" and not bodiless_delete:
        return _refuse(415, "unsupported_media_type",
                       "state-changing requests must send a JSON body (Content-Type: application/json), {} when empty")
    return None


def presented_api_key() -> str | None:
    """The API key as the *arr apps take it (X-Api-Key, ?apikey=), or as a bearer token (Prometheus' scrape)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    bearer = token.strip() if scheme.lower() == "bearer" and token.strip() else None
    return request.headers.get("X-Api-Key") or request.args.get("apikey") or bearer


def _carries_api_key() -> bool:
    from linkdoctor.auth import api_key_matches

    return api_key_matches(presented_api_key())


def _add_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.path.startswith("/api/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response
