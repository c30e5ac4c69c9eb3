"""Connection tests and Docker detection through the API, and the settings they rely on."""

import pytest

from tests.fakes.docker_engine import config_xml
from tests.fakes.fixtures import free_port


def test_every_enabled_instance_gets_a_verdict(client, sonarr, radarr):
    sonarr.url_base = "/sonarr"
    answer = client.post("/api/symlink/config", json={
        "sonarr_enabled": True, "sonarr_host": "127.0.0.1", "sonarr_port": sonarr.port,
        "sonarr_api_key": sonarr.api_key, "sonarr_url_base": "/sonarr/",
        "radarr_enabled": True, "radarr_host": "127.0.0.1", "radarr_port": radarr.port, "radarr_api_key": "wrong-key-123",
        "arr_instances": [
            {"kind": "radarr", "name": "4K", "host": "127.0.0.1", "port": free_port(), "api_key": "k" * 32},
            {"kind": "sonarr", "name": "Anime", "host": "127.0.0.1", "port": radarr.port, "api_key": radarr.api_key},
            {"kind": "sonarr", "name": "Old", "host": "127.0.0.1", "port": 1, "api_key": "x", "enabled": False},
        ],
    })
    assert answer.status_code == 200, answer.get_json()
    config = answer.get_json()
    assert config["sonarr_api_key"] == "********" + sonarr.api_key[-4:]
    assert all(i["api_key"].startswith("********") for i in config["arr_instances"])
    services = client.post("/api/symlink/test/services", json={}).get_json()["services"]
    by_name = {s["name"]: s for s in services}
    assert set(by_name) == {"Sonarr", "Radarr", "4K", "Anime"}  # the disabled one is not tested
    assert by_name["Sonarr"]["ok"] and by_name["Sonarr"]["app"] == "Sonarr" and by_name["Sonarr"]["version"]
    assert by_name["Sonarr"]["url"] == f"http://127.0.0.1:{sonarr.port}/sonarr"
    assert "wrong API key" in by_name["Radarr"]["message"] and not by_name["Radarr"]["ok"]
    assert "cannot connect" in by_name["4K"]["message"]
    assert "this is Radarr 5.26.2.10099, not Sonarr" in by_name["Anime"]["message"]
    assert set(services[0]) == {"kind", "name", "url", "ok", "app", "version", "message"}


def test_masked_keys_sent_back_keep_the_stored_ones(client, sonarr):
    instance = {"kind": "sonarr", "name": "4K", "host": "127.0.0.1", "port": sonarr.port, "api_key": sonarr.api_key}
    shown = client.post("/api/symlink/config", json={"arr_instances": [instance]}).get_json()["arr_instances"]
    client.post("/api/symlink/config", json={"arr_instances": shown})  # the form sends back what it was shown
    [verdict] = client.post("/api/symlink/test/services", json={}).get_json()["services"]
    assert verdict["ok"], verdict


@pytest.mark.parametrize("changes, message", [
    ({"path_mappings": [{"remote": "tv", "local": "/x"}]}, "absolute"),
    ({"path_mappings": "nope"}, "JSON list"),
    ({"arr_instances": [{"kind": "lidarr", "name": "x", "host": "h"}]}, "sonarr or radarr"),
    ({"arr_instances": [{"kind": "sonarr", "name": "a", "host": "h", "port": 0}]}, "port"),
    ({"arr_instances": [{"kind": "sonarr", "name": "a", "host": "h"}, {"kind": "sonarr", "name": "A", "host": "h"}]},
     "named"),
    ({"sonarr_scheme": "ftp"}, "http or https"),
    ({"arr_command_timeout": 0}, "between"),
])
def test_bad_service_settings_are_400(client, changes, message):
    answer = client.post("/api/symlink/config", json=changes)
    assert answer.status_code == 400 and message in answer.get_json()["message"]


def test_test_services_refuses_a_body(client):
    assert client.post("/api/symlink/test/services", json={"x": 1}).status_code == 400
    assert client.post("/api/symlink/test/services", json={}).get_json() == {"services": []}


# -- Test with the form's values (Sonarr's Connect dialog tests its form) ---------


