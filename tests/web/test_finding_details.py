"""GET /api/symlink/scan/<id>/findings/<finding_id>: one finding in full (real scans, real links,
a real hung FUSE mount, the fake Sonarr/Radarr driven through the real clients)."""

import os
import time

import pytest

from tests.support.api import wait_for_scan
from tests.support.faultmount import hanging_links


def scan(client, **body) -> dict:
    answer = client.post("/api/symlink/scan/start", json=body)
    assert answer.status_code == 202, answer.get_json()
    return wait_for_scan(client, answer.get_json()["scan_id"])


def finding_of(client, scan_id, path) -> dict:
    items = client.get(f"/api/symlink/scan/{scan_id}/findings?per_page=500").get_json()["items"]
    return next(item for item in items if item["path"] == str(path))


def details(client, scan_id, finding_id):
    return client.get(f"/api/symlink/scan/{scan_id}/findings/{finding_id}")


def test_a_broken_link_in_full(client, library, media_root):
    gone = library.link("Films/Gone (2001)/gone.mkv", "../../../source/gone.mkv")  # relative, as written
    for i in range(3):
        library.healthy(f"Films/ok{i}.mkv")
    status = scan(client)
    finding = finding_of(client, status["scan_id"], gone)
    answer = details(client, status["scan_id"], finding["id"])
    assert answer.status_code == 200, answer.get_json()
    data = answer.get_json()
    assert (data["path"], data["category"]) == (str(gone), "broken")
    assert data["now"]["written"] == "../../../source/gone.mkv"  # the target as written
    assert data["now"]["resolved"] == os.path.realpath(gone)  # and resolved
    assert data["now"]["exists"] is True and data["now"]["target_exists"] is False
    assert "No such file" in data["now"]["error"]
    assert "phase 1" in data["check"] and data["detail"].startswith("target missing")
    assert data["checked_at"] == status["finished_at"] or data["checked_at"].startswith(status["scan_date"][:16])
    # A dry run has no guard verdict, but the source's counts are known.
    assert data["guard"]["links"] == 4 and data["guard"]["broken"] == 1 and data["guard"]["evaluated"] is False
    assert data["ignored_by"] is None and data["quarantine"] is None and data["arr"] == []
    assert data["scan"]["scan_id"] == status["scan_id"] and data["media_root"] == os.path.realpath(media_root)


def test_the_guard_verdict_and_the_ignore_rule_show(client, library):
    links = [library.broken(f"Shows/S01/e{i:02}.mkv") for i in range(5)]
    status = scan(client, mode="real")  # every link into the source is broken: the guard blocks it
    finding = finding_of(client, status["scan_id"], links[0])
    guard = details(client, status["scan_id"], finding["id"]).get_json()["guard"]
    assert guard["evaluated"] is True and guard["blocked"] is True and guard["reason"]
    rule = client.post("/api/symlink/ignores", json={"prefix": "Shows/S01"}).get_json()
    assert details(client, status["scan_id"], finding["id"]).get_json()["ignored_by"]["id"] == rule["id"]


def test_a_link_whose_mount_hangs_answers_within_the_timeout(client, library, faulty_mount):
    _mount, [link] = hanging_links(library, faulty_mount, count=1)
    client.post("/api/symlink/config", json={"file_timeout": 1})
    status = scan(client)
    finding = finding_of(client, status["scan_id"], link)
    started = time.monotonic()
    data = details(client, status["scan_id"], finding["id"]).get_json()
    assert time.monotonic() - started < 8
    assert data["category"] == "timeout" and "did not answer within 1s" in data["now"]["error"]


def test_the_series_or_movie_it_belongs_to(client, library, media_root, sonarr, radarr):
    show = sonarr.add_series("Show X", "/tv/Show X")
    sonarr.add_episode(show, 1, 2, "/tv/Show X/Season 1/Show X S01E02.mkv")
    radarr.add_movie("Dune", 2021, "/movies/Dune (2021)", "/movies/Dune (2021)/Dune.mkv")
    episode = library.broken("Séries/Show X/Season 1/Show X S01E02.mkv")
    film = library.broken("Films/Dune (2021)/Dune.mkv")
    stray = library.broken("Extras/stray.mkv")
    answer = client.post("/api/symlink/config", json={
        "sonarr_enabled": True, "sonarr_host": "127.0.0.1", "sonarr_port": sonarr.port,
        "sonarr_api_key": sonarr.api_key, "sonarr_path_mappings": [{"remote": "/tv", "local": str(media_root / "Séries")}],
        "radarr_enabled": True, "radarr_host": "127.0.0.1", "radarr_port": radarr.port,
        "radarr_api_key": radarr.api_key,
        "radarr_path_mappings": [{"remote": "/movies", "local": str(media_root / "Films")}],
    })
    assert answer.status_code == 200, answer.get_json()
    status = scan(client)
    arr = {name: details(client, status["scan_id"], finding_of(client, status["scan_id"], path)["id"]).get_json()["arr"]
           for name, path in (("episode", episode), ("film", film), ("stray", stray))}
    sonarr_answer = next(a for a in arr["episode"] if a["kind"] == "sonarr")
    assert (sonarr_answer["title"], sonarr_answer["episodes"], sonarr_answer["monitored"]) == ("Show X", ["S01E02"], True)
    assert sonarr_answer["remote_path"] == "/tv/Show X/Season 1/Show X S01E02.mkv"
    assert next(a for a in arr["film"] if a["kind"] == "radarr")["title"] == "Dune (2021)"
    assert all(a["title"] is None and a["error"] is None for a in arr["stray"])
    # A Sonarr that refuses the key: said in the panel, the rest still answers.
    sonarr.api_key = "another"
    again = details(client, status["scan_id"], finding_of(client, status["scan_id"], episode)["id"]).get_json()
    assert next(a for a in again["arr"] if a["kind"] == "sonarr")["error"]
    assert next(a for a in again["arr"] if a["kind"] == "radarr")["error"] is None


@pytest.mark.parametrize(("url", "code"), [
    ("/api/symlink/scan/1/findings/abc", 400),
    ("/api/symlink/scan/1/findings/0", 400),
    ("/api/symlink/scan/424242/findings/1", 404),
])
def test_bad_ids(client, url, code):
    answer = client.get(url)
    assert answer.status_code == code and set(answer.get_json()) >= {"error", "message"}


def test_a_finding_of_another_scan_is_not_found(client, library):
    library.broken("a.mkv")
    first, second = scan(client), scan(client)
    finding = finding_of(client, first["scan_id"], library.root / "a.mkv")
    answer = details(client, second["scan_id"], finding["id"])
    assert answer.status_code == 404 and answer.get_json()["error"] == "not_found"
