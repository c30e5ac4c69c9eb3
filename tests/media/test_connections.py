"""The media servers' connection test names what is wrong; the setting refuses bad input with one error shape."""

import pytest

from linkdoctor.clients.plex import Library
from linkdoctor.media.plan import plan_refresh, touched_folders
from tests.fakes.fixtures import free_port
from tests.fakes.media import FakeJellyfin, FakePlex


@pytest.fixture
def fakes():
    started = [FakePlex().start(), FakeJellyfin().start(), FakeJellyfin(product="emby").start()]
    for fake in started:
        fake.add_library("Movies", "movie", "/data/Films")
    yield started
    for fake in started:
        fake.stop()
        assert fake.violations == []


def server(kind, url, token, name=None):
    return {"kind": kind, "name": name or kind, "url": url, "token": token, "enabled": True, "path_mappings": []}


def test_each_verdict_says_what_is_wrong(client, app, fakes):
    plex, jellyfin, emby = fakes
    slow, html = FakePlex().start(), FakePlex().start()
    slow.delay, html.html = 3.0, True
    try:
        setting = [server("plex", plex.url, plex.token), server("jellyfin", jellyfin.url, "wrong"),
                   server("emby", emby.url, emby.token), server("plex", f"http://127.0.0.1:{free_port()}", "t", "gone"),
                   server("plex", slow.url, slow.token, "slow"), server("plex", html.url, html.token, "nginx"),
                   server("jellyfin", plex.url, plex.token, "plex-not-jellyfin"),
                   server("plex", jellyfin.url, jellyfin.token, "jellyfin-not-plex")]
        assert client.post("/api/symlink/config", json={"media_servers": setting,
                                                         "arr_request_timeout": 1.0}).status_code == 200
        answer = client.post("/api/symlink/test/media-servers", json={})
        assert answer.status_code == 200
        verdicts = {s["name"]: s for s in answer.get_json()["servers"]}
    finally:
        slow.stop()
        html.stop()
    assert verdicts["plex"]["ok"] and verdicts["plex"]["version"] == "1.41.3.9314-a0bfb8370"
    assert verdicts["emby"]["ok"] and verdicts["emby"]["version"] == "4.9.1.80"
    assert not verdicts["jellyfin"]["ok"] and "token was refused (401)" in verdicts["jellyfin"]["message"]
    assert "cannot connect (Connection refused)" in verdicts["gone"]["message"]
    assert "no answer within 1s (timeout)" in verdicts["slow"]["message"]
    assert 'this is a web page titled "Welcome to nginx!", not Plex' in verdicts["nginx"]["message"]
    # Plex refuses a request without its own token before it looks at the path (401): asked without a token,
    # its /identity says it is Plex, which is what the verdict says rather than "the token was refused".
    message = verdicts["plex-not-jellyfin"]["message"]
    assert not verdicts["plex-not-jellyfin"]["ok"] and "this is Plex Media Server 1.41.3.9314-a0bfb8370, not Jellyfin" in message
    assert "token was refused" not in message
    assert "this is Jellyfin Server 10.11.0, not Plex" in verdicts["jellyfin-not-plex"]["message"]
    assert [r["headers"].get("X-Emby-Token") for r in emby.requests] == [emby.token] * 2


@pytest.mark.parametrize("setting, field_error", [
    ([{"kind": "kodi", "name": "K", "url": "http://k", "token": "t"}], "kind must be plex, jellyfin or emby"),
    ([{"kind": "plex", "name": "P", "url": "ftp://p", "token": "t"}], "url must be http(s)"),
    ([{"kind": "plex", "name": "P", "url": "http://p", "token": ""}], "a token is needed"),
    ([{"kind": "plex", "name": "P", "url": "http://p", "token": "t", "extra": 1}], "unknown field(s) extra"),
    ([{"kind": "plex", "name": "P", "url": "http://p", "token": "t", "path_mappings": [{"remote": "x"}]}],
     "path_mappings"),
    ("not json", "must be a JSON list"),
])
def test_bad_settings_are_refused(client, setting, field_error):
    answer = client.post("/api/symlink/config", json={"media_servers": setting})
    assert answer.status_code == 400
    assert field_error in answer.get_json()["message"]