def test_the_form_s_unsaved_values_are_tested_without_saving_them(client, sonarr, radarr):
    form = {"kind": "sonarr", "name": "", "scheme": "http", "host": "127.0.0.1", "port": sonarr.port,
            "url_base": "", "api_key": sonarr.api_key}
    answer = client.post("/api/symlink/test/services", json={"instance": form})
    assert answer.status_code == 200, answer.get_json()
    [verdict] = answer.get_json()["services"]
    assert verdict["ok"] and verdict["app"] == "Sonarr" and verdict["name"] == "Sonarr"
    config = client.get("/api/symlink/config").get_json()
    assert config["sonarr_host"] != "127.0.0.1" and config["sonarr_api_key"] == ""  # nothing was saved
    # Radarr's address typed in the Sonarr slot, with the Sonarr key (Radarr refuses it): named, not "wrong API key".
    radarr.api_key = "f" * 32
    answer = client.post("/api/symlink/test/services", json={"instance": {**form, "port": radarr.port}})
    [verdict] = answer.get_json()["services"]
    assert not verdict["ok"] and "this is Radarr, not Sonarr" in verdict["message"], verdict


def test_a_masked_key_in_the_form_is_the_saved_one(client, sonarr):
    saved = {"sonarr_enabled": True, "sonarr_host": "127.0.0.1", "sonarr_port": sonarr.port,
             "sonarr_api_key": sonarr.api_key,
             "arr_instances": [{"kind": "sonarr", "name": "4K", "host": "127.0.0.1", "port": sonarr.port,
                                "api_key": sonarr.api_key}]}
    config = client.post("/api/symlink/config", json=saved).get_json()
    masked = config["sonarr_api_key"]
    assert masked.startswith("********") and masked != sonarr.api_key
    form = {"kind": "sonarr", "name": "Sonarr", "host": "127.0.0.1", "port": sonarr.port, "api_key": masked}
    [verdict] = client.post("/api/symlink/test/services", json={"instance": form}).get_json()["services"]
    assert verdict["ok"], verdict
    # The saved instance as it is: its verdict is kept for the Dashboard too.
    services = client.get("/api/symlink/system").get_json()["services"]
    assert any(s["name"] == "Sonarr" and s["last_test"] and s["last_test"]["ok"] for s in services), services
    [verdict] = client.post("/api/symlink/test/services", json={"instance": {
        **form, "name": "4K", "api_key": config["arr_instances"][0]["api_key"]}}).get_json()["services"]
    assert verdict["ok"], verdict
    # A mask that no saved key of that name matches is refused, never sent to the app.
    before = len(sonarr.requests)
    answer = client.post("/api/symlink/test/services", json={"instance": {**form, "name": "Renamed"}})
    assert answer.status_code == 400 and "masked" in answer.get_json()["message"]
    assert len(sonarr.requests) == before


@pytest.mark.parametrize("instance, message", [
    ("sonarr", "must be an object"),
    ({"kind": "lidarr", "host": "h", "port": 1}, "sonarr or radarr"),
    ({"kind": "sonarr", "host": "h", "port": 0}, "port"),
    ({"kind": "sonarr", "host": "h", "port": "x"}, "port"),
    ({"kind": "sonarr", "host": "http://h:8989/sonarr", "port": 8989}, "host name alone"),
    ({"kind": "sonarr", "host": "", "port": 8989}, "host are required"),
    ({"kind": "sonarr", "host": "h", "port": 8989, "url_base": "a b"}, "URL path"),
    ({"kind": "sonarr", "host": "h", "port": 8989, "api_key": 5}, "must be text"),
    ({"kind": "sonarr", "host": "h", "port": 8989, "colour": "red"}, "unknown field"),
    ({"kind": "sonarr", "host": "h", "port": 8989, "path_mappings": [{"remote": "tv", "local": "/x"}]}, "absolute"),
])
def test_a_bad_form_is_a_400_never_a_500(client, instance, message):
    answer = client.post("/api/symlink/test/services", json={"instance": instance})
    assert answer.status_code == 400 and message in answer.get_json()["message"], answer.get_json()
    assert set(answer.get_json()) >= {"error", "message"}


# -- Docker detection ----------------------------------------------------------


