"""The JSON API through Flask's test client, on real libraries and a real SQLite database."""

import pytest

from tests.support.api import assert_error, wait_for_scan


def start(client, **body):
    return client.post("/api/symlink/scan/start", json=body)


def test_config_round_trip_and_masked_keys(app, client):
    response = client.post("/api/symlink/config", json={"max_workers": 3, "sonarr_api_key": "abcdef123456"})
    assert response.status_code == 200
    config = client.get("/api/symlink/config").get_json()
    assert config["max_workers"] == 3
    assert (config["phase2_decode"], config["decode_timeout"]) == ("suspicious", 60.0)
    assert config["sonarr_api_key"].endswith("3456") and "abcdef" not in config["sonarr_api_key"]
    # Sending the mask back (as a settings form does) keeps the real key.
    client.post("/api/symlink/config", json={"sonarr_api_key": config["sonarr_api_key"], "max_workers": 4})
    from linkdoctor.config import get_config

    with app.app_context():
        assert get_config().sonarr_api_key == "abcdef123456"


@pytest.mark.parametrize("body, words", [
    ({"max_workers": 0}, "max_workers"),
    ({"max_workers": "many"}, "max_workers"),
    ({"max_workers": True}, "max_workers"),
    ({"file_timeout": -1}, "file_timeout"),
    ({"media_path": "/no/such/folder"}, "media_path"),
    ({"source_roots": ["relative/path"]}, "absolute"),
    ({"phase2_decode": "everything"}, "phase2_decode must be one of suspicious, sampled, all, off"),
    ({"decode_timeout": 0}, "decode_timeout"),
    ({"nonsense": 1}, "unknown setting"),
    ({}, "at least one"),
])
def test_config_rejects_bad_values_and_changes_nothing(client, body, words):
    before = client.get("/api/symlink/config").get_json()
    body = assert_error(client.post("/api/symlink/config", json=body), 400)
    assert words in body["message"]
    assert client.get("/api/symlink/config").get_json() == before


def test_config_rejects_a_batch_with_one_bad_value_whole(client):
    assert_error(client.post("/api/symlink/config", json={"max_workers": 5, "scans_to_keep": 0}), 400)
    assert client.get("/api/symlink/config").get_json()["max_workers"] == 6


def test_non_json_bodies_are_refused(client):
    assert_error(client.post("/api/symlink/config", data="not json", content_type="application/json"), 400)
    assert_error(client.post("/api/symlink/config", json=[1, 2]), 400)


def test_directories_tree_counts_symlinks(client, library):
    library.healthy("Films/A/a.mkv")
    library.broken("Films/B/b.mkv")
    library.healthy("Séries/S/Season 1/e1.mkv")
    tree = client.get("/api/symlink/directories").get_json()
    assert tree["symlink_count"] == 3
    names = {node["name"]: node for node in tree["subdirs"]}
    assert names["Films"]["symlink_count"] == 2
    assert names["Séries"]["subdirs"][0]["name"] == "S"
    sub = client.get("/api/symlink/directories", query_string={"path": "Séries/S", "depth": 1}).get_json()
    assert sub["subdirs"][0]["name"] == "Season 1"
    full = client.get("/api/symlink/directories", query_string={"depth": 1, "full": 1}).get_json()
    assert (full["symlink_count"], full["partial"]) == (3, False)


@pytest.mark.parametrize("full", ["yes", "2", "TRUE "])
def test_directories_full_takes_only_a_flag(client, library, full):
    assert_error(client.get("/api/symlink/directories", query_string={"full": full}), 400)


@pytest.mark.parametrize("offset", ["-1", "ten", "1.5", "10000001"])
def test_directories_offset_takes_a_whole_number_in_range(client, library, offset):
    assert_error(client.get("/api/symlink/directories", query_string={"offset": offset}), 400)


def test_directories_offset_lists_the_next_sub_folders(client, library):
    for name in "ABCD":
        library.healthy(f"Films/{name}/a.mkv")
    page = client.get("/api/symlink/directories", query_string={"path": "Films", "depth": 1, "offset": 2}).get_json()
    assert ([sub["name"] for sub in page["subdirs"]], page["more_subdirs"], page["symlink_count"]) == (["C", "D"], 0, 4)


@pytest.mark.parametrize("path", ["../", "/etc", "Films/../../"])
def test_directories_outside_the_root_answer_400(client, library, path):
    library.healthy("Films/A/a.mkv")
    assert_error(client.get("/api/symlink/directories", query_string={"path": path}), 400)


