"""The library configuration row: defaults, validation of changes, masking of secrets."""

import json
import os
from urllib.parse import urlsplit, urlunsplit

from linkdoctor.arr_instances import ARR_SETTINGS, parse_arr_setting, parse_host
from linkdoctor.connection_lists import keep_masked_secrets, masked_secrets
from linkdoctor.errors import ValidationError
from linkdoctor.media_servers import parse_servers
from linkdoctor.models import SymlinkConfig, db
from linkdoctor.paths import real_root
from linkdoctor.scanner.phase2 import DECODE_MODES
from linkdoctor.system_folders import refuse_system_folder

SECRET_FIELDS = ("sonarr_api_key", "radarr_api_key", "tmdb_api_key")
_INT_LIMITS = {
    "max_workers": (1, 64),
    "small_file_threshold": (0, 10**12),
    "scans_to_keep": (1, 100),
    "quarantine_retention_days": (0, 36500),
    "sonarr_port": (1, 65535),
    "radarr_port": (1, 65535),
    "media_refresh_coalesce": (1, 1000),
    "media_refresh_max_requests": (1, 1000),
}
RETENTION_DAYS = _INT_LIMITS["quarantine_retention_days"]
_FLOAT_LIMITS = {
    "file_timeout": (0.1, 600.0),
    "probe_timeout": (1.0, 3600.0),
    "decode_timeout": (1.0, 3600.0),
    "broken_share_limit": (0.0, 1.0),
    "arr_command_timeout": (5.0, 3600.0),
    "arr_request_timeout": (1.0, 120.0),
}
_BOOL_FIELDS = ("include_regular_files", "sonarr_enabled", "radarr_enabled", "arr_search", "arr_blocklist")
_TEXT_FIELDS = ("sonarr_host", "radarr_host", "tmdb_base_url", "public_url") + SECRET_FIELDS
_TEXT_MAX = 255  # the columns' length
_PATH_MAX = 4096
_AUTH_FIELDS = ("auth_required", "allowed_hosts")
_FOLDER_LISTS = ("movie_folders", "series_folders")
_CHOICES = {"phase2_decode": DECODE_MODES}
EDITABLE = (("media_path", "source_roots") + _FOLDER_LISTS + tuple(_INT_LIMITS) + tuple(_FLOAT_LIMITS) + _BOOL_FIELDS
            + _TEXT_FIELDS + _AUTH_FIELDS + ARR_SETTINGS + tuple(_CHOICES) + ("media_servers",))


def get_config(default_media_path: str | None = None) -> SymlinkConfig:
    """The configuration row, created with defaults when missing."""
    config = db.session.execute(db.select(SymlinkConfig).order_by(SymlinkConfig.id)).scalars().first()
    if config is None:
        config = SymlinkConfig(media_path=str(default_media_path or os.path.abspath("medias")))
        db.session.add(config)
        db.session.commit()
    return config


def mask(secret: str) -> str:
    """Show only the last four characters of a secret."""
    if not secret:
        return ""
    if len(secret) <= 8:
        return "********"  # too short to show any of it
    return "********" + secret[-4:]


def refuse_masked(secret: str, what: str) -> None:
    """A connection test of the form's values with a mask left after the saved secrets were put back: no
    saved secret of that name ends that way (the instance was renamed, or the mask typed by hand)."""
    if secret.startswith("********"):
        raise ValidationError(f"{what} is shown masked and no saved one of that name matches it: type it again",
                              field="api_key")


def config_to_dict(config: SymlinkConfig, masked: bool = True) -> dict:
    """The configuration as JSON-ready data, API keys masked unless asked otherwise."""
    data = {name: getattr(config, name) for name in EDITABLE}
    if masked:
        for name in SECRET_FIELDS:
            data[name] = mask(data[name])
        data["arr_instances"] = masked_secrets(data["arr_instances"], mask, "api_key")
        data["tmdb_base_url"] = mask_url(data["tmdb_base_url"])
        data["media_servers"] = masked_secrets(data["media_servers"], mask, "token")
    data["media_path_locked"] = media_path_lock()
    data["created_at"] = config.created_at.isoformat() if config.created_at else None
    data["updated_at"] = config.updated_at.isoformat() if config.updated_at else None
    return data


def _parse_bool(name: str, value, from_text: bool) -> bool:
    if isinstance(value, bool):
        return value
    if from_text and isinstance(value, str) and value.lower() in ("true", "1", "yes", "on", "false", "0", "no", "off"):
        return value.lower() in ("true", "1", "yes", "on")
    raise ValidationError(f"{name} must be true or false")