def test_detect_on_the_host_uses_published_ports_and_verifies(client, monkeypatch, docker_engine, sonarr, radarr):
    monkeypatch.setenv("LINKDOCTOR_IN_CONTAINER", "0")
    radarr.url_base = "/radarr"
    docker_engine.add_container("sonarr", "lscr.io/linuxserver/sonarr:latest", 8989, published=sonarr.port,
                                config=config_xml(sonarr.api_key, 8989))
    docker_engine.add_container("films", "ghcr.io/hotio/radarr:release", 7878, published=radarr.port,
                                env={"RADARR__AUTH__APIKEY": radarr.api_key}, config=config_xml("stale", 7878, "/radarr"))
    docker_engine.add_container("plex", "plexinc/pms-docker", 32400, published=32400)
    answer = client.post("/api/symlink/services/detect", json={}).get_json()
    found = {s["container"]: s for s in answer["services"]}
    assert set(found) == {"sonarr", "films"}
    assert found["sonarr"] == {"kind": "sonarr", "container": "sonarr", "image": "lscr.io/linuxserver/sonarr:latest",
                               "host": "localhost", "port": sonarr.port, "url_base": "",
                               "api_key": "********" + sonarr.api_key[-4:],  # masked: applied by the container
                               "verified": True, "message": found["sonarr"]["message"]}
    assert found["films"]["api_key"] == "********" + radarr.api_key[-4:] and found["films"]["url_base"] == "radarr"
    assert found["films"]["verified"], found["films"]["message"]
    assert "nothing is saved" in answer["message"]
    assert client.get("/api/symlink/config").get_json()["sonarr_enabled"] is False  # nothing saved
    assert any("/archive?path=%2Fconfig%2Fconfig.xml" in r for r in docker_engine.requests)


def test_detect_in_a_container_uses_the_network_address_and_internal_port(client, monkeypatch, docker_engine, sonarr):
    monkeypatch.setenv("LINKDOCTOR_IN_CONTAINER", "1")
    # On the default bridge the container is reached by its IP; the fake Sonarr stands there on 127.0.0.1.
    docker_engine.add_container("sonarr", "linuxserver/sonarr", sonarr.port, published=None, network="bridge",
                                ip="127.0.0.1", config=config_xml(sonarr.api_key, sonarr.port))
    docker_engine.add_container("radarr", "linuxserver/radarr", 7878, network="media", config=config_xml("k", 7878))
    found = {s["container"]: s for s in client.post("/api/symlink/services/detect", json={}).get_json()["services"]}
    assert (found["sonarr"]["host"], found["sonarr"]["port"], found["sonarr"]["verified"]) == ("127.0.0.1", sonarr.port, True)
    assert (found["radarr"]["host"], found["radarr"]["port"]) == ("radarr", 7878)  # the name on a user network
    assert not found["radarr"]["verified"] and "not verified" in found["radarr"]["message"]


def test_detect_with_a_wrong_key_is_not_verified(client, monkeypatch, docker_engine, sonarr):
    monkeypatch.setenv("LINKDOCTOR_IN_CONTAINER", "0")
    docker_engine.add_container("sonarr", "sonarr", 8989, published=sonarr.port, config=config_xml("old", 8989))
    [found] = client.post("/api/symlink/services/detect", json={}).get_json()["services"]
    assert not found["verified"] and "wrong API key" in found["message"]


def test_detect_without_a_matching_container(client, docker_engine):
    docker_engine.add_container("plex", "plexinc/pms-docker", 32400, published=32400)
    answer = client.post("/api/symlink/services/detect", json={})
    assert answer.status_code == 200
    assert answer.get_json() == {"services": [], "message": "no Sonarr or Radarr container is running (1 container(s) looked at)"}


