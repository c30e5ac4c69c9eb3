"""enrich from the web: POST /library/enrich starts a job against a fake TMDB, polled and cancelled like any job."""

import os
import threading

import pytest

from tests.fakes.tmdb import AMELIE, API_KEY, DIX, FakeTmdb
from tests.support.api import wait_job
from tests.support.waiting import wait_until

ENRICH = "/api/symlink/library/enrich"


@pytest.fixture
def tmdb(client):
    fake = FakeTmdb(retry_after=0.1).start()
    fake.movies.append(AMELIE)
    fake.shows.append(DIX)
    answer = client.post("/api/symlink/config", json={"tmdb_base_url": fake.url, "tmdb_api_key": API_KEY})
    assert answer.status_code == 200, answer.get_json()
    yield fake
    fake.stop()


def link(library, relative: str) -> str:
    return str(library.link(relative, library.target(os.path.basename(relative), content=os.urandom(4096))))


def import_library(client) -> None:
    answer = client.post("/api/symlink/library/import", json={})
    assert answer.status_code == 202
    assert wait_job(client, answer.get_json()["job_id"])["state"] == "completed"


def enrich_jobs(client) -> list[dict]:
    return client.get("/api/symlink/jobs?kind=enrich").get_json()["jobs"]


def test_enrich_runs_as_a_job_and_says_what_it_found_and_what_failed(client, tmdb, library):
    link(library, "Films/Le Fabuleux Destin d'Amélie Poulain (2001)/Le Fabuleux Destin d'Amélie Poulain (2001).mkv")
    for number in (1, 2):
        link(library, f"Séries/Dix pour cent/Saison 01/Dix pour cent - S01E0{number}.mkv")
    link(library, "Films/Inconnu (1999)/Inconnu (1999).mkv")
    broken_down = link(library, "Films/Panne (2003)/Panne (2003).mkv")
    import_library(client)
    tmdb.fail_query = "Panne"  # TMDB answers 500 for it, also after the client's retries

    answer = client.post(ENRICH, json={})
    assert answer.status_code == 202
    started = answer.get_json()
    assert started["state"] == "pending"
    status = wait_job(client, started["job_id"])
    assert (status["kind"], status["state"], status["origin"], status["progress"]) == ("enrich", "completed", "web", 100)
    summary = status["result"]
    assert (summary["enriched"], summary["not_found"], summary["failed"], summary["already"]) == (3, 1, 1, 0)
    assert [f["path"] for f in summary["failures"]] == [broken_down]
    assert "TMDB answered 500" in summary["failures"][0]["reason"]

    # Items already found are not asked again; the failed one is.
    tmdb.fail_query = ""
    asked = len(tmdb.requests)
    again = wait_job(client, client.post(ENRICH, json={}).get_json()["job_id"])["result"]
    assert (again["enriched"], again["not_found"], again["failed"], again["already"]) == (0, 1, 0, 4)
    assert [r[2]["query"] for r in tmdb.requests[asked:]] == ["Panne"]


def test_without_a_key_it_is_a_400_naming_the_setting_and_no_job_is_written(client, library):
    answer = client.post(ENRICH, json={})
    assert answer.status_code == 400
    body = answer.get_json()
    assert body["error"] == "bad_request" and body["setting"] == "tmdb_api_key"
    assert body["message"] == "no TMDB API key: set tmdb_api_key (a v3 key or a v4 read token) in the settings"
    assert enrich_jobs(client) == []


def test_a_body_that_is_not_json_is_415_and_an_unknown_field_400(client, tmdb):
    answer = client.post(ENRICH, data="{}", content_type="text/plain")
    assert answer.status_code == 415 and answer.get_json()["error"] == "unsupported_media_type"
    answer = client.post(ENRICH, json={"force": True})
    assert answer.status_code == 400 and "unknown field(s): force" in answer.get_json()["message"]
    assert enrich_jobs(client) == []


def test_cancel_stops_between_two_items_and_keeps_what_was_found(client, tmdb, library):
    for year in range(2000, 2020):
        tmdb.movies.append({"id": year, "title": f"Film {year}", "original_title": f"Film {year}",
                            "release_date": f"{year}-01-01"})
        link(library, f"Films/Film {year} ({year})/Film {year} ({year}).mkv")
    import_library(client)
    tmdb.delay = 0.2  # 20 items: about 4 s in all

    job_id = client.post(ENRICH, json={}).get_json()["job_id"]
    wait_until(lambda: client.get(f"/api/symlink/jobs/{job_id}").get_json()["progress"] != 0,  # the first item is recorded
               10, message="the job never reported progress")
    answer = client.post(f"/api/symlink/jobs/{job_id}/cancel", json={})
    assert answer.status_code == 200 and answer.get_json()["state"] == "cancelling"
    status = wait_job(client, job_id, timeout=10)
    assert status["state"] == "cancelled"

    tmdb.delay = 0.0
    rest = wait_job(client, client.post(ENRICH, json={}).get_json()["job_id"])["result"]
    assert 0 < rest["already"] < 20 and rest["enriched"] == 20 - rest["already"]


def test_while_another_job_holds_the_library_it_is_a_409(client, tmdb, app):
    gate = threading.Event()
    runner = app.extensions["linkdoctor.jobs"]
    with app.app_context():
        ctx = runner.start("check", lambda ctx: gate.wait(30) and {}, origin="cli")
    try:
        answer = client.post(ENRICH, json={})
        assert answer.status_code == 409
        assert "a check job is already running" in answer.get_json()["message"]
    finally:
        gate.set()
        ctx.done.wait(10)
    assert enrich_jobs(client) == []
