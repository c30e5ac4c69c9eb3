"""No bad release twice: the grabbed release of a removed corrupted file is marked failed before the search."""

import pytest

from tests.support.api import wait_for_scan
from tests.support.followup import confirm_all, matches_of, remote_to_local, wait_for_followup


@pytest.fixture
def world(client, library, media_root, sonarr, radarr):
    """Sonarr at /tv, Radarr at /movies: a truncated episode, a truncated movie, a broken episode."""
    tv_map = [{"remote": "/tv", "local": str(media_root / "Séries")}]
    movie_map = [{"remote": "/movies", "local": str(media_root / "Films")}]
    sonarr.disk, radarr.disk = remote_to_local(media_root, tv_map), remote_to_local(media_root, movie_map)
    show = sonarr.add_series("Show X", "/tv/Show X")
    bad = sonarr.add_episode(show, 1, 1, "/tv/Show X/Season 1/Show X S01E01.mkv")
    gone = sonarr.add_episode(show, 1, 2, "/tv/Show X/Season 1/Show X S01E02.mkv")
    dune = radarr.add_movie("Dune", 2021, "/movies/Dune (2021)", "/movies/Dune (2021)/Dune.mkv")
    links = {
        "bad": library.link("Séries/Show X/Season 1/Show X S01E01.mkv", library.truncated("bad-e01.mkv")),
        "gone": library.broken("Séries/Show X/Season 1/Show X S01E02.mkv"),
        "dune": library.link("Films/Dune (2021)/Dune.mkv", library.truncated("bad-dune.mkv")),
    }
    for i in range(6):
        library.healthy(f"Films/ok{i}/ok.mkv")
    answer = client.post("/api/symlink/config", json={
        "sonarr_enabled": True, "sonarr_host": "127.0.0.1", "sonarr_port": sonarr.port, "sonarr_api_key": sonarr.api_key,
        "radarr_enabled": True, "radarr_host": "127.0.0.1", "radarr_port": radarr.port, "radarr_api_key": radarr.api_key,
        "radarr_path_mappings": movie_map, "path_mappings": tv_map, "broken_share_limit": 1.0})
    assert answer.status_code == 200, answer.get_json()
    return {"show": show, "bad": bad, "gone": gone, "dune": dune, "links": links}


def full_real_scan(client) -> dict:
    scan_id = client.post("/api/symlink/scan/start",
                          json={"mode": "real", "verification_depth": "full"}).get_json()["scan_id"]
    status = wait_for_scan(client, scan_id, timeout=120)
    assert status["status"] == "awaiting_confirmation", status
    return status


def test_the_grabbed_release_is_marked_failed_before_the_search(client, world, sonarr, radarr):
    sonarr.add_grab("Show.X.S01E01.OLD", "dl-old", world["show"], [world["bad"]], date="2026-11-01T00:00:00Z")
    grab = sonarr.add_grab("Show.X.S01E01.1080p-BAD", "dl-bad", world["show"], [world["bad"]],
                           date="2026-11-20T00:00:00Z")
    sonarr.add_grab("Show.X.S01E02.1080p", "dl-e02", world["show"], [world["gone"]])
    movie_grab = radarr.add_grab("Dune.2021.2160p-BAD", "dl-dune", world["dune"])
    status = full_real_scan(client)
    confirm_all(client, status)
    services = wait_for_followup(client, status["scan_id"], timeout=60)
    links = world["links"]
    [episode] = matches_of(services, links["bad"])
    assert episode["blocklisted"] == {"history_id": grab, "source_title": "Show.X.S01E01.1080p-BAD"}
    [movie] = matches_of(services, links["dune"])
    assert movie["blocklisted"] == {"history_id": movie_grab, "source_title": "Dune.2021.2160p-BAD"}
    # A merely missing target is not the release's fault: never blocklisted.
    assert matches_of(services, links["gone"])[0]["blocklisted"] is None
    assert sonarr.failed == [grab] and radarr.failed == [movie_grab]
    # Marked failed before the search was sent.
    order = [(r["method"], r["path"]) for r in sonarr.requests if r["method"] == "POST"]
    assert order.index(("POST", f"/api/v3/history/failed/{grab}")) < len(order) - 1
    assert sonarr.sent_commands()[-1] == {"name": "EpisodeSearch", "episodeIds": sorted([world["bad"], world["gone"]])}
    assert [e["sourceTitle"] for e in sonarr.blocklisted.values()] == ["Show.X.S01E01.1080p-BAD"]


