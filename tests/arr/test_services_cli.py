"""`linkdoctor services ...`, `config set path_mappings` and `scan --mode real --yes --json` as a user runs them."""

import json
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

from tests.fakes.docker_engine import FakeDockerEngine
from tests.fakes.fixtures import free_port


def enable_sonarr(cli, fake):
    # Enabled last: an enabled Sonarr needs its host and key already (issue 10's validation).
    for key, value in (("sonarr_host", "127.0.0.1"), ("sonarr_port", str(fake.port)),
                       ("sonarr_api_key", fake.api_key), ("sonarr_enabled", "true")):
        assert cli("config", "set", key, value).returncode == 0


def test_services_test_exits_0_only_when_every_instance_is_ok(cli, sonarr):
    enable_sonarr(cli, sonarr)
    result = cli("services", "test", "--json")
    assert result.returncode == 0, result.stderr
    [verdict] = json.loads(result.stdout)["services"]
    assert verdict["ok"] and verdict["app"] == "Sonarr"
    cli("config", "set", "radarr_port", str(free_port()))
    cli("config", "set", "radarr_api_key", "k" * 32)
    assert cli("config", "set", "radarr_enabled", "true").returncode == 0
    result = cli("services", "test")
    assert result.returncode == 1
    assert "ok   sonarr 'Sonarr'" in result.stdout and "FAIL radarr 'Radarr'" in result.stdout
    assert "cannot connect" in result.stdout and "Traceback" not in result.stderr


def test_config_set_path_mappings_takes_a_json_list(cli):
    result = cli("config", "set", "path_mappings", '[{"remote": "/tv", "local": "/medias/Séries"}]')
    assert result.returncode == 0, result.stderr
    shown = json.loads(cli("config", "show", "--json").stdout)
    assert shown["path_mappings"] == [{"remote": "/tv", "local": "/medias/Séries"}]
    bad = cli("config", "set", "path_mappings", '[{"remote": "tv"}]')
    assert bad.returncode == 2 and bad.stderr.startswith("linkdoctor: ") and "Traceback" not in bad.stderr


def test_detect_without_docker_is_a_plain_message_and_exit_1(cli, tmp_path):
    result = cli("services", "detect", extra_env={"DOCKER_HOST": f"unix://{tmp_path}/none.sock"})
    assert result.returncode == 1
    assert "no Docker socket found" in result.stderr and "Traceback" not in result.stderr


def test_detect_with_permission_denied_on_the_socket(env, media_root):
    """A real unix socket the user may not open: linkdoctor run as `nobody` against root's 0600 socket."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to run linkdoctor as another user")
    home = tempfile.mkdtemp(prefix="ld-perm-")
    try:
        os.chmod(home, 0o755)
        engine = FakeDockerEngine().start_unix(os.path.join(home, "docker.sock"))
        os.chmod(os.path.join(home, "docker.sock"), 0o600)
        data, media = os.path.join(home, "data"), os.path.join(home, "medias")
        for folder in (data, media):
            os.mkdir(folder)
            os.chmod(folder, 0o777)
        # The media root apart from the data folder: a root holding it is refused (issue 8).
        run_env = {**os.environ, "DOCKER_HOST": f"unix://{home}/docker.sock", "LINKDOCTOR_DATA_DIR": data,
                   "LINKDOCTOR_MEDIA_PATH": media, "HOME": home}
        result = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable,
                                 "-m", "linkdoctor", "services", "detect"], capture_output=True, text=True,
                                env=run_env, timeout=120)
        if "Permission denied" in result.stderr and "docker" not in result.stderr:
            pytest.skip(f"nobody cannot run this checkout: {result.stderr[-200:]}")
        assert result.returncode == 1, result.stderr
        assert "permission denied on the Docker socket" in result.stderr and "Traceback" not in result.stderr
        engine.stop()
    finally:
        shutil.rmtree(home, ignore_errors=True)


def test_real_scan_yes_json_waits_for_the_follow_up(cli, library, sonarr):
    show = sonarr.add_series("Show", "/tv/Show")
    episode = sonarr.add_episode(show, 1, 1, "/tv/Show/Show S01E01.mkv")
    link = library.broken("Show/Show S01E01.mkv")
    sonarr.disk = lambda remote: str(library.root) + remote[len("/tv"):]
    for i in range(3):
        library.healthy(f"Other/ok{i}.mkv")
    enable_sonarr(cli, sonarr)
    cli("config", "set", "path_mappings", json.dumps([{"remote": "/tv", "local": str(library.root)}]))
    result = cli("scan", "--mode", "real", "--yes", "--json")
    document = json.loads(result.stdout)
    assert document["status"] == "completed" and document["removal"]["removed"] == 1
    services = document["services"]
    assert services["state"] == "completed" and services["ok"] is True
    assert services["links"][0]["path"] == str(link)
    assert services["links"][0]["matches"][0]["episodes"] == ["S01E01"]
    assert sonarr.sent_commands() == [{"name": "RescanSeries", "seriesId": show},
                                      {"name": "EpisodeSearch", "episodeIds": [episode]}]
    again = cli("services", "notify", str(document["scan_id"]))
    assert again.returncode == 0, again.stderr
    assert "RescanSeries: completed" in again.stdout and "S01E01" in again.stdout
    restored = cli("restore", str(document["scan_id"]))
    assert restored.returncode == 0 and "Sonarr/Radarr follow-up" in restored.stdout
    assert [c["name"] for c in sonarr.sent_commands()][-1] == "RescanSeries"
    assert cli("services", "notify", "999").returncode == 2


def test_services_test_keeps_the_verdicts_the_dashboard_shows(cli, client, sonarr):
    enable_sonarr(cli, sonarr)
    [before] = client.get("/api/symlink/system").get_json()["services"]
    assert before["last_test"] is None
    assert cli("services", "test").returncode == 0
    [after] = client.get("/api/symlink/system").get_json()["services"]
    assert after["name"] == "Sonarr" and after["last_test"]["ok"] and after["last_test"]["version"] == "4.0.19.2546"
    assert after["last_test"]["tested_at"].endswith("+00:00")
