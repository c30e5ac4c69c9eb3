"""Issue 10's API: findings searched and sorted on the server, waiting proposals kept and discarded,
the quarantine across scans with restore of chosen links."""

import os

import pytest

from tests.support.api import wait_for_scan
from tests.support.waiting import wait_until


@pytest.fixture
def findings_scan(app, client, library):
    """A dry-run scan with findings of several categories and names."""
    library.broken("Films/Dune (2021)/Dune.mkv")
    library.broken("Films/Arrival (2016)/Arrival.mkv")
    library.empty("Séries/Dark/S01E01.mkv")
    library.empty("Films/Amélie (2001)/Amélie.mkv")
    library.healthy("Films/Heat (1995)/Heat.mkv")
    scan_id = client.post("/api/symlink/scan/start", json={}).get_json()["scan_id"]
    wait_for_scan(client, scan_id)
    return scan_id


def page(client, scan_id, **args):
    query = "&".join(f"{k}={v}" for k, v in args.items())
    answer = client.get(f"/api/symlink/scan/{scan_id}/findings?{query}")
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def names(data):
    return [os.path.basename(item["path"]) for item in data["items"]]


def test_findings_search_over_link_and_target(client, findings_scan):
    assert names(page(client, findings_scan, q="dune")) == ["Dune.mkv"]
    assert names(page(client, findings_scan, q="S01E01")) == ["S01E01.mkv"]
    by_target = page(client, findings_scan, q="missing-")  # the broken links' targets
    assert sorted(names(by_target)) == ["Arrival.mkv", "Dune.mkv"] and by_target["total"] == 2
    assert page(client, findings_scan, q="100%_")["total"] == 0  # LIKE wildcards are taken literally


def test_findings_sort_by_path_category_and_target_both_ways(client, findings_scan):
    by_path = names(page(client, findings_scan, sort="path"))
    assert by_path == ["Amélie.mkv", "Arrival.mkv", "Dune.mkv", "S01E01.mkv"]
    assert names(page(client, findings_scan, sort="path", order="desc")) == by_path[::-1]
    categories = [i["category"] for i in page(client, findings_scan, sort="category")["items"]]
    assert categories == sorted(categories)
    targets = [i["target"] for i in page(client, findings_scan, sort="target", order="desc")["items"]]
    assert targets == sorted(targets, reverse=True)
    combined = page(client, findings_scan, category="broken", q="a", sort="path", per_page=1, page=2)
    assert combined["total"] == 2 and names(combined) == ["Dune.mkv"] and combined["pages"] == 2


@pytest.mark.parametrize("args", ["sort=size", "order=up", "q=" + "x" * 501, "page=0", "per_page=501"])
def test_bad_findings_queries_are_refused(client, findings_scan, args):
    answer = client.get(f"/api/symlink/scan/{findings_scan}/findings?{args}")
    assert answer.status_code == 400 and set(answer.get_json()) >= {"error", "message"}


def real_scan(client) -> dict:
    scan_id = client.post("/api/symlink/scan/start", json={"mode": "real"}).get_json()["scan_id"]
    return wait_for_scan(client, scan_id)


def kept_scans(client, expected: list[int]) -> list[int]:
    """The history's scan ids once the rotation has run: a scan shows finished just before its job
    rotates the old ones away, so the history is read until it matches (or the wait runs out)."""
    seen = []

    def rotated():
        seen[:] = [s["scan_id"] for s in client.get("/api/symlink/scans/history").get_json()["scans"]]
        return seen == expected

    wait_until(rotated, 30, message=lambda: f"history still {seen}, expected {expected}")
    return seen


def test_a_waiting_proposal_survives_more_scans_than_scans_to_keep(client, library):
    library.broken("Films/a/a.mkv")
    for i in range(3):
        library.healthy(f"Films/ok{i}/ok.mkv")
    client.post("/api/symlink/config", json={"scans_to_keep": 1})
    waiting = real_scan(client)
    assert waiting["status"] == "awaiting_confirmation"
    for _ in range(3):
        scan_id = client.post("/api/symlink/scan/start", json={}).get_json()["scan_id"]
        wait_for_scan(client, scan_id)
    assert kept_scans(client, [scan_id, waiting["scan_id"]]) == [scan_id, waiting["scan_id"]]
    assert client.get(f"/api/symlink/scan/status/{waiting['scan_id']}").get_json()["confirmation"]["proposed"] == 1


def test_discarding_a_proposal_removes_nothing_and_lets_it_rotate(client, library):
    link = library.broken("Films/a/a.mkv")
    for i in range(3):
        library.healthy(f"Films/ok{i}/ok.mkv")
    client.post("/api/symlink/config", json={"scans_to_keep": 1})
    waiting = real_scan(client)
    answer = client.post(f"/api/symlink/scan/{waiting['scan_id']}/discard", json={})
    assert answer.status_code == 200 and answer.get_json()["status"] == "discarded"
    assert os.path.islink(link)
    status = client.get(f"/api/symlink/scan/status/{waiting['scan_id']}").get_json()
    assert status["status"] == "discarded" and status["confirmation"] is None
    assert page(client, waiting["scan_id"], proposed="1")["total"] == 0
    assert client.post(f"/api/symlink/scan/{waiting['scan_id']}/confirm",
                       json={"token": waiting["confirmation"]["token"]}).status_code == 409
    assert client.post(f"/api/symlink/scan/{waiting['scan_id']}/discard", json={}).status_code == 409
    scan_id = client.post("/api/symlink/scan/start", json={}).get_json()["scan_id"]
    wait_for_scan(client, scan_id)
    assert kept_scans(client, [scan_id]) == [scan_id]


