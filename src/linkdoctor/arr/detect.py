"""Find running Sonarr/Radarr containers and offer verified connection settings; apply one by its container.

The answer of a detection masks each app's API key (it travels to a browser); applying a
suggestion names only the container, and the key is read again from it here, on the server.
"""

from linkdoctor.arr.connections import client_for
from linkdoctor.clients.arr import ArrInstance
from linkdoctor.clients.docker import (
    DEFAULT_PORTS, DockerEngine, DockerError, app_of, network_address, parse_config_xml, published_port,
    running_in_container,
)
from linkdoctor.clients.records import ArrError
from linkdoctor.errors import ConflictError, NotFoundError, ValidationError

CONFIG_XML = "/config/config.xml"


def suggestion_for(engine: DockerEngine, info, kind: str, in_container: bool, timeout: float) -> dict:
    """One container -> {kind, container, image, host, port, url_base, api_key, verified, message}."""
    settings = parse_config_xml(engine.read_file(info.id, CONFIG_XML) or b"")
    env_key = info.env.get(f"{kind.upper()}__AUTH__APIKEY", "")
    api_key = env_key or settings.get("api_key", "")  # the environment overrides config.xml in the app too
    internal = settings.get("port") or int(info.env.get(f"{kind.upper()}__SERVER__PORT") or DEFAULT_PORTS[kind])
    url_base = info.env.get(f"{kind.upper()}__SERVER__URLBASE", "").strip("/") or settings.get("url_base", "")
    suggestion = {"kind": kind, "container": info.name, "image": info.image, "host": None, "port": None,
                  "url_base": url_base, "api_key": api_key, "verified": False, "message": ""}
    if in_container:
        host, port = network_address(info), internal
    else:
        published = published_port(info, internal)
        if published is None:
            suggestion["message"] = (f"port {internal} of {info.name} is not published on this host: publish it, "
                                     "or run linkdoctor in a container on the same network")
            return suggestion
        host, port = published
    suggestion.update(host=host, port=port)
    if not api_key:
        suggestion["message"] = f"no API key found ({CONFIG_XML} unreadable and no {kind.upper()}__AUTH__APIKEY)"
        return suggestion
    instance = ArrInstance(kind=kind, name=info.name, host=host, port=port, api_key=api_key, url_base=url_base)
    with client_for(instance, timeout, retries=0) as client:
        try:
            status = client.system_status()
        except ArrError as exc:
            suggestion["message"] = f"found, but not verified: {exc.message}"
            return suggestion
    suggestion.update(verified=True, message=f"verified: {status.app} {status.version} answers at {instance.url}")
    return suggestion


def _masked(suggestion: dict) -> dict:
    from linkdoctor.config import mask

    return {**suggestion, "api_key": mask(suggestion["api_key"])}


def detect_services(timeout: float = 5.0, in_container: bool | None = None) -> dict:
    """{"services": [...], "message"}, each API key masked; a DockerError when the engine cannot be used."""
    if in_container is None:
        in_container = running_in_container()
    engine = DockerEngine(timeout=timeout)
    try:
        containers = engine.containers()
        services = []
        for info in containers:
            kind = app_of(info.image, info.name)
            if kind is not None:
                services.append(_masked(suggestion_for(engine, info, kind, in_container, timeout)))
    finally:
        engine.close()
    if not services:
        message = f"no Sonarr or Radarr container is running ({len(containers)} container(s) looked at)"
    else:
        verified = sum(1 for s in services if s["verified"])
        message = f"found {len(services)} Sonarr/Radarr container(s), {verified} verified; nothing is saved until you apply one"
    return {"services": services, "message": message}


def _find(containers: list, wanted: str):
    """The container named `wanted` (or whose id starts with it, 12 characters or more)."""
    wanted = wanted.strip().lstrip("/")
    by_name = [info for info in containers if info.name == wanted]
    if by_name:
        return by_name[0]
    by_id = [info for info in containers if len(wanted) >= 12 and info.id.startswith(wanted)]
    return by_id[0] if len(by_id) == 1 else None


def suggestion_of(container: str, timeout: float = 5.0, in_container: bool | None = None) -> dict:
    """The full suggestion (API key included) for one running container, by name or id: for the server only."""
    if not isinstance(container, str) or not container.strip() or len(container) > 255:
        raise ValidationError("container must be the name or id of a running Sonarr/Radarr container",
                              field="container", fields={"container": "a container's name or id"})
    if in_container is None:
        in_container = running_in_container()
    engine = DockerEngine(timeout=timeout)
    try:
        info = _find(engine.containers(), container)
        if info is None:
            raise NotFoundError(f"no running container is named {container!r}", field="container")
        kind = app_of(info.image, info.name)
        if kind is None:
            raise ValidationError(f"{info.name} ({info.image}) is not a Sonarr or Radarr container",
                                  field="container", fields={"container": "not a Sonarr or Radarr"})
        suggestion = suggestion_for(engine, info, kind, in_container, timeout)
    finally:
        engine.close()
    if not suggestion["host"] or not suggestion["api_key"]:
        raise ConflictError(f"{info.name} cannot be applied: {suggestion['message']}", field="container")
    return suggestion


def apply_suggestion(container: str, timeout: float = 5.0, in_container: bool | None = None) -> dict:
    """Save a detected container's settings (its key read here, never sent by the client):
    as the app's first instance when that one is not set up, else as a further instance named after it.
    {"kind", "name", "container", "verified", "message"}."""
    from linkdoctor.config import get_config, update_config

    suggestion = suggestion_of(container, timeout, in_container)
    kind = suggestion["kind"]
    fields = {"host": suggestion["host"], "port": suggestion["port"], "api_key": suggestion["api_key"],
              "url_base": suggestion["url_base"] or "", "scheme": "http"}
    config = get_config()
    if not getattr(config, f"{kind}_enabled") and not getattr(config, f"{kind}_api_key"):
        update_config({f"{kind}_enabled": True, **{f"{kind}_{key}": value for key, value in fields.items()}})
        name = getattr(get_config(), f"{kind}_name") or kind.capitalize()
    else:
        instances = list(config.arr_instances or [])
        update_config({"arr_instances": instances + [
            {"kind": kind, "name": suggestion["container"], "enabled": True, **fields}]})
        name = suggestion["container"]
    return {"kind": kind, "name": name, "container": suggestion["container"], "verified": suggestion["verified"],
            "message": f"applied and saved as {kind} {name!r}"}


__all__ = ["DockerError", "apply_suggestion", "detect_services", "suggestion_of"]
