"""The `media_servers` setting: Plex/Jellyfin/Emby servers, validated, their tokens masked in every answer."""

import json
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from linkdoctor.arr_instances import parse_mappings
from linkdoctor.connection_lists import refuse_duplicate_names
from linkdoctor.errors import ValidationError

MEDIA_KINDS = ("plex", "jellyfin", "emby")
SERVER_FIELDS = ("kind", "name", "url", "token", "enabled", "path_mappings")


@dataclass
class MediaServer:
    """Where one media server answers, its token, and how it names linkdoctor's folders."""

    kind: str
    name: str
    url: str
    token: str = ""
    enabled: bool = True
    path_mappings: list = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name!r}"


def _parse_url(value, where: str) -> str:
    if not isinstance(value, str) or len(value) > 255:
        raise ValidationError(f"{where}: url must be text of at most 255 characters")
    text = value.strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment \
            or "@" in parts.netloc or any(ord(ch) < 33 for ch in text):
        raise ValidationError(f"{where}: url must be http(s)://host[:port][/base], like http://plex:32400")
    try:
        parts.port  # noqa: B018 -- raises on a port that is not a number
    except ValueError:
        raise ValidationError(f"{where}: url has a port that is not a number") from None
    return text


def parse_server(item, index: int, where: str = "") -> dict:
    """One server of the list (`where` names it in messages), validated and completed with defaults."""
    where = where or f"media_servers[{index}]"
    if not isinstance(item, dict):
        raise ValidationError(f"{where} must be an object")
    unknown = set(item) - set(SERVER_FIELDS)
    if unknown:
        raise ValidationError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    if item.get("kind") not in MEDIA_KINDS:
        raise ValidationError(f"{where}: kind must be plex, jellyfin or emby")
    name, token, enabled = item.get("name", ""), item.get("token", ""), item.get("enabled", True)
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 64:
        raise ValidationError(f"{where}: name must be 1 to 64 characters")
    if not isinstance(token, str) or len(token) > 255 or any(ord(ch) < 32 for ch in token):
        raise ValidationError(f"{where}: token must be text of at most 255 characters")
    if not isinstance(enabled, bool):
        raise ValidationError(f"{where}: enabled must be true or false")
    parsed = {"kind": item["kind"], "name": name.strip(), "url": _parse_url(item.get("url"), where),
              "token": token.strip(), "enabled": enabled,
              "path_mappings": parse_mappings(item.get("path_mappings", []), f"{where}.path_mappings")}
    if parsed["enabled"] and not parsed["token"]:
        raise ValidationError(f"{where}: a token is needed to enable {parsed['name']!r} "
                              "(Plex: X-Plex-Token; Jellyfin/Emby: an API key from the Dashboard)")
    return parsed


def parse_servers(value) -> list[dict]:
    """The whole list (text from the CLI or JSON from the API); names unique per kind."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else []
        except ValueError:
            raise ValidationError('media_servers must be a JSON list like [{"kind": "plex", "name": "Plex", '
                                  '"url": "http://plex:32400", "token": "..."}]') from None
    if not isinstance(value, list) or len(value) > 20:
        raise ValidationError("media_servers must be a list of at most 20 servers")
    parsed = [parse_server(item, i) for i, item in enumerate(value)]
    refuse_duplicate_names(parsed, "servers")
    return parsed


def enabled_servers(config) -> list[MediaServer]:
    return [MediaServer(**{k: item[k] for k in SERVER_FIELDS if k in item})
            for item in config.media_servers or [] if item.get("enabled", True)]
