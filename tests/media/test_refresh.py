"""After a confirmed cleanup: the fake Plex and Jellyfin are asked to refresh exactly the folders touched."""

import time

import pytest

from tests.fakes.media import FakeJellyfin, FakePlex
from tests.support.api import real_scan
from tests.support.followup import confirm_all


@pytest.fixture
def plex():
    fake = FakePlex().start()
    yield fake
    fake.stop()
    assert fake.violations == [], "requests or answers outside the Plex spec"


@pytest.fixture
def jellyfin():
    fake = FakeJellyfin().start()
    yield fake
    fake.stop()
    assert fake.violations == [], "requests or answers outside the Jellyfin spec"


def servers_setting(plex, jellyfin, media_root, **changes) -> list[dict]:
    """Plex sees the library at /data, Jellyfin at /media: both through path mappings."""
    plex_server = {"kind": "plex", "name": "Plex", "url": plex.url, "token": plex.token, "enabled": True,
                   "path_mappings": [{"remote": "/data", "local": str(media_root)}]}
    jelly_server = {"kind": "jellyfin", "name": "Jelly", "url": jellyfin.url, "token": jellyfin.token, "enabled": True,
                    "path_mappings": [{"remote": "/media", "local": str(media_root)}]}
    return [{**plex_server, **changes}, {**jelly_server, **changes}]


@pytest.fixture
def world(client, library, media_root, plex, jellyfin):
    """A season folder and a movie folder with a broken link each, healthy links around them."""
    tv = plex.add_library("TV Shows", "show", "/data/Séries")
    movies = plex.add_library("Movies", "movie", "/data/Films")
    jellyfin.add_library("Shows", "show", "/media/Séries")
    jellyfin.add_library("Films", "movie", "/media/Films")
    episode = library.broken("Séries/Show X/Season 1/Show X S01E01.mkv")
    movie = library.broken("Films/Dune (2021)/Dune.mkv")
    for i in range(8):  # a healthy majority into the same source: the guard lets the removal through
        library.healthy(f"Films/ok{i}/ok.mkv")
    answer = client.post("/api/symlink/config", json={"media_servers": servers_setting(plex, jellyfin, media_root)})
    assert answer.status_code == 200, answer.get_json()
    return {"tv": tv, "movies": movies, "episode": episode, "movie": movie}