def test_detect_without_a_docker_socket(client, monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/docker.sock")
    answer = client.post("/api/symlink/services/detect", json={})
    assert answer.status_code == 200
    assert answer.get_json()["services"] == [] and "no Docker socket found" in answer.get_json()["message"]


def test_detect_when_the_engine_does_not_answer(client, docker_engine):
    docker_engine.hang = True
    answer = client.post("/api/symlink/services/detect", json={})
    assert answer.status_code == 200 and "did not answer in time" in answer.get_json()["message"]


def test_detect_when_nothing_listens(client, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", f"tcp://127.0.0.1:{free_port()}")
    answer = client.post("/api/symlink/services/detect", json={})
    assert answer.status_code == 200 and "refused the connection" in answer.get_json()["message"]


def test_a_further_instance_cannot_take_the_first_ones_name(client):
    answer = client.post("/api/symlink/config", json={"arr_instances": [
        {"kind": "sonarr", "name": "sonarr", "host": "h"}]})
    assert answer.status_code == 400 and "two sonarr instances are named 'sonarr'" in answer.get_json()["message"]
    assert client.get("/api/symlink/scan/5/services").status_code == 404


# -- the last test of each instance, kept for the Dashboard ------------------------


def arr_on_the_dashboard(client) -> dict:
    """GET /system's Sonarr/Radarr entries by name."""
    answer = client.get("/api/symlink/system")
    assert answer.status_code == 200
    return {s["name"]: s for s in answer.get_json()["services"]}


def test_each_tested_instance_keeps_its_verdict_and_the_dashboard_reads_it(app, client, sonarr, radarr):
    from datetime import datetime, timedelta, timezone

    unreachable = free_port()
    saved = client.post("/api/symlink/config", json={
        "sonarr_enabled": True, "sonarr_host": "127.0.0.1", "sonarr_port": sonarr.port, "sonarr_api_key": sonarr.api_key,
        "radarr_enabled": True, "radarr_host": "127.0.0.1", "radarr_port": radarr.port, "radarr_api_key": "wrong-key-123",
        "arr_instances": [
            {"kind": "radarr", "name": "4K", "host": "127.0.0.1", "port": unreachable, "api_key": "k" * 32},
            {"kind": "sonarr", "name": "Old", "host": "127.0.0.1", "port": 1, "api_key": "x", "enabled": False},
        ],
    }).get_json()
    system = client.get("/api/symlink/system").get_json()
    assert {"version", "ffprobe", "ffmpeg", "database", "data_dir"} <= set(system)  # the tools' keys stay
    shown = arr_on_the_dashboard(client)
    assert set(shown) == {"Sonarr", "Radarr", "4K"}  # a disabled instance is not shown, not as failing either
    assert all(s["last_test"] is None for s in shown.values())
    assert shown["4K"] == {"kind": "radarr", "name": "4K", "url": f"http://127.0.0.1:{unreachable}", "last_test": None}

    before = datetime.now(timezone.utc).replace(microsecond=0)
    client.post("/api/symlink/test/services", json={})
    after = datetime.now(timezone.utc)

    shown = arr_on_the_dashboard(client)
    ok, wrong_key, down = shown["Sonarr"]["last_test"], shown["Radarr"]["last_test"], shown["4K"]["last_test"]
    assert ok["ok"] and ok["version"] == "4.0.19.2546" and ok["message"].startswith("connected to Sonarr")
    assert not wrong_key["ok"] and "wrong API key" in wrong_key["message"] and wrong_key["version"] is None
    assert not down["ok"] and "cannot connect" in down["message"]
    for test in (ok, wrong_key, down):
        assert set(test) == {"ok", "message", "version", "tested_at"}
        tested_at = datetime.fromisoformat(test["tested_at"])
        assert tested_at.utcoffset() == timedelta(0) and before <= tested_at <= after
    # A test is not a change of the settings: their "last saved" date stays.
    assert client.get("/api/symlink/config").get_json()["updated_at"] == saved["updated_at"]

    # 4K removed, Radarr disabled: 4K's entry is dropped, Radarr's kept (hidden) for when it returns.
    client.post("/api/symlink/config", json={"radarr_enabled": False, "arr_instances": [saved["arr_instances"][1]]})
    client.post("/api/symlink/test/services", json={})
    assert set(arr_on_the_dashboard(client)) == {"Sonarr"}
    with app.app_context():
        from linkdoctor.config import get_config

        assert set(get_config().service_tests) == {"sonarr:Sonarr", "radarr:Radarr"}


def test_a_sonarr_and_a_radarr_of_the_same_name_keep_their_own_verdicts(client, sonarr, radarr):
    client.post("/api/symlink/config", json={
        "sonarr_enabled": True, "sonarr_host": "127.0.0.1", "sonarr_port": sonarr.port, "sonarr_api_key": sonarr.api_key,
        "sonarr_name": "Main",
        "radarr_enabled": True, "radarr_host": "127.0.0.1", "radarr_port": radarr.port, "radarr_api_key": "wrong-key-123",
        "radarr_name": "Main",
    })
    client.post("/api/symlink/test/services", json={})
    services = client.get("/api/symlink/system").get_json()["services"]
    assert [(s["kind"], s["name"], s["last_test"]["ok"]) for s in services] == [
        ("sonarr", "Main", True), ("radarr", "Main", False)]
