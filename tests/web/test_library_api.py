"""The library API: start import and check jobs, poll them through /jobs/<id>, page results; errors in one shape."""

import os

import pytest

from tests.support.api import wait_job
from tests.support.media import Media


@pytest.fixture
def imported(client, library, app, source_dir):
    from linkdoctor.config import update_config

    with app.app_context():
        update_config({"source_roots": [str(source_dir)]})
    media = Media(library)
    answer = client.post("/api/symlink/library/import", json={})
    assert answer.status_code == 202
    status = wait_job(client, answer.get_json()["job_id"])
    assert status["kind"] == "import" and status["state"] == "completed"
    assert status["result"]["imported"] == Media.MEDIA_ITEMS
    return media


def test_import_check_and_paged_results(client, imported):
    answer = client.post("/api/symlink/library/check", json={"verify_hash": True})
    assert answer.status_code == 202
    job_id = answer.get_json()["job_id"]
    status = wait_job(client, job_id)
    assert status["state"] == "completed" and status["result"]["verify_hash"] is True
    page = client.get(f"/api/symlink/library/check/{job_id}/results?category=duplicate_targets&per_page=1").get_json()
    assert page["total"] == 2 and len(page["items"]) == 1 and page["counts"]["orphan_files"] == 1
    assert set(page["items"][0]) >= {"target", "links", "verdict", "path", "action"}
    everything = client.get(f"/api/symlink/library/check/{job_id}/results").get_json()
    assert everything["total"] == sum(everything["counts"].values()) == len(everything["items"])


def test_pending_is_paged(client, imported):
    page = client.get("/api/symlink/library/pending?per_page=10").get_json()
    assert page["total"] == 1 and page["items"][0]["path"] == str(imported.unknown)
    assert "linkdoctor import" in page["items"][0]["action"]


def test_an_import_dry_run_through_the_api(client, library, app):
    library.link("Films/Dune (2021)/Dune (2021).mkv", library.target("d.mkv", content=os.urandom(4096)))
    job_id = client.post("/api/symlink/library/import", json={"dry_run": True}).get_json()["job_id"]
    assert wait_job(client, job_id)["result"]["imported"] == 1
    assert client.get("/api/symlink/library/pending").get_json()["total"] == 0


@pytest.mark.parametrize("method, url, body, status, fragment", [
    ("post", "/api/symlink/library/import", {"paths": "Films"}, 400, "paths must be a list"),
    ("post", "/api/symlink/library/import", {"dry_run": "yes"}, 400, "dry_run must be true or false"),
    ("post", "/api/symlink/library/import", {"paths": ["/etc"]}, 400, "outside the media root"),
    ("post", "/api/symlink/library/import", {"bogus": 1}, 400, "unknown field"),
    ("post", "/api/symlink/library/check", {"verify_hash": 1}, 400, "verify_hash must be true or false"),
    ("get", "/api/symlink/library/check/abc/results", None, 400, "job id"),
    ("get", "/api/symlink/library/check/999/results", None, 404, "no job"),
    ("get", "/api/symlink/library/pending?page=0", None, 400, "page"),
    ("get", "/api/symlink/library/pending?per_page=100000", None, 400, "per_page"),
    ("get", "/api/symlink/library/pending?page=x", None, 400, "page"),
])
def test_bad_input_answers_the_one_error_shape(client, method, url, body, status, fragment):
    answer = getattr(client, method)(url, json=body) if body is not None else getattr(client, method)(url)
    assert answer.status_code == status
    data = answer.get_json()
    assert set(data) >= {"error", "message"} and fragment in data["message"]


def test_results_of_a_job_that_is_not_a_check_are_404_and_a_bad_category_400(client, imported):
    import_job = client.get("/api/symlink/jobs?kind=import").get_json()["jobs"][0]["job_id"]
    answer = client.get(f"/api/symlink/library/check/{import_job}/results")
    assert answer.status_code == 404 and "not a check" in answer.get_json()["message"]
    check_job = client.post("/api/symlink/library/check", json={}).get_json()["job_id"]
    wait_job(client, check_job)
    answer = client.get(f"/api/symlink/library/check/{check_job}/results?category=nope")
    assert answer.status_code == 400 and "category must be one of" in answer.get_json()["message"]


def test_a_second_job_while_one_runs_is_a_409(client, imported, app):
    import threading

    from linkdoctor.jobs.runner import JobContext

    gate = threading.Event()
    runner = app.extensions["linkdoctor.jobs"]
    with app.app_context():
        ctx: JobContext = runner.start("import", lambda ctx: gate.wait(30) and {}, origin="cli")
    try:
        answer = client.post("/api/symlink/library/check", json={})
        assert answer.status_code == 409 and answer.get_json()["error"]
    finally:
        gate.set()
        ctx.done.wait(10)