def wait_for_refresh(client, scan_id: int, timeout: float = 30.0) -> dict:
    """The scan's services once its media refresh job has ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        services = client.get(f"/api/symlink/scan/{scan_id}/services").get_json()
        refresh = services["media_refresh"]
        if refresh and refresh["state"] not in ("pending", "running"):
            return services
        time.sleep(0.05)
    raise AssertionError(f"media refresh of scan {scan_id} not finished after {timeout}s: {services}")


def test_tokens_are_masked_and_a_masked_token_sent_back_keeps_the_stored_one(client, world, plex, jellyfin):
    shown = client.get("/api/symlink/config").get_json()["media_servers"]
    assert [s["token"] for s in shown] == ["********" + plex.token[-4:]] * 2
    assert plex.token not in client.get("/api/symlink/config").get_data(as_text=True)
    answer = client.post("/api/symlink/config", json={"media_servers": shown})  # the page saves what it shows
    assert answer.status_code == 200
    tested = client.post("/api/symlink/test/media-servers", json={}).get_json()["servers"]
    assert [(s["kind"], s["name"], s["ok"]) for s in tested] == [("plex", "Plex", True), ("jellyfin", "Jelly", True)], tested


def test_a_cleanup_refreshes_exactly_the_season_and_movie_folders(client, world, plex, jellyfin):
    status = real_scan(client)
    confirm_all(client, status)
    services = wait_for_refresh(client, status["scan_id"])
    assert plex.refreshes == [(world["movies"], "/data/Films/Dune (2021)"),
                              (world["tv"], "/data/Séries/Show X/Season 1")]
    assert jellyfin.updates == [[{"Path": "/media/Films/Dune (2021)", "UpdateType": "Modified"},
                                 {"Path": "/media/Séries/Show X/Season 1", "UpdateType": "Modified"}]]
    # Jellyfin 12 gets the Authorization header, never the legacy X-Emby-Token one.
    update = next(r for r in jellyfin.requests if r["path"] == "/Library/Media/Updated")
    assert update["headers"]["Authorization"] == f'MediaBrowser Token="{jellyfin.token}"'
    assert "X-Emby-Token" not in update["headers"]
    # Paced: at most one request per 250 ms to the server.
    sent = [r["at"] for r in plex.requests if r["path"].endswith("/refresh")]
    assert sent[1] - sent[0] >= 0.24
    by_kind = {s["kind"]: s for s in services["media_servers"]}
    assert by_kind["plex"]["refreshed"] == ["/data/Films/Dune (2021)", "/data/Séries/Show X/Season 1"]
    assert by_kind["jellyfin"]["refreshed"] == ["/media/Films/Dune (2021)", "/media/Séries/Show X/Season 1"]
    assert by_kind["plex"]["skipped"] == [] and by_kind["plex"]["name"] == "Plex"
    job = client.get(f"/api/symlink/jobs/{services['media_refresh']['job_id']}").get_json()
    assert job["kind"] == "media_refresh"


def test_nothing_is_refreshed_while_the_guard_holds_a_source(client, library, media_root, plex, jellyfin):
    plex.add_library("Movies", "movie", "/data/Films")
    jellyfin.add_library("Films", "movie", "/media/Films")
    for i in range(3):
        library.broken(f"Films/B{i}/b{i}.mkv")
    library.healthy("Films/ok/ok.mkv")
    client.post("/api/symlink/config", json={"source_roots": [str(library.source)],
                                             "media_servers": servers_setting(plex, jellyfin, media_root)})
    status = real_scan(client)
    assert status["confirmation"]["sources"][0]["blocked"]
    forced = client.post(f"/api/symlink/scan/{status['scan_id']}/confirm",
                         json={"token": status["confirmation"]["token"], "force": True}).get_json()
    assert forced["removed"] == 3  # the user overrode the guard for the removal, not for the media servers
    services = wait_for_refresh(client, status["scan_id"])
    assert plex.refreshes == [] and jellyfin.updates == []
    for server in services["media_servers"]:
        assert server["refreshed"] == [] and len(server["skipped"]) == 3
        assert "guard holds a source" in server["message"]


def test_a_dry_run_sends_nothing(client, world, plex, jellyfin):
    scan_id = client.post("/api/symlink/scan/start", json={"mode": "dry-run"}).get_json()["scan_id"]
    from tests.support.api import wait_for_scan

    assert wait_for_scan(client, scan_id)["status"] == "completed"
    services = client.get(f"/api/symlink/scan/{scan_id}/services").get_json()
    assert services["media_refresh"] is None and services["media_servers"] == []
    assert not any(r["path"].endswith("/refresh") for r in plex.requests) and jellyfin.updates == []


def test_a_server_that_fails_is_recorded_and_the_next_one_is_asked(client, world, plex, jellyfin, media_root):
    setting = servers_setting(plex, jellyfin, media_root)
    setting[0]["token"] = "wrong-token-for-plex"
    assert client.post("/api/symlink/config", json={"media_servers": setting}).status_code == 200
    status = real_scan(client)
    confirm_all(client, status)
    services = wait_for_refresh(client, status["scan_id"])
    by_kind = {s["kind"]: s for s in services["media_servers"]}
    assert "token was refused (401)" in by_kind["plex"]["message"]
    assert len(by_kind["plex"]["skipped"]) == 2 and plex.refreshes == []
    assert len(jellyfin.updates) == 1


def test_the_command_line_waits_for_the_refresh_and_says_it_in_json(cli, app, world, plex, jellyfin):
    import json

    result = cli("scan", "--mode", "real", "--yes", "--json")
    document = json.loads(result.stdout)
    assert document["media_refresh"]["state"] == "completed", result.stderr
    by_kind = {s["kind"]: s for s in document["media_servers"]}
    assert by_kind["plex"]["refreshed"] == ["/data/Films/Dune (2021)", "/data/Séries/Show X/Season 1"]
    assert len(jellyfin.updates) == 1


def test_emby_gets_one_media_updated_with_its_own_header(client, world, plex, jellyfin, media_root):
    emby = FakeJellyfin(product="emby").start()
    try:
        emby.add_library("Films", "movie", "/mnt/Films")
        emby.add_library("Shows", "show", "/mnt/Séries")
        setting = [{"kind": "emby", "name": "Emby", "url": emby.url, "token": emby.token,
                    "path_mappings": [{"remote": "/mnt", "local": str(media_root)}]}]
        assert client.post("/api/symlink/config", json={"media_servers": setting}).status_code == 200
        status = real_scan(client)
        confirm_all(client, status)
        [server] = wait_for_refresh(client, status["scan_id"])["media_servers"]
        assert emby.updates == [[{"Path": "/mnt/Films/Dune (2021)", "UpdateType": "Modified"},
                                 {"Path": "/mnt/Séries/Show X/Season 1", "UpdateType": "Modified"}]]
        update = next(r for r in emby.requests if r["path"] == "/Library/Media/Updated")
        assert update["headers"]["X-Emby-Token"] == emby.token and "Authorization" not in update["headers"]
        assert server["kind"] == "emby" and len(server["refreshed"]) == 2
        assert plex.refreshes == [] and jellyfin.updates == []  # no longer configured
    finally:
        emby.stop()
    assert emby.violations == []
