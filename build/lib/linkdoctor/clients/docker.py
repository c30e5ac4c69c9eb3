"""The Docker Engine through the `docker` SDK: running containers, their files and addresses.

Pure functions read what the engine answers (image, names, ports, networks,
environment, config.xml); `DockerEngine` is the only part that talks to it.
"""

import io
import os
import re
import tarfile
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field

from linkdoctor.errors import LinkdoctorError

DEFAULT_PORTS = {"sonarr": 8989, "radarr": 7878}


class DockerError(LinkdoctorError):
    """The Docker Engine cannot be used: no socket, no permission, no answer."""

    status_code = 503
    error = "docker_unavailable"


@dataclass
class ContainerInfo:
    """What detection needs to know about one running container."""

    id: str
    name: str
    image: str
    env: dict = field(default_factory=dict)
    ports: dict = field(default_factory=dict)  # "8989/tcp" -> [{"HostIp", "HostPort"}] or None
    networks: dict = field(default_factory=dict)  # name -> {"IPAddress": ...}


def app_of(image: str, name: str) -> str | None:
    """sonarr/radarr when the image or the container's name says so (linuxserver, hotio, official...)."""
    text = f"{image} {name}".lower()
    for kind in ("sonarr", "radarr"):
        if kind in text:
            return kind
    return None


def container_info(attrs: dict) -> ContainerInfo:
    """The inspect JSON of a container -> ContainerInfo."""
    config = attrs.get("Config") or {}
    env = {}
    for entry in config.get("Env") or []:
        key, _, value = entry.partition("=")
        env[key] = value
    settings = attrs.get("NetworkSettings") or {}
    return ContainerInfo(
        id=attrs.get("Id", ""), name=(attrs.get("Name") or "").lstrip("/"),
        image=config.get("Image") or "", env=env, ports=settings.get("Ports") or {},
        networks=settings.get("Networks") or {},
    )


def parse_config_xml(data: bytes) -> dict:
    """<Config><ApiKey>, <Port>, <UrlBase> of a Sonarr/Radarr config.xml; missing ones left out."""
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError:
        return {}
    found = {}
    for tag, key in (("ApiKey", "api_key"), ("Port", "port"), ("UrlBase", "url_base")):
        element = root.find(tag)
        if element is not None and element.text and element.text.strip():
            found[key] = element.text.strip()
    if "port" in found:
        found["port"] = int(found["port"]) if found["port"].isdigit() else None
    if "url_base" in found:
        found["url_base"] = found["url_base"].strip("/")
    return {k: v for k, v in found.items() if v is not None}


def published_port(info: ContainerInfo, internal: int) -> tuple[str, int] | None:
    """(host address, port) the internal port is published on, when it is."""
    for binding in info.ports.get(f"{internal}/tcp") or []:
        port = binding.get("HostPort")
        if port and port.isdigit():
            host = binding.get("HostIp") or ""
            return ("localhost" if host in ("", "0.0.0.0", "::") else host), int(port)
    return None


def network_address(info: ContainerInfo) -> str:
    """The container's name on a user network (Docker DNS), else its IP address."""
    user_networks = [n for n in info.networks if n not in ("bridge", "host", "none")]
    if user_networks:
        return info.name
    for network in info.networks.values():
        if network.get("IPAddress"):
            return network["IPAddress"]
    return info.name


def running_in_container(environ=os.environ, dockerenv: str = "/.dockerenv", cgroup: str = "/proc/1/cgroup") -> bool:
    """Whether linkdoctor itself runs in a container; LINKDOCTOR_IN_CONTAINER=1/0 overrides the guess."""
    override = environ.get("LINKDOCTOR_IN_CONTAINER", "").lower()
    if override in ("1", "true", "yes"):
        return True
    if override in ("0", "false", "no"):
        return False
    if os.path.exists(dockerenv):
        return True
    try:
        with open(cgroup, encoding="utf-8", errors="replace") as handle:
            return bool(re.search(r"docker|containerd|kubepods|libpod", handle.read()))
    except OSError:
        return False


def _explain(exc: Exception) -> str:
    text = str(exc)
    if "PermissionError" in text or "Permission denied" in text:
        return ("permission denied on the Docker socket: run linkdoctor as a member of the docker group, "
                "or mount /var/run/docker.sock read-only into its container")
    if "FileNotFoundError" in text or "No such file" in text:
        return ("no Docker socket found (/var/run/docker.sock): Docker is not installed here, or the socket is "
                "not mounted into linkdoctor's container; set DOCKER_HOST to reach another engine")
    if "timed out" in text.lower() or "Read timed out" in text:
        return "the Docker Engine did not answer in time"
    if "Connection refused" in text or "Connection aborted" in text:
        return "the Docker Engine refused the connection (is it running? is DOCKER_HOST right?)"
    return f"the Docker Engine cannot be used: {text[-200:]}"


class DockerEngine:
    """The running containers and their files, through docker.from_env()."""

    def __init__(self, timeout: float = 5.0):
        import docker

        self._docker = docker
        try:
            self.client = docker.from_env(timeout=timeout)
        except docker.errors.DockerException as exc:
            raise DockerError(_explain(exc)) from exc

    def containers(self) -> list[ContainerInfo]:
        """The running containers."""
        try:
            return [container_info(c.attrs) for c in self.client.containers.list()]
        except (self._docker.errors.DockerException, OSError) as exc:
            raise DockerError(_explain(exc)) from exc
        except Exception as exc:  # requests' own errors (timeouts) when the engine stops answering
            raise DockerError(_explain(exc)) from exc

    def read_file(self, container_id: str, path: str, limit: int = 1 << 20) -> bytes | None:
        """A small file from a container (get_archive gives a tar), or None when it is not there."""
        try:
            stream, _stat = self.client.api.get_archive(container_id, path)
            data = b"".join(stream)
        except self._docker.errors.NotFound:
            return None
        except Exception as exc:
            raise DockerError(_explain(exc)) from exc
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            for member in archive.getmembers():
                if member.isfile() and member.size <= limit:
                    return archive.extractfile(member).read()
        return None

    def close(self) -> None:
        self.client.close()