def test_config_set_from_the_command_line(cli, app):
    result = cli("config", "set", "media_servers",
                 '[{"kind": "jellyfin", "name": "J", "url": "http://jf:8096", "token": "abcdefghijkl"}]')
    assert result.returncode == 0, result.stderr
    assert "abcdefghijkl" not in result.stdout and "********ijkl" in result.stdout


LIBRARIES = [Library("1", "TV", ("/data/tv",)), Library("2", "Movies", ("/data/movies",))]


def test_folders_are_the_parents_mapped_to_the_server():
    paths = ["/medias/tv/Show/Season 1/a.mkv", "/medias/tv/Show/Season 1/b.mkv", "/medias/movies/Dune/Dune.mkv"]
    assert touched_folders(paths, [{"remote": "/data", "local": "/medias"}]) == \
        ["/data/movies/Dune", "/data/tv/Show/Season 1"]


def test_many_folders_in_one_library_become_its_root_and_the_cap_says_the_rest():
    tv = [f"/data/tv/Show {i}/Season 1" for i in range(9)]
    plan = plan_refresh(tv + ["/data/movies/A", "/data/movies/B", "/elsewhere/C"], LIBRARIES, coalesce=8, cap=2)
    assert plan.coalesced == ["/data/tv"]
    assert plan.requests == [("2", "/data/movies/A"), ("2", "/data/movies/B")]
    assert "over the limit of 2" in plan.skipped["/data/tv"]
    assert "in none of the server's libraries" in plan.skipped["/elsewhere/C"]
    small = plan_refresh(tv[:8], LIBRARIES, coalesce=8, cap=12)
    assert [folder for _, folder in small.requests] == tv[:8] and small.coalesced == []


def test_one_server_of_the_form_is_tested_unsaved_and_a_masked_token_is_the_saved_one(client, fakes):
    plex, jellyfin, _emby = fakes
    answer = client.post("/api/symlink/test/media-servers", json={"server": server("plex", plex.url, plex.token)})
    assert answer.status_code == 200, answer.get_json()
    [verdict] = answer.get_json()["servers"]
    assert verdict["ok"] and verdict["version"] == "1.41.3.9314-a0bfb8370"
    assert client.get("/api/symlink/config").get_json()["media_servers"] == []  # nothing was saved
    saved = client.post("/api/symlink/config", json={"media_servers": [server("jellyfin", jellyfin.url, jellyfin.token)]})
    masked = saved.get_json()["media_servers"][0]["token"]
    assert masked.startswith("********")
    [verdict] = client.post("/api/symlink/test/media-servers", json={
        "server": server("jellyfin", jellyfin.url, masked)}).get_json()["servers"]
    assert verdict["ok"] and verdict["version"] == "10.11.0", verdict
    # Jellyfin typed where Plex is expected: named as such.
    [verdict] = client.post("/api/symlink/test/media-servers", json={
        "server": server("plex", jellyfin.url, "x" * 20)}).get_json()["servers"]
    assert "this is Jellyfin Server 10.11.0, not Plex" in verdict["message"]


@pytest.mark.parametrize("body, message", [
    ({"server": []}, "must be an object"),
    ({"server": {"kind": "kodi", "name": "k", "url": "http://k"}}, "plex, jellyfin or emby"),
    ({"server": {"kind": "plex", "name": "p", "url": "ftp://p"}}, "http(s)://"),
    ({"server": {"kind": "plex", "name": "p", "url": "http://p", "token": ""}}, "token is needed"),
    ({"server": {"kind": "plex", "name": "p", "url": "http://p", "token": "********abcd"}}, "masked"),
    ({"servers": []}, "unknown field"),
])
def test_a_bad_server_form_is_a_400(client, body, message):
    answer = client.post("/api/symlink/test/media-servers", json=body)
    assert answer.status_code == 400 and message in answer.get_json()["message"], answer.get_json()
