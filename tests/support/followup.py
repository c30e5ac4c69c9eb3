"""The Sonarr/Radarr follow-up seen from a test: a library both apps know (the `world` fixture, registered
for every test by tests/conftest.py), a real scan's confirmation (the scan itself: tests/support/api.py),
the follow-up's end."""

import pytest

from tests.support.waiting import wait_until


def remote_to_local(media_root, mappings):
    """How a fake sees its files on this machine: its own folders mapped like linkdoctor's setting."""

    def disk(remote):
        for mapping in mappings:
            if remote == mapping["remote"] or remote.startswith(mapping["remote"] + "/"):
                return mapping["local"] + remote[len(mapping["remote"]):]
        return remote

    return disk


def wait_for_followup(client, scan_id, timeout=30.0) -> dict:
    seen = {}

    def finished():
        seen["services"] = client.get(f"/api/symlink/scan/status/{scan_id}").get_json()["services"]
        return seen["services"] and seen["services"]["state"] not in ("pending", "running") and seen["services"]

    return wait_until(finished, timeout, interval=0.1,
                      message=lambda: f"follow-up of scan {scan_id} not finished: {seen['services']}")


def confirm_all(client, status) -> dict:
    answer = client.post(f"/api/symlink/scan/{status['scan_id']}/confirm",
                         json={"token": status["confirmation"]["token"]})
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def matches_of(services, path) -> list[dict]:
    return next(link["matches"] for link in services["links"] if link["path"] == str(path))


@pytest.fixture
def world(client, library, media_root, sonarr, radarr):
    """A library seen by a Sonarr at /tv and a Radarr at /movies, through path mappings."""
    series_dir, films_dir = media_root / "Séries", media_root / "Films"
    tv_map = [{"remote": "/tv", "local": str(series_dir)}]
    movie_map = [{"remote": "/movies", "local": str(films_dir)}]
    sonarr.disk = remote_to_local(media_root, tv_map)
    radarr.disk = remote_to_local(media_root, movie_map)
    links, ids = {}, {}
    show = sonarr.add_series("Show X", "/tv/Show X")
    for number, monitored, broken in ((1, True, True), (2, True, True), (3, True, False), (4, False, True)):
        name = f"Season 1/Show X S01E0{number}.mkv"
        ids[f"E0{number}"] = sonarr.add_episode(show, 1, number, f"/tv/Show X/{name}", monitored=monitored)
        rel = f"Séries/Show X/{name}"
        links[f"E0{number}"] = library.broken(rel) if broken else library.healthy(rel)
    quiet = sonarr.add_series("Quiet Show", "/tv/Quiet Show", monitored=False)
    sonarr.add_episode(quiet, 1, 1, "/tv/Quiet Show/Season 1/Quiet S01E01.mkv")
    links["quiet"] = library.broken("Séries/Quiet Show/Season 1/Quiet S01E01.mkv")
    ids["dune"] = radarr.add_movie("Dune", 2021, "/movies/Dune (2021)", "/movies/Dune (2021)/Dune.mkv")
    links["dune"] = library.broken("Films/Dune (2021)/Dune.mkv")
    ids["old"] = radarr.add_movie("Old", 1999, "/movies/Old (1999)", "/movies/Old (1999)/Old.mkv", monitored=False)
    links["old"] = library.broken("Films/Old (1999)/Old.mkv")
    links["stray"] = library.broken("Extras/stray.mkv")
    for i in range(8):  # healthy links into the same source, so that the guard lets the removal through
        library.healthy(f"Films/ok{i}/ok.mkv")
    answer = client.post("/api/symlink/config", json={
        "sonarr_enabled": True, "sonarr_host": "127.0.0.1", "sonarr_port": sonarr.port, "sonarr_api_key": sonarr.api_key,
        "radarr_enabled": True, "radarr_host": "127.0.0.1", "radarr_port": radarr.port, "radarr_api_key": radarr.api_key,
        "radarr_path_mappings": movie_map, "path_mappings": tv_map, "broken_share_limit": 1.0,
    })
    assert answer.status_code == 200, answer.get_json()
    return {"links": links, "ids": ids, "show": show, "quiet": quiet}