def test_scan_start_status_history_and_findings(client, library):
    for i in range(3):
        library.healthy(f"Films/ok{i}/ok{i}.mkv")
    library.broken("Films/broken/broken.mkv")
    library.empty("Films/empty/empty.mkv")
    response = start(client, paths=["Films"], mode="dry-run", verification_depth="basic")
    assert response.status_code == 202
    scan_id = response.get_json()["scan_id"]
    status = wait_for_scan(client, scan_id)
    assert status["status"] == "completed"
    assert status["progress"] == 100.0
    stats = status["statistics"]
    assert (stats["total_analyzed"], stats["phase1_ok"], stats["phase1_broken"], stats["phase1_small"]) == (5, 3, 1, 1)
    history = client.get("/api/symlink/scans/history").get_json()["scans"]
    assert history[0]["scan_id"] == scan_id
    page = client.get(f"/api/symlink/scan/{scan_id}/findings").get_json()
    assert page["total"] == 2
    broken = client.get(f"/api/symlink/scan/{scan_id}/findings?category=broken").get_json()
    assert [item["path"] for item in broken["items"]] == [str(library.root / "Films/broken/broken.mkv")]


def test_findings_are_paged(client, library):
    for i in range(7):
        library.broken(f"Films/b{i}.mkv")
    scan_id = start(client).get_json()["scan_id"]
    wait_for_scan(client, scan_id)
    pages = [client.get(f"/api/symlink/scan/{scan_id}/findings?page={n}&per_page=3").get_json() for n in (1, 2, 3)]
    assert [len(p["items"]) for p in pages] == [3, 3, 1]
    assert pages[0]["pages"] == 3 and pages[0]["total"] == 7
    assert len({item["path"] for p in pages for item in p["items"]}) == 7


@pytest.mark.parametrize("query", ["category=nope", "page=0", "per_page=100000", "page=abc"])
def test_findings_bad_query_is_400(client, library, query):
    library.broken("b.mkv")
    scan_id = start(client).get_json()["scan_id"]
    wait_for_scan(client, scan_id)
    assert_error(client.get(f"/api/symlink/scan/{scan_id}/findings?{query}"), 400)


@pytest.mark.parametrize("body, words", [
    ({"paths": ["/etc"]}, "outside"),
    ({"paths": ["../../"]}, "outside"),
    ({"paths": ["Films/nope"]}, "does not exist"),
    ({"paths": "Films"}, "list"),
    ({"mode": "delete-everything"}, "mode"),
    ({"verification_depth": "deep"}, "verification_depth"),
    ({"pathz": []}, "unknown"),
])
def test_scan_start_rejects_bad_input(client, library, body, words):
    library.healthy("Films/a.mkv")
    body = assert_error(start(client, **body), 400)
    assert words in body["message"]
    assert client.get("/api/symlink/scans/history").get_json()["scans"] == []


def test_unknown_scan_ids(client):
    assert_error(client.get("/api/symlink/scan/status/999"), 404, "not_found")
    assert_error(client.get("/api/symlink/scan/status/abc"), 400)
    assert_error(client.post("/api/symlink/scan/cancel/999", json={}), 404)
    assert_error(client.get("/api/symlink/scan/999/findings"), 404)


def test_unknown_api_paths_and_methods_answer_json(client):
    assert_error(client.get("/api/symlink/nope"), 404)
    assert_error(client.get("/api/symlink/scan/start"), 405)


def test_cancel_of_a_finished_scan_is_409(client, library):
    library.healthy("a.mkv")
    scan_id = start(client).get_json()["scan_id"]
    wait_for_scan(client, scan_id)
    assert_error(client.post(f"/api/symlink/scan/cancel/{scan_id}", json={}), 409)


def test_services_endpoints_answer_instead_of_501(client, monkeypatch, tmp_path):
    # Nothing enabled: an empty list. No Docker socket: an empty list and a message (tests/arr has the rest).
    assert client.post("/api/symlink/test/services", json={}).get_json() == {"services": []}
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/docker.sock")
    detected = client.post("/api/symlink/services/detect", json={})
    assert detected.status_code == 200 and detected.get_json()["services"] == []
    assert "no Docker socket found" in detected.get_json()["message"]


def test_index_page_has_the_three_tabs(client):
    html = client.get("/").get_data(as_text=True)
    for tab in ("Dashboard", "Scanner", "Settings"):
        assert tab in html
