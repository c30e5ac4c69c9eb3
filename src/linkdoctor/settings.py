"""The library configuration row: defaults, validation of changes, masking of secrets."""

import os

from linkdoctor.errors import ValidationError
from linkdoctor.models import SymlinkConfig, db

SECRET_FIELDS = ("sonarr_api_key", "radarr_api_key")
_INT_LIMITS = {
    "max_workers": (1, 64),
    "small_file_threshold": (0, 10**12),
    "scans_to_keep": (1, 100),
    "quarantine_retention_days": (0, 36500),
    "sonarr_port": (1, 65535),
    "radarr_port": (1, 65535),
}
_FLOAT_LIMITS = {
    "file_timeout": (0.1, 600.0),
    "probe_timeout": (1.0, 3600.0),
    "decode_timeout": (1.0, 3600.0),
    "broken_share_limit": (0.0, 1.0),
}
_BOOL_FIELDS = ("include_regular_files", "sonarr_enabled", "radarr_enabled")
_TEXT_FIELDS = ("sonarr_host", "radarr_host") + SECRET_FIELDS
_CHOICES = {"phase2_decode": ("suspicious", "all", "off")}
EDITABLE = (("media_path", "source_roots") + tuple(_INT_LIMITS) + tuple(_FLOAT_LIMITS) + _BOOL_FIELDS
            + _TEXT_FIELDS + tuple(_CHOICES))


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


def config_to_dict(config: SymlinkConfig, masked: bool = True) -> dict:
    """The configuration as JSON-ready data, API keys masked unless asked otherwise."""
    data = {name: getattr(config, name) for name in EDITABLE}
    if masked:
        for name in SECRET_FIELDS:
            data[name] = mask(data[name])
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


def _parse_roots(value, from_text: bool) -> list[str]:
    if from_text and isinstance(value, str):
        value = [part for part in value.split(",") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError("source_roots must be a list of absolute paths")
    roots = [os.path.normpath(v.strip()) for v in value]
    relative = [r for r in roots if not os.path.isabs(r)]
    if relative:
        raise ValidationError(f"source_roots must be absolute paths: {', '.join(relative)}")
    return roots


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
    if name in _CHOICES:
        if value not in _CHOICES[name]:
            raise ValidationError(f"{name} must be one of {', '.join(_CHOICES[name])}")
        return value
    if not isinstance(value, str):
        raise ValidationError(f"{name} must be text")
    if name == "media_path":
        path = os.path.abspath(value.strip()) if value.strip() else ""
        if not path or not os.path.isdir(path):
            raise ValidationError(f"media_path must be an existing folder: {value!r}")
        return path
    return value.strip()


def update_config(changes: dict, from_text: bool = False) -> SymlinkConfig:
    """Validate every change first, then apply them all; a masked secret sent back is left as it is."""
    if not isinstance(changes, dict) or not changes:
        raise ValidationError("send at least one setting to change")
    config = get_config()
    parsed = {}
    for name, value in changes.items():
        if name in SECRET_FIELDS and isinstance(value, str) and value and value == mask(getattr(config, name)):
            continue
        try:
            parsed[name] = parse_value(name, value, from_text)
        except ValidationError as exc:
            exc.extra.setdefault("field", name)  # lets a form mark the field
            raise
    for name, value in parsed.items():
        setattr(config, name, value)
    db.session.commit()
    return config
