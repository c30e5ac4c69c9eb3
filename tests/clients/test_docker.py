"""What detection reads from the engine's answers: app, config.xml, ports, addresses, where we run."""

from linkdoctor.clients.docker import (
    ContainerInfo, app_of, network_address, parse_config_xml, published_port, running_in_container,
)
from tests.fakes.docker_engine import config_xml


def test_app_from_image_or_name():
    assert app_of("lscr.io/linuxserver/sonarr:4", "tv") == "sonarr"
    assert app_of("ghcr.io/hotio/radarr:release", "x") == "radarr"
    assert app_of("mycorp/pvr:1", "radarr-4k") == "radarr"
    assert app_of("plexinc/pms-docker", "plex") is None


def test_config_xml():
    assert parse_config_xml(config_xml("abc", 8990, "/sonarr")) == {"api_key": "abc", "port": 8990, "url_base": "sonarr"}
    assert parse_config_xml(b"not xml") == {}
    assert parse_config_xml(b"<Config><ApiKey> </ApiKey></Config>") == {}


def test_published_port_and_network_address():
    info = ContainerInfo("1", "sonarr", "img", ports={"8989/tcp": [{"HostIp": "0.0.0.0", "HostPort": "18989"}]},
                         networks={"media": {"IPAddress": "172.20.0.5"}})
    assert published_port(info, 8989) == ("localhost", 18989)
    assert published_port(info, 7878) is None
    assert network_address(info) == "sonarr"  # Docker's DNS answers the name on a user network
    default_bridge = ContainerInfo("2", "radarr", "img", networks={"bridge": {"IPAddress": "172.17.0.3"}})
    assert network_address(default_bridge) == "172.17.0.3"


def test_running_in_container(tmp_path):
    nothing = tmp_path / "none"
    cgroup = tmp_path / "cgroup"
    cgroup.write_text("0::/system.slice/docker-abc.scope\n")
    assert running_in_container({}, str(nothing), str(cgroup)) is True
    cgroup.write_text("0::/init.scope\n")
    assert running_in_container({}, str(nothing), str(cgroup)) is False
    (tmp_path / ".dockerenv").touch()
    assert running_in_container({}, str(tmp_path / ".dockerenv"), str(cgroup)) is True
    assert running_in_container({"LINKDOCTOR_IN_CONTAINER": "0"}, str(tmp_path / ".dockerenv"), str(cgroup)) is False
