"""The configured Sonarr/Radarr instances and path mappings: validation, masking, and mapping paths."""

import ipaddress
import os
import posixpath
import re

from linkdoctor.clients.records import ArrInstance
from linkdoctor.connection_lists import refuse_duplicate_names
from linkdoctor.errors import ValidationError
from linkdoctor.system_folders import refuse_system_folder

KINDS = ("sonarr", "radarr")
SCHEMES = ("http", "https")
DEFAULT_PORTS = {"sonarr": 8989, "radarr": 7878}
INSTANCE_FIELDS = ("kind", "name", "scheme", "host", "port", "url_base", "api_key", "enabled", "path_mappings")


def parse_mappings(value, name: str = "path_mappings") -> list[dict]:
    """[{"remote": "/tv", "local": "/medias/Séries"}, ...] with absolute, normalised paths."""
    if isinstance(value, str):
        import json

        try:
            value = json.loads(value) if value.strip() else []
        except ValueError:
            raise ValidationError(f'{name} must be a JSON list like [{{"remote": "/tv", "local": "/medias/tv"}}]') from None
    if not isinstance(value, list):
        raise ValidationError(f'{name} must be a list of {{"remote": ..., "local": ...}}')
    mappings = []
    for item in value:
        if not isinstance(item, dict) or set(item) != {"remote", "local"} or \
                not all(isinstance(item[k], str) and item[k].strip() for k in ("remote", "local")):
            raise ValidationError(f'each entry of {name} must be {{"remote": "/path/in/arr", "local": "/path/here"}}')
        remote, local = posixpath.normpath(item["remote"].strip()), os.path.normpath(item["local"].strip())
        if not remote.startswith("/") or not os.path.isabs(local):
            raise ValidationError(f"{name}: both paths must be absolute: {item['remote']!r} -> {item['local']!r}")
        # The local side names folders of this machine: never the system's (a local of /etc would hand
        # the *arr's paths over to it).
        refuse_system_folder(local, name, "a media folder")
        mappings.append({"remote": remote, "local": local})
    return mappings


_HOST_NAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?")
_URL_BASE = re.compile(r"[A-Za-z0-9._~%!$&'()*+,;=:-]+(?:/[A-Za-z0-9._~%!$&'()*+,;=:-]+)*")


def parse_host(value: str, name: str) -> str:
    """A host name or IP address alone: the scheme, port and URL base have their own fields.

    Refused with a field error: user:password@ (never sent on), a query, a fragment, a path, a port.
    An IPv6 address is kept in brackets, as a URL needs it.
    """
    value = value.strip()
    if not value:
        return ""
    app = name.split("_")[0] if name.endswith("_host") else "the instance's"
    fields = (f"{app}_scheme, {app}_port and {app}_url_base" if name.endswith("_host")
              else "scheme, port and url_base")
    if "@" in value:
        raise ValidationError(f"{name} must not hold a user name or password (user@host): "
                              "Sonarr/Radarr take the API key only", field=name)
    if "?" in value or "#" in value:
        raise ValidationError(f"{name} must not hold a query (?...) or a fragment (#...): the host name only",
                              field=name)
    try:
        address = ipaddress.ip_address(value[1:-1] if value.startswith("[") and value.endswith("]") else value)
    except ValueError:
        address = None
    if address is not None:
        return f"[{address.compressed}]" if address.version == 6 else address.compressed
    if "/" in value or "\\" in value or ":" in value:
        raise ValidationError(f"{name} is the host name alone (like sonarr or 192.168.1.10), not {value!r}: "
                              f"the scheme, the port and the URL base (/sonarr) go in {fields}", field=name)
    if not _HOST_NAME.fullmatch(value) or ".." in value:
        raise ValidationError(f"{name}: {value!r} is not a host name or IP address", field=name)
    return value


def parse_url_base(value: str, name: str) -> str:
    """The path Sonarr/Radarr answer under ("sonarr" for http://host:8989/sonarr), without its slashes;
    no query, fragment, backslash, white space, "." or ".." segment."""
    value = value.strip().strip("/")
    if value and (not _URL_BASE.fullmatch(value) or any(part in (".", "..") for part in value.split("/"))):
        raise ValidationError(f"{name} must be a URL path like sonarr or apps/sonarr (no ?, #, spaces or ..), "
                              f"not {value!r}", field=name)
    return value


def _text(item: dict, key: str, default: str = "", limit: int = 255) -> str:
    value = item.get(key, default)
    if not isinstance(value, str) or len(value) > limit:
        raise ValidationError(f"arr_instances: {key} must be text of at most {limit} characters")
    return value.strip()


