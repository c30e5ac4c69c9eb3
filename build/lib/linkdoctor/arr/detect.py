"""Find running Sonarr/Radarr containers and offer verified connection settings; nothing is saved here."""

from linkdoctor.arr.connections import client_for
from linkdoctor.clients.arr import ArrInstance
from linkdoctor.clients.docker import (
    DEFAULT_PORTS, DockerEngine, DockerError, app_of, network_address, parse_config_xml, published_port,
    running_in_container,
)
from linkdoctor.clients.records import ArrError

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


def detect_services(timeout: float = 5.0, in_container: bool | None = None) -> dict:
    """{"services": [...], "message"}; a DockerError when the engine cannot be used."""
    if in_container is None:
        in_container = running_in_container()
    engine = DockerEngine(timeout=timeout)
    try:
        containers = engine.containers()
        services = []
        for info in containers:
            kind = app_of(info.image, info.name)
            if kind is not None:
                services.append(suggestion_for(engine, info, kind, in_container, timeout))
    finally:
        engine.close()
    if not services:
        message = f"no Sonarr or Radarr container is running ({len(containers)} container(s) looked at)"
    else:
        verified = sum(1 for s in services if s["verified"])
        message = f"found {len(services)} Sonarr/Radarr container(s), {verified} verified; nothing is saved until you apply one"
    return {"services": services, "message": message}


__all__ = ["DockerError", "detect_services"]
