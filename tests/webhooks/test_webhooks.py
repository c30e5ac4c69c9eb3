"""Sonarr/Radarr webhooks: the API key, a check of the imported file's links, marks for the next scan."""

import time

import pytest

from linkdoctor.auth import credentials
from linkdoctor.models import ImportedRelease, MarkedLink, db
from tests.fakes.webhook import FakeWebhook
from tests.webhooks import bodies


@pytest.fixture
def api_key(app):
    with app.app_context():
        return credentials().api_key


@pytest.fixture
def mapped(client, media_root):
    """Sonarr names the library's series folder /tv, Radarr its films folder /movies."""
    answer = client.post("/api/symlink/config", json={
        "sonarr_path_mappings": [{"remote": "/tv", "local": str(media_root / "Séries")}],
        "radarr_path_mappings": [{"remote": "/movies", "local": str(media_root / "Films")}]})
    assert answer.status_code == 200, answer.get_json()


def wait_job(client, job_id: int, timeout: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/symlink/jobs/{job_id}").get_json()
        if job["state"] not in ("pending", "running"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} still {job['state']} after {timeout}s")


def test_the_api_key_is_needed_and_lets_the_container_name_through(client, api_key):
    assert client.post("/api/symlink/webhook/sonarr", json=bodies.sonarr_test()).status_code == 401
    wrong = client.post("/api/symlink/webhook/sonarr?apikey=nope", json=bodies.sonarr_test())
    assert wrong.status_code == 401 and wrong.get_json()["error"] == "unauthorized"
    assert client.post(f"/api/symlink/webhook/sonarr?apikey={api_key}", json=bodies.sonarr_test()).status_code == 200
    # Sonarr calls linkdoctor by its container name: with the key, that Host passes; without, it is refused.
    called = client.post("/api/symlink/webhook/radarr", json={"eventType": "Test"},
                         headers={"Host": "linkdoctor:8080", "X-Api-Key": api_key})
    assert called.status_code == 200, called.get_json()
    assert client.post("/api/symlink/webhook/radarr", json={"eventType": "Test"},
                       headers={"Host": "linkdoctor:8080"}).status_code == 421
    assert client.get("/api/symlink/config", headers={"Host": "linkdoctor:8080", "X-Api-Key": api_key}).status_code == 421


@pytest.mark.parametrize("data, message", [
    (b"not json", "must be JSON"), (b"[1, 2]", "JSON object"), (b'{"eventType": "Explode"}', "unknown sonarr"),
    (b'{"eventType": "MovieFileDelete"}', "unknown sonarr"), (b"{}", "unknown sonarr"),
])
def test_bad_bodies_are_400_and_logged(client, api_key, data, message, caplog):
    answer = client.post(f"/api/symlink/webhook/sonarr?apikey={api_key}", data=data,
                         headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    assert message in answer.get_json()["message"]
    assert any("sonarr webhook refused" in record.getMessage() for record in caplog.records)


def test_a_download_of_a_truncated_file_yields_a_check_that_finds_it(app, client, library, api_key, mapped):
    receiver = FakeWebhook().start()
    answer = client.post("/api/symlink/notifications", json={"url": receiver.apprise_url(), "events": ["scan_problems"]})
    assert answer.status_code == 201
    link = library.link("Séries/Show X/Season 1/Show X S01E01.mkv", library.truncated("show-x-e01.mkv"))
    healthy = library.link("Séries/Show X/Season 1/Show X S01E02.mkv", library.video("show-x-e02.mkv", seconds=2))
    body = bodies.sonarr_download(7, "/tv/Show X", [101], "/tv/Show X/Season 1/Show X S01E01.mkv", "dl-abc")
    answer = client.post(f"/api/symlink/webhook/sonarr?apikey={api_key}", json=body)
    assert answer.status_code == 202, answer.get_json()
    job = wait_job(client, answer.get_json()["job_id"])
    assert job["kind"] == "import_check" and job["state"] == "completed", job
    [finding] = job["result"]["findings"]
    assert finding["path"] == str(link) and finding["category"] == "corrupted" and finding["detail"]
    assert job["result"]["links"] == [str(link)]  # exactly the imported file's link, not its neighbour
    assert link.is_symlink() and healthy.is_symlink()  # reported, never removed here
    with app.app_context():
        [release] = db.session.execute(db.select(ImportedRelease)).scalars()
        assert (release.download_id, release.local_path, release.episode_ids) == ("dl-abc", str(link), [101])
    try:
        [message] = receiver.wait_for(1)
    finally:
        receiver.stop()
    assert message["title"] == "linkdoctor: sonarr import of Show X: 1 link(s) checked, 1 problem(s)"
    assert f"{link} (corrupted)" in message["message"] and "Nothing was removed" in message["message"]


def test_links_pointing_at_the_imported_file_are_found_in_the_item_folder(client, library, media_root, api_key):
    """Radarr imports into the source; the library's links point at the file."""
    target = library.video("movies/Dune (2021)/Dune.mkv", seconds=2)
    link = library.link("Films/Dune (2021)/Dune.mkv", target)
    client.post("/api/symlink/config", json={"radarr_path_mappings": [
        {"remote": "/movies", "local": str(library.source / "movies")}],
        "path_mappings": [{"remote": "/library/movies", "local": str(media_root / "Films")}]})
    body = bodies.radarr_download(3, "/library/movies/Dune (2021)", "/movies/Dune (2021)/Dune.mkv", "dl-dune")
    answer = client.post(f"/api/symlink/webhook/radarr?apikey={api_key}", json=body)
    assert answer.status_code == 202, answer.get_json()
    job = wait_job(client, answer.get_json()["job_id"])
    assert job["result"]["links"] == [str(link)] and job["result"]["findings"] == []


def test_a_file_outside_every_mapping_or_unlinked_is_nothing_to_do(client, api_key, mapped):
    body = bodies.sonarr_download(7, "/elsewhere/Show", [1], "/elsewhere/Show/S01E01.mkv", "dl-x")
    answer = client.post(f"/api/symlink/webhook/sonarr?apikey={api_key}", json=body)
    assert answer.status_code == 200 and "nothing to do" in answer.get_json()["message"]
    body = bodies.sonarr_download(7, "/tv/Nobody", [1], "/tv/Nobody/S01E01.mkv", "dl-y")
    answer = client.post(f"/api/symlink/webhook/sonarr?apikey={api_key}", json=body)
    assert answer.status_code == 200 and "no library link points at" in answer.get_json()["message"]


def test_rename_and_file_delete_mark_the_links_for_the_next_scan(app, client, library, api_key, mapped, media_root):
    library.healthy("Séries/Show X/Season 1/Show X S01E01 - New.mkv")
    body = bodies.sonarr_rename("/tv/Show X", "/tv/Show X/Season 1/Show X S01E01 - New.mkv",
                                "/tv/Show X/Season 1/Show X S01E01.mkv")
    answer = client.post(f"/api/symlink/webhook/sonarr?apikey={api_key}", json=body)
    assert answer.status_code == 200 and answer.get_json()["message"] == "2 link(s) marked for the next scan"
    body = bodies.radarr_file_delete("/movies/Dune (2021)", "/movies/Dune (2021)/Dune.mkv")
    assert client.post(f"/api/symlink/webhook/radarr?apikey={api_key}", json=body).status_code == 200
    with app.app_context():
        marks = {(m.path, m.reason) for m in db.session.execute(db.select(MarkedLink)).scalars()}
    series = media_root / "Séries/Show X/Season 1"
    assert marks == {(str(series / "Show X S01E01 - New.mkv"), "sonarr Rename"),
                     (str(series / "Show X S01E01.mkv"), "sonarr Rename"),
                     (str(media_root / "Films/Dune (2021)/Dune.mkv"), "radarr MovieFileDelete")}


def test_settings_show_the_urls_to_paste(client, api_key):
    urls = client.get("/api/symlink/webhook/urls").get_json()
    assert urls["sonarr"].endswith(f"/api/symlink/webhook/sonarr?apikey={api_key}")
    assert urls["radarr"].endswith(f"/api/symlink/webhook/radarr?apikey={api_key}")


def test_the_next_scan_checks_the_marked_links_then_forgets_them(app, client, library, api_key, mapped, media_root):
    from tests.support.api import wait_for_scan

    gone = library.broken("Séries/Show X/Season 1/Show X S01E01.mkv")
    library.healthy("Films/Dune (2021)/Dune.mkv")
    body = bodies.sonarr_rename("/tv/Show X", "/tv/Show X/Season 1/Show X S01E01.mkv",
                                "/tv/Show X/Season 1/Show X S01E01 - Old.mkv")
    assert client.post(f"/api/symlink/webhook/sonarr?apikey={api_key}", json=body).status_code == 200
    scan_id = client.post("/api/symlink/scan/start", json={"paths": [str(media_root / "Films")]}).get_json()["scan_id"]
    status = wait_for_scan(client, scan_id)
    findings = client.get(f"/api/symlink/scan/{scan_id}/findings").get_json()
    paths = [f["path"] for f in findings.get("findings", findings.get("items", []))]
    assert str(gone) in paths, (status, findings)
    with app.app_context():
        assert db.session.execute(db.select(MarkedLink)).first() is None


def test_an_import_into_the_source_finds_the_library_links_by_the_item_folder_name(client, library, api_key):
    """No mapping (same paths on both sides): Sonarr's folder is in the source, the library links point there."""
    target = library.truncated("tv/Show X/Season 1/Show X S01E01.mkv")
    link = library.link("Séries/Show X/Season 1/Show X S01E01.mkv", target)
    library.healthy("Séries/Other/Season 1/Other S01E01.mkv")
    client.post("/api/symlink/config", json={"source_roots": [str(library.source)]})
    series = str(library.source / "tv" / "Show X")
    body = bodies.sonarr_download(7, series, [101], str(target), "dl-src")
    answer = client.post(f"/api/symlink/webhook/sonarr?apikey={api_key}", json=body)
    assert answer.status_code == 202, answer.get_json()
    job = wait_job(client, answer.get_json()["job_id"])
    assert job["result"]["links"] == [str(link)]
    assert [f["category"] for f in job["result"]["findings"]] == ["corrupted"]


def test_other_event_types_are_nothing_to_do_and_other_apps_unknown(client, api_key):
    grab = client.post(f"/api/symlink/webhook/radarr?apikey={api_key}",
                       json={"eventType": "Grab", "instanceName": "Radarr", "movie": {"id": 1, "title": "Dune"}})
    assert grab.status_code == 200 and grab.get_json()["message"] == "nothing to do for Grab"
    assert client.post(f"/api/symlink/webhook/lidarr?apikey={api_key}", json={"eventType": "Test"}).status_code == 404