def parse_instance(item, index: int, where: str = "") -> dict:
    """One further instance (`where` names it in messages), validated and completed with defaults."""
    where = where or f"arr_instances[{index}]"
    if not isinstance(item, dict):
        raise ValidationError(f"{where} must be an object")
    unknown = set(item) - set(INSTANCE_FIELDS)
    if unknown:
        raise ValidationError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    kind = item.get("kind")
    if kind not in KINDS:
        raise ValidationError(f"{where}: kind must be sonarr or radarr")
    port = item.get("port", DEFAULT_PORTS[kind])
    if isinstance(port, str) and port.isdigit():
        port = int(port)
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ValidationError(f"{where}: port must be between 1 and 65535")
    enabled = item.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ValidationError(f"{where}: enabled must be true or false")
    scheme = item.get("scheme", "http")
    if scheme not in SCHEMES:
        raise ValidationError(f"{where}: scheme must be http or https")
    parsed = {
        "kind": kind, "name": _text(item, "name", limit=64), "scheme": scheme,
        "host": parse_host(_text(item, "host"), f"{where}.host"),
        "port": port, "url_base": parse_url_base(_text(item, "url_base"), f"{where}.url_base"),
        "api_key": _text(item, "api_key"),
        "enabled": enabled, "path_mappings": parse_mappings(item.get("path_mappings", []), "path_mappings"),
    }
    if not parsed["name"] or not parsed["host"]:
        raise ValidationError(f"{where}: name and host are required")
    return parsed


def parse_instances(value, first_names: dict[str, str]) -> list[dict]:
    """The list of further instances; names are unique per app, the first instance's included."""
    if isinstance(value, str):
        import json

        try:
            value = json.loads(value)
        except ValueError:
            raise ValidationError("arr_instances must be a JSON list") from None
    if not isinstance(value, list):
        raise ValidationError("arr_instances must be a list of instances")
    parsed = [parse_instance(item, i) for i, item in enumerate(value)]
    refuse_duplicate_names(parsed, "instances", {(kind, name.lower()) for kind, name in first_names.items()})
    return parsed


def configured_instances(config) -> list[ArrInstance]:
    """Every instance, the first of each app from the seed fields, enabled or not."""
    instances = []
    for kind in KINDS:
        instances.append(ArrInstance(
            kind=kind, name=getattr(config, f"{kind}_name") or kind.capitalize(),
            host=getattr(config, f"{kind}_host"), port=getattr(config, f"{kind}_port"),
            api_key=getattr(config, f"{kind}_api_key"), scheme=getattr(config, f"{kind}_scheme") or "http",
            url_base=getattr(config, f"{kind}_url_base") or "", enabled=bool(getattr(config, f"{kind}_enabled")),
            path_mappings=list(getattr(config, f"{kind}_path_mappings") or []),
        ))
    for item in config.arr_instances or []:
        instances.append(ArrInstance(**{k: item[k] for k in INSTANCE_FIELDS if k in item}))
    return instances


def enabled_instances(config) -> list[ArrInstance]:
    return [i for i in configured_instances(config) if i.enabled]


def map_prefix(path: str, mappings: list[dict], side: str, other: str) -> str | None:
    """`path` with the longest matching `side` prefix of the mappings replaced by its `other`; None when none matches."""
    best = None
    for mapping in mappings:
        prefix = mapping[side].rstrip("/") or "/"
        if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
            if best is None or len(prefix) > len(best[0]):
                best = (prefix, mapping[other])
    if best is None:
        return None
    rest = path[len(best[0]):].lstrip("/")
    return posixpath.join(best[1], rest) if rest else best[1]


def to_remote(local_path: str, mappings: list[dict]) -> str:
    """The path as Sonarr/Radarr knows it: the longest matching `local` prefix replaced by its `remote`."""
    remote = map_prefix(local_path, mappings, "local", "remote")
    return local_path if remote is None else remote


def contains(folder: str, path: str) -> bool:
    """Whether `path` lies inside `folder` (both as the *arr spells them)."""
    folder = folder.rstrip("/")
    return bool(folder) and path.startswith(folder + "/")


# Settings of the config row this module validates (see linkdoctor.config).
ARR_SETTINGS = ("sonarr_name", "sonarr_scheme", "sonarr_url_base", "sonarr_path_mappings",
                "radarr_name", "radarr_scheme", "radarr_url_base", "radarr_path_mappings",
                "arr_instances", "path_mappings")


def parse_arr_setting(name: str, value, config):
    """Validate one of ARR_SETTINGS (JSON lists may come as text from the CLI); `config` is the settings row."""
    if name.endswith("path_mappings"):
        return parse_mappings(value, name)
    if name == "arr_instances":
        return parse_instances(value, {kind: getattr(config, f"{kind}_name") for kind in KINDS})
    if not isinstance(value, str):
        raise ValidationError(f"{name} must be text")
    value = value.strip()
    if name.endswith("_scheme") and value not in SCHEMES:
        raise ValidationError(f"{name} must be http or https")
    if name.endswith("_name") and not 1 <= len(value) <= 64:
        raise ValidationError(f"{name} must be 1 to 64 characters")
    return parse_url_base(value, name) if name.endswith("_url_base") else value