def _parse_number(name: str, value, kind, limits, from_text: bool):
    if isinstance(value, bool):
        raise ValidationError(f"{name} must be a number")
    if from_text and isinstance(value, str):
        try:
            value = kind(value)
        except ValueError:
            raise ValidationError(f"{name} must be a {'whole ' if kind is int else ''}number, not {value!r}") from None
    if kind is int and not isinstance(value, int) or kind is float and not isinstance(value, (int, float)):
        raise ValidationError(f"{name} must be a {'whole ' if kind is int else ''}number")
    low, high = limits
    if not low <= value <= high:
        raise ValidationError(f"{name} must be between {low} and {high}")
    return kind(value)


def _plain_text(name: str, value: str, limit: int) -> str:
    # NUL and other control characters are never part of a host, key or path a user means.
    if len(value) > limit:
        raise ValidationError(f"{name} must be at most {limit} characters long")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ValidationError(f"{name} must not contain control characters")
    return value


def _parse_base_url(name: str, value: str) -> str:
    """An http(s) URL the client adds paths to: no query or fragment; user:password@ is kept (and masked in answers)."""
    if not value.startswith(("http://", "https://")):
        raise ValidationError(f"{name} must start with http:// or https://", field=name)
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (a port that is not a number raises here)
    except ValueError:
        raise ValidationError(f"{name} is not a valid URL", field=name) from None
    if parts.query or parts.fragment or value.endswith(("?", "#")):
        raise ValidationError(f"{name} must not hold a query (?...) or a fragment (#...)", field=name)
    if not parts.hostname or any(ch.isspace() or ch == "\\" for ch in value):
        raise ValidationError(f"{name} must be a URL like https://api.themoviedb.org/3", field=name)
    return value


def mask_url(url: str) -> str:
    """A URL with its user:password@ masked: https://********@proxy.lan/3."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc="********@" + parts.netloc.rsplit("@", 1)[1]))


def _text_list(name: str, value, from_text: bool):
    """A list setting as the CLI gives it: JSON ('["/a", "/b"]', as path_mappings takes), or comma text."""
    if not (from_text and isinstance(value, str)):
        return value
    if value.lstrip().startswith("["):
        try:
            return json.loads(value)
        except ValueError as exc:
            raise ValidationError(f'{name}: not a JSON list ({exc.msg}); give ["a", "b"] or comma text a,b') from None
    return [part for part in value.split(",") if part.strip()]


def _parse_roots(value, from_text: bool) -> list[str]:
    value = _text_list("source_roots", value, from_text)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value) or len(value) > 100:
        raise ValidationError("source_roots must be a list of absolute paths (at most 100)")
    for root in value:
        _plain_text("source_roots", root, _PATH_MAX)
    roots = [os.path.normpath(v.strip()) for v in value]
    relative = [r for r in roots if not os.path.isabs(r)]
    if relative:
        raise ValidationError(f"source_roots must be absolute paths: {', '.join(relative)}")
    for root in roots:
        # Repairs re-point links at files found there: never the system, nor linkdoctor's own data.
        refuse_system_folder(root, "source_roots", "a source of media files", _data_dir(), only_own_folders=True)
    return roots


def _parse_hosts(value, from_text: bool) -> list[str]:
    from linkdoctor.auth import normalise_host_name

    value = _text_list("allowed_hosts", value, from_text)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value) or len(value) > 100:
        raise ValidationError("allowed_hosts must be a list of host names (at most 100)")
    hosts = []
    for host in value:
        name = normalise_host_name(_plain_text("allowed_hosts", host.strip(), _TEXT_MAX))
        if name is None:
            raise ValidationError(f"allowed_hosts: {host!r} is not a host name or IP address")
        hosts.append(name)
    return sorted(set(hosts))


def _parse_auth_mode(value) -> str | None:
    from linkdoctor.auth import AUTH_MODES

    if value in (None, "", "auto"):
        return None  # decided by the address the server listens on
    if value not in AUTH_MODES:
        raise ValidationError(f"auth_required must be one of {', '.join(AUTH_MODES)} (or auto)")
    return value


def _parse_folder_names(name: str, value, from_text: bool) -> list[str]:
    value = _text_list(name, value, from_text)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(f"{name} must be a list of folder names")
    names = [v.strip() for v in value if v.strip()]
    if any("/" in n for n in names):
        raise ValidationError(f"{name} must be folder names, not paths")
    return names


def parse_value(name: str, value, from_text: bool = False):
    """Validate one setting; `from_text` accepts strings as the CLI gives them."""
    if name not in EDITABLE:
        raise ValidationError(f"unknown setting {name!r}; known settings: {', '.join(sorted(EDITABLE))}")
    if name in _INT_LIMITS:
        return _parse_number(name, value, int, _INT_LIMITS[name], from_text)
    if name in _FLOAT_LIMITS:
        return _parse_number(name, value, float, _FLOAT_LIMITS[name], from_text)
    if name in _BOOL_FIELDS:
        return _parse_bool(name, value, from_text)
    if name == "source_roots":
        return _parse_roots(value, from_text)
    if name == "allowed_hosts":
        return _parse_hosts(value, from_text)
    if name == "auth_required":
        return _parse_auth_mode(value)
    if name in ARR_SETTINGS:
        return parse_arr_setting(name, value, get_config())
    if name == "media_servers":
        return parse_servers(value)
    if name in _FOLDER_LISTS:
        return _parse_folder_names(name, value, from_text)
    if name in _CHOICES:
        if value not in _CHOICES[name]:
            raise ValidationError(f"{name} must be one of {', '.join(_CHOICES[name])}")
        return value
    if not isinstance(value, str):
        raise ValidationError(f"{name} must be text")
    _plain_text(name, value, _PATH_MAX if name in ("media_path", "tmdb_api_key") else _TEXT_MAX)  # v4 tokens are long
    if name in ("sonarr_host", "radarr_host"):
        return parse_host(value, name)
    if name == "tmdb_base_url":
        return _parse_base_url(name, value.strip())
    if name == "public_url":
        return _parse_public_url(value)
    if name == "media_path":
        path = os.path.abspath(value.strip()) if value.strip() else ""
        # Resolved with a bound: a folder on a dead mount is refused (503) instead of holding the request.
        if not path or not os.path.isdir(real_root(path)):
            raise ValidationError(f"media_path must be an existing folder: {value!r}")
        refuse_media_root(path)
        return path
    return value.strip()


def _parse_public_url(value: str) -> str:
    """Where users reach the page (links in notifications): http(s)://host[:port][/path], or "" for none."""
    from urllib.parse import urlsplit

    text = value.strip().rstrip("/")
    if not text:
        return ""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment or "@" in parts.netloc:
        raise ValidationError("public_url must be the page's address, http(s)://host[:port][/path] "
                              "(no user, query or fragment)", field="public_url")
    return text