def test_discard_of_an_unknown_scan_is_404(client):
    assert client.post("/api/symlink/scan/999/discard", json={}).status_code == 404


def confirmed_scan(client) -> dict:
    status = real_scan(client)
    answer = client.post(f"/api/symlink/scan/{status['scan_id']}/confirm",
                         json={"token": status["confirmation"]["token"], "force": True})
    return answer.get_json()


def test_the_quarantine_across_scans_with_age_and_purge_date(client, library):
    first = library.broken("Films/one/one.mkv")
    library.healthy("Films/ok/ok.mkv")
    one = confirmed_scan(client)
    second = library.broken("Films/two/two.mkv")
    two = confirmed_scan(client)
    client.post("/api/symlink/config", json={"quarantine_retention_days": 10})
    view = client.get("/api/symlink/quarantine").get_json()
    assert view["total"] == 2 and view["retention_days"] == 10
    assert [(i["scan_id"], i["original_path"]) for i in view["items"]] == [
        (two["scan_id"], str(second)), (one["scan_id"], str(first))]
    item = view["items"][0]
    assert item["age_days"] >= 0 and item["purge_after"] > item["created_at"]
    assert client.get("/api/symlink/quarantine?q=one").get_json()["total"] == 1


def test_restore_chosen_links_across_scans(client, library):
    first = library.broken("Films/one/one.mkv")
    library.healthy("Films/ok/ok.mkv")
    confirmed_scan(client)
    second = library.broken("Films/two/two.mkv")
    third = library.broken("Films/three/three.mkv")
    confirmed_scan(client)
    items = {i["original_path"]: i["id"] for i in client.get("/api/symlink/quarantine").get_json()["items"]}
    answer = client.post("/api/symlink/quarantine/restore", json={"ids": [items[str(first)], items[str(third)]]})
    assert answer.status_code == 200 and answer.get_json()["restored"] == 2
    assert os.path.islink(first) and os.path.islink(third) and not os.path.lexists(second)
    assert client.get("/api/symlink/quarantine").get_json()["total"] == 1
    again = client.post("/api/symlink/quarantine/restore", json={"ids": [items[str(first)]]})
    assert again.status_code == 400  # no longer in the quarantine


def test_the_quarantine_filtered_by_scan_and_category_and_every_id_a_filter_matches(client, library):
    library.healthy("Films/ok/ok.mkv")
    first = library.broken("TV/Show (2013)/Season 01/Show.S01E01.mkv")
    library.empty("TV/Show (2013)/Season 01/Show.S01E02.mkv")
    assert client.post("/api/symlink/config", json={"small_file_threshold": 1024}).status_code == 200
    one = confirmed_scan(client)
    second = library.broken("TV/Show (2013)/Season 01/Show.S01E03.mkv")
    two = confirmed_scan(client)
    view = client.get("/api/symlink/quarantine").get_json()
    assert view["total"] == 3 and view["media_root"]
    assert view["scans"] == [{"value": one["scan_id"], "count": 2}, {"value": two["scan_id"], "count": 1}]
    assert view["categories"] == [{"value": "broken", "count": 2}, {"value": "small", "count": 1}]
    by_scan = client.get(f"/api/symlink/quarantine?scan_id={one['scan_id']}").get_json()
    assert by_scan["total"] == 2 and by_scan["scan_id"] == one["scan_id"]
    narrowed = client.get(f"/api/symlink/quarantine?scan_id={one['scan_id']}&category=broken").get_json()
    assert [i["original_path"] for i in narrowed["items"]] == [str(first)]
    # "Choose all that match": every id of the filter, whatever page the rows are on.
    ids = client.get("/api/symlink/quarantine/ids?category=broken").get_json()
    assert sorted(ids["ids"]) == sorted(i["id"] for i in view["items"] if i["category"] == "broken")
    assert ids["truncated"] is False
    searched = client.get("/api/symlink/quarantine/ids?q=S01E03").get_json()["ids"]
    assert searched == [i["id"] for i in view["items"] if i["original_path"] == str(second)]
    assert client.get("/api/symlink/quarantine?scan_id=0").get_json()["total"] == 0  # repair-links' own
    for url in ("/api/symlink/quarantine?scan_id=x", "/api/symlink/quarantine?scan_id=-1",
                "/api/symlink/quarantine?category=nope", "/api/symlink/quarantine/ids?scan_id=1.5",
                "/api/symlink/quarantine/ids?category=ok"):
        answer = client.get(url)
        assert answer.status_code == 400 and set(answer.get_json()) >= {"error", "message"}, url


@pytest.mark.parametrize("body", [{}, {"ids": []}, {"ids": ["1"]}, {"ids": [True]}, {"ids": [0]}, {"ids": 3},
                                  {"ids": [1], "more": 1}])
def test_bad_restore_requests_are_refused(client, body):
    answer = client.post("/api/symlink/quarantine/restore", json=body)
    assert answer.status_code == 400 and set(answer.get_json()) >= {"error", "message"}


def test_the_system_block_names_tools_database_and_version(client, env):
    data = client.get("/api/symlink/system").get_json()
    assert data["ffprobe"]["found"] is True and data["ffprobe"]["version"]
    assert data["ffprobe"]["path"].endswith("ffprobe")
    assert data["database"]["path"] == str(env / "linkdoctor.db") and data["database"]["size"] > 0
    from linkdoctor.schema import head_revision

    assert data["database"]["schema_revision"] == head_revision()
    assert data["data_dir"] == str(env) and data["version"]