def test_without_a_grab_record_nothing_is_blocklisted_and_the_search_goes_on(client, world, sonarr, radarr):
    status = full_real_scan(client)
    confirm_all(client, status)
    services = wait_for_followup(client, status["scan_id"], timeout=60)
    [episode] = matches_of(services, world["links"]["bad"])
    assert episode["blocklisted"] is None and episode["blocklist"] == "no grab in the history: nothing blocklisted"
    assert episode["search"] == "sent"
    assert sonarr.failed == [] and radarr.failed == []


def test_the_blocklist_setting_off_marks_nothing(client, world, sonarr):
    sonarr.add_grab("Show.X.S01E01.1080p-BAD", "dl-bad", world["show"], [world["bad"]])
    assert client.post("/api/symlink/config", json={"arr_blocklist": False}).status_code == 200
    status = full_real_scan(client)
    confirm_all(client, status)
    services = wait_for_followup(client, status["scan_id"], timeout=60)
    assert matches_of(services, world["links"]["bad"])[0]["blocklisted"] is None
    assert sonarr.failed == []


def test_a_restore_offers_to_take_the_release_off_the_blocklist(client, world, sonarr):
    grab = sonarr.add_grab("Show.X.S01E01.1080p-BAD", "dl-bad", world["show"], [world["bad"]])
    status = full_real_scan(client)
    confirm_all(client, status)
    wait_for_followup(client, status["scan_id"], timeout=60)
    assert len(sonarr.blocklisted) == 1
    bad = str(world["links"]["bad"])
    restored = client.post(f"/api/symlink/scan/{status['scan_id']}/restore", json={"paths": [bad]}).get_json()
    [offer] = restored["blocklisted"]
    assert (offer["path"], offer["history_id"], offer["source_title"]) == (bad, grab, "Show.X.S01E01.1080p-BAD")
    undone = client.post("/api/symlink/blocklist/undo", json={"path": bad})
    assert undone.status_code == 200, undone.get_json()
    assert undone.get_json()["undone"][0]["message"] == "taken off the blocklist"
    assert sonarr.blocklisted == {}
    assert any(r["method"] == "DELETE" and r["path"].startswith("/api/v3/blocklist/") for r in sonarr.requests)
    assert client.post("/api/symlink/blocklist/undo", json={"path": "/nowhere.mkv"}).status_code == 404
    assert client.post("/api/symlink/blocklist/undo", json={"path": 3}).status_code == 400


def test_the_release_remembered_from_the_import_webhook_is_the_one_blocklisted(app, client, world, sonarr):
    from linkdoctor.auth import credentials
    from tests.webhooks.bodies import sonarr_download
    from tests.support.api import wait_job

    remembered = sonarr.add_grab("Show.X.S01E01.720p-IMPORTED", "dl-imported", world["show"], [world["bad"]],
                                 date="2026-11-01T00:00:00Z")
    sonarr.add_grab("Show.X.S01E01.2160p-NEWER", "dl-newer", world["show"], [world["bad"]],
                    date="2026-11-20T00:00:00Z")
    with app.app_context():
        key = credentials().api_key
    body = sonarr_download(world["show"], "/tv/Show X", [world["bad"]], "/tv/Show X/Season 1/Show X S01E01.mkv",
                           "dl-imported")
    answer = client.post(f"/api/symlink/webhook/sonarr?apikey={key}", json=body)
    assert answer.status_code == 202, answer.get_json()
    assert wait_job(client, answer.get_json()["job_id"])["result"]["findings"][0]["category"] == "corrupted"
    status = full_real_scan(client)
    confirm_all(client, status)
    services = wait_for_followup(client, status["scan_id"], timeout=60)
    [episode] = matches_of(services, world["links"]["bad"])
    assert episode["blocklisted"] == {"history_id": remembered, "source_title": "Show.X.S01E01.720p-IMPORTED"}
    assert sonarr.failed == [remembered]
    assert any(r["query"].get("downloadId") == "dl-imported" for r in sonarr.requests)
