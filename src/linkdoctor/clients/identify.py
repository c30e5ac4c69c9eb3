"""Who answers at an address, asked without any key: so that a connection test can say "this is Radarr,
not Sonarr" instead of "wrong API key" when a slot points at another application.

Three questions every product answers to anyone: Jellyfin's and Emby's GET /System/Info/Public
(ProductName, Version), Plex's GET /identity (machineIdentifier, version), and the web page at the
root (its <title> or a Basic realm): Sonarr, Radarr and their siblings serve their
page with the app's name as its title. No key, token or cookie is sent, and no redirect is followed.
"""

import json
import re

import requests

# Applications a media-library owner runs next to linkdoctor, recognised in a page's title or realm.
KNOWN_APPS = ("Sonarr", "Radarr", "Lidarr", "Readarr", "Prowlarr", "Whisparr", "Bazarr", "Jellyseerr",
              "Overseerr", "Ombi", "Tautulli", "Jellyfin", "Emby", "Plex", "qBittorrent", "SABnzbd", "NZBGet",
              "Transmission", "Deluge", "Portainer", "Home Assistant", "Nextcloud", "linkdoctor")
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_REALM = re.compile(r'realm="([^"]*)"', re.IGNORECASE)
PAGE_BYTES = 65536  # the start of a page holds its title


def who_answers(base_url: str, timeout: float) -> str | None:
    """The product answering at `base_url` ("Radarr", "Jellyfin Server 10.11.0", "Plex Media Server 1.41.3",
    'a web page titled "Welcome to nginx!"'), or None when nothing answers or nothing says what it is."""
    base = base_url.rstrip("/")
    with requests.Session() as session:
        for probe in (_jellyfin_or_emby, _plex, _web_page):
            try:
                found = probe(session, base, timeout)
            except (requests.RequestException, ValueError, UnicodeError):
                found = None
            if found:
                return _shown(found)
    return None


def is_product(found: str, product: str) -> bool:
    """Whether what `who_answers` found is `product` ("Jellyfin Server 10.11" is Jellyfin)."""
    return found.lower().startswith(product.lower())


def _get(session, url: str, timeout: float, accept: str) -> requests.Response:
    response = session.get(url, timeout=timeout, allow_redirects=False, stream=True,
                           headers={"Accept": accept})
    response._content = response.raw.read(PAGE_BYTES, decode_content=True)  # never more than the start
    response.close()
    return response


def _json_of(response: requests.Response):
    if response.status_code != 200:
        return None
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def _jellyfin_or_emby(session, base: str, timeout: float) -> str | None:
    info = _json_of(_get(session, f"{base}/System/Info/Public", timeout, "application/json"))
    if not isinstance(info, dict) or "Version" not in info or "Id" not in info:
        return None
    product = str(info.get("ProductName") or "Emby Server")  # Emby's public info has no ProductName
    return f"{product} {info['Version']}".strip()


def _plex(session, base: str, timeout: float) -> str | None:
    data = _json_of(_get(session, f"{base}/identity", timeout, "application/json"))
    container = data.get("MediaContainer") if isinstance(data, dict) else None
    if not isinstance(container, dict) or "machineIdentifier" not in container:
        return None
    return f"Plex Media Server {container.get('version') or ''}".strip()


def _web_page(session, base: str, timeout: float) -> str | None:
    response = _get(session, f"{base}/", timeout, "text/html")
    names = [_REALM.search(response.headers.get("WWW-Authenticate", "")), _TITLE.search(response.content)]
    texts = [m.group(1) if isinstance(m.group(1), str) else m.group(1).decode("utf-8", "replace")
             for m in names if m]
    for text in texts:
        for app in KNOWN_APPS:
            if re.search(rf"\b{re.escape(app)}\b", text, re.IGNORECASE):
                return app
    # (A bare Server header says too little: the app itself may sit behind that server at another URL base.)
    title = next((" ".join(text.split()) for text in texts if text.strip()), "")
    return f'a web page titled "{title}"' if title else None


def _shown(text: str) -> str:
    """The remote's words as they may be shown: printable, one line, at most 80 characters."""
    text = "".join(ch for ch in text if ch.isprintable())
    return text[:80]