def _process_settings():
    """The running app's process settings (data folder, media path from the environment), if any."""
    from flask import current_app, has_app_context

    return current_app.config.get("LINKDOCTOR_SETTINGS") if has_app_context() else None


def _data_dir() -> str | None:
    settings = _process_settings()
    return None if settings is None else str(settings.data_dir)


def refuse_media_root(path: str) -> None:
    """Refuse `/`, the system folders and what is inside them, their parents (/var, /home...), the data
    folder and any folder holding it."""
    refuse_system_folder(path, "media_path", "a media library", _data_dir())


def media_path_lock() -> str | None:
    """Why media_path cannot be changed here (set by LINKDOCTOR_MEDIA_PATH), or None."""
    settings = _process_settings()
    if settings is not None and settings.media_path_from_env:
        return "set by the environment variable LINKDOCTOR_MEDIA_PATH; change it there"
    return None


def _incomplete_services(config: SymlinkConfig, parsed: dict) -> dict:
    """An enabled Sonarr or Radarr needs a host and an API key."""
    errors = {}
    for app, label in (("sonarr", "Sonarr"), ("radarr", "Radarr")):
        value = lambda name: parsed.get(f"{app}_{name}", getattr(config, f"{app}_{name}"))  # noqa: E731
        if not value("enabled"):
            continue
        if not value("host"):
            errors[f"{app}_host"] = f"{app}_host is needed to enable {label}"
        if not value("api_key"):
            errors[f"{app}_api_key"] = f"{app}_api_key is needed to enable {label} (Settings > General in {label})"
    return errors


def update_config(changes: dict, from_text: bool = False) -> SymlinkConfig:
    """Validate every change first, then apply them all; a masked secret sent back is left as it is."""
    if not isinstance(changes, dict) or not changes:
        raise ValidationError("send at least one setting to change")
    config = get_config()
    parsed = {}
    locked = media_path_lock()
    if locked and "media_path" in changes and changes["media_path"] != config.media_path:
        raise ValidationError(f"media_path is read-only: {locked}", field="media_path")
    errors = {}
    for name, value in changes.items():
        if name in SECRET_FIELDS and isinstance(value, str) and value and value == mask(getattr(config, name)):
            continue
        if name == "tmdb_base_url" and value == mask_url(config.tmdb_base_url) != config.tmdb_base_url:
            continue  # the masked URL sent back as the API shows it: the stored one with its credentials stays
        try:
            parsed[name] = parse_value(name, value, from_text)
        except ValidationError as exc:
            errors[name] = exc.message
    if not errors:
        errors = _incomplete_services(config, parsed)
    if errors:
        # Every field's error at once, each under its name, so that a form can mark them all.
        first = next(iter(errors))
        message = errors[first] if len(errors) == 1 else "; ".join(errors.values())
        raise ValidationError(message, field=first, fields=errors)
    if "arr_instances" in parsed:
        parsed["arr_instances"] = keep_masked_secrets(parsed["arr_instances"], config.arr_instances, mask, "api_key")
    if "media_servers" in parsed:
        parsed["media_servers"] = keep_masked_secrets(parsed["media_servers"], config.media_servers, mask, "token")
    for name, value in parsed.items():
        setattr(config, name, value)
    db.session.commit()
    return config
