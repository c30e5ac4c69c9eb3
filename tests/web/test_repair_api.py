"""The repair API: list broken links with candidates, accept one, accept all unambiguous, undo; errors in one shape."""

import os

import pytest

from tests.support.api import run_repair, wait_job
from tests.support.trees import SharedTree
from tests.support.waiting import wait_until


def run(client, url, body):
    """The result of a repair job started through the API."""
    return run_repair(client, url, body)["result"]


def test_proposals_then_accept_one_then_all_unambiguous_then_undo(client, tree):
    listed = run(client, "/api/symlink/repair/proposals", {})
    links = {link["path"]: link for link in listed["links"]}
    assert listed["total"] == 5 and listed["counts"]["ambiguous"] == 1 and listed["counts"]["no_candidate"] == 1
    assert links[tree.e02]["verdict"] == "repair"
    assert links[tree.e02]["candidates"] == [{"path": tree.file["The.Office.S04E02"], "score": 100.0}]
    assert not os.path.exists(tree.e02)  # listing changes nothing

    # Accept one of the two equal candidates of the ambiguous link: the user decides, not --auto.
    chosen = tree.file["The.Intouchables.2011"]
    result = run(client, "/api/symlink/repair/apply", {"items": [{"path": tree.intouchables, "target": chosen}]})
    assert [r["path"] for r in result["repaired"]] == [tree.intouchables]
    assert os.path.realpath(tree.intouchables) == chosen

    # A target that is not one of the link's candidates is refused.
    result = run(client, "/api/symlink/repair/apply", {"items": [{"path": tree.e21, "target": "/etc/passwd"}]})
    assert result["repaired"] == [] and "not a candidate" in result["skipped"][0]["reason"]
    assert not os.path.exists(tree.e21)

    result = run(client, "/api/symlink/repair/apply", {"unambiguous": True})
    assert {r["path"] for r in result["repaired"]} == {tree.e02, tree.e21, tree.dune}
    dune = next(r for r in result["repaired"] if r["path"] == tree.dune)
    undone = client.post(f"/api/symlink/repair/{dune['id']}/undo", json={})
    assert undone.status_code == 200 and undone.get_json()["state"] == "undone"
    assert os.readlink(tree.dune) == dune["old_target"]
    again = client.post(f"/api/symlink/repair/{dune['id']}/undo", json={})
    assert again.status_code == 409 and again.get_json()["error"]


@pytest.mark.parametrize("body", [{"items": "x"}, {"items": [{"path": "a"}]}, {"unambiguous": "yes"}, {},
                                  {"other": 1}, {"items": [{"path": "/tmp/x.mkv", "target": "/s/x.mkv"}]}])
def test_bad_apply_bodies_are_400(client, tree, body):
    answer = client.post("/api/symlink/repair/apply", json=body)
    assert answer.status_code == 400 and set(answer.get_json()) >= {"error", "message"}


def test_undo_of_an_unknown_repair_is_404_and_proposals_without_source_roots_400(client):
    assert client.post("/api/symlink/repair/7/undo", json={}).status_code == 404
    assert client.post("/api/symlink/repair/x/undo", json={}).status_code == 400
    answer = client.post("/api/symlink/repair/proposals", json={})
    assert answer.status_code == 400 and "source_roots" in answer.get_json()["message"]


def test_sonarr_and_radarr_rescan_what_a_web_repair_or_undo_changed(client, tree, library, sonarr, radarr):
    """After the repair job (and after an undo) Sonarr/Radarr rescan the items: the links point at a file again."""
    show = sonarr.add_series("The Office", "/tv/The Office (US)")
    sonarr.add_episode(show, 4, 2, "/tv/The Office (US)/Season 04/The Office - S04E02.mkv")
    dune = radarr.add_movie("Dune", 2021, "/movies/Dune (2021)")
    answer = client.post("/api/symlink/config", json={
        "sonarr_enabled": True, "sonarr_host": "127.0.0.1", "sonarr_port": sonarr.port, "sonarr_api_key": sonarr.api_key,
        "radarr_enabled": True, "radarr_host": "127.0.0.1", "radarr_port": radarr.port, "radarr_api_key": radarr.api_key,
        "path_mappings": [{"remote": "/tv/The Office (US)", "local": os.path.dirname(tree.e02)},
                          {"remote": "/movies", "local": os.path.dirname(os.path.dirname(tree.dune))}],
    })
    assert answer.status_code == 200, answer.get_json()
    started = client.post("/api/symlink/repair/apply", json={"unambiguous": True}).get_json()
    def with_followup():  # the job's result gets its follow-up once the lock is free
        status = wait_job(client, started["job_id"])
        return "then" in status["result"] and status

    status = wait_until(with_followup, 60, interval=0.1, message="the repair's result never got its follow-up")
    then = status["result"]["then"]
    assert then["state"] == "started", then
    notify = wait_job(client, then["job_id"])
    assert notify["kind"] == "arr_followup" and notify["state"] == "completed", notify
    assert {"name": "RescanSeries", "seriesId": show} in sonarr.sent_commands()
    assert {"name": "RescanMovie", "movieId": dune} in radarr.sent_commands()
    assert not any(c["name"].endswith("Search") for c in sonarr.sent_commands() + radarr.sent_commands())
    # An undo from the web rescans the movie again.
    repaired = next(r for r in status["result"]["repaired"] if r["path"] == tree.dune)
    undone = client.post(f"/api/symlink/repair/{repaired['id']}/undo", json={}).get_json()
    assert undone["services"]["state"] == "started", undone
    assert wait_job(client, undone["services"]["job_id"])["state"] == "completed"
    assert radarr.sent_commands().count({"name": "RescanMovie", "movieId": dune}) == 2


def test_shared_wrong_targets_are_listed_and_re_pointed_the_legitimate_left_alone(client, library, configured_source):
    """kind "shared": fix-bad-links from the web; the same film in two folders is reported, never touched."""
    tree = SharedTree(library, configured_source)

    listed = run(client, "/api/symlink/repair/proposals", {"kind": "shared"})
    assert listed["kind"] == "shared" and listed["total"] == 1 and listed["counts"]["repair"] == 1
    assert listed["links"][0]["path"] == tree.bad and listed["links"][0]["target"] == tree.e03
    assert listed["links"][0]["candidates"] == [{"path": tree.e04, "score": 100.0}]
    assert listed["legitimate_total"] == 1 and listed["legitimate"][0]["target"] == tree.film
    assert os.path.realpath(tree.bad) == tree.e03  # listing changes nothing

    # The broken-link list does not offer them: their target exists.
    assert run(client, "/api/symlink/repair/proposals", {})["total"] == 0
    # A chosen item of the broken kind is refused for this link: it is not broken.
    result = run(client, "/api/symlink/repair/apply", {"items": [{"path": tree.bad, "target": tree.e04}]})
    assert result["repaired"] == [] and "no longer broken" in result["skipped"][0]["reason"]

    result = run(client, "/api/symlink/repair/apply", {"kind": "shared", "items": [{"path": tree.bad, "target": tree.e04}]})
    assert [r["path"] for r in result["repaired"]] == [tree.bad]
    assert os.path.realpath(tree.bad) == tree.e04 and os.path.realpath(tree.good) == tree.e03
    assert all(os.path.realpath(link) == tree.film for link in tree.films)

    # The journal lists it (fix-bad-links), newest first, and it can be undone from there.
    repairs = client.get("/api/symlink/repairs").get_json()
    assert repairs["total"] == 1 and repairs["items"][0]["command"] == "fix-bad-links"
    assert repairs["items"][0]["state"] == "repaired"
    assert client.post(f"/api/symlink/repair/{repairs['items'][0]['id']}/undo", json={}).status_code == 200
    assert os.path.realpath(tree.bad) == tree.e03
    assert client.get("/api/symlink/repairs").get_json()["items"][0]["state"] == "undone"

    # Accept every unambiguous one of the kind.
    result = run(client, "/api/symlink/repair/apply", {"kind": "shared", "unambiguous": True})
    assert [r["path"] for r in result["repaired"]] == [tree.bad] and os.path.realpath(tree.bad) == tree.e04


def test_ignored_links_are_not_offered_for_repair(client, tree):
    assert client.post("/api/symlink/ignores", json={"path": tree.e02}).status_code == 201
    folder = os.path.dirname(tree.dune)
    assert client.post("/api/symlink/ignores", json={"prefix": folder}).status_code == 201
    listed = run(client, "/api/symlink/repair/proposals", {})
    assert {link["path"] for link in listed["links"]} == {tree.e21, tree.intouchables, tree.nothing}
    assert listed["ignored"] == 2
    result = run(client, "/api/symlink/repair/apply", {"unambiguous": True})
    assert [r["path"] for r in result["repaired"]] == [tree.e21]
    assert not os.path.exists(tree.e02) and not os.path.exists(tree.dune)


def test_the_repairs_page_and_bad_kinds(client, tree, media_root):
    assert client.get("/api/symlink/repairs").get_json() == {"total": 0, "page": 1, "per_page": 50, "items": [],
                                                              "batches": {},
                                                              "media_root": os.path.realpath(media_root)}
    run(client, "/api/symlink/repair/apply", {"unambiguous": True})
    first = client.get("/api/symlink/repairs?per_page=2").get_json()
    second = client.get("/api/symlink/repairs?per_page=2&page=2").get_json()
    assert first["total"] == 3 and len(first["items"]) == 2 and len(second["items"]) == 1
    ids = [item["id"] for item in first["items"] + second["items"]]
    assert ids == sorted(ids, reverse=True)
    for url in ("/api/symlink/repairs?page=0", "/api/symlink/repairs?per_page=501", "/api/symlink/repairs?page=x"):
        answer = client.get(url)
        assert answer.status_code == 400 and answer.get_json()["error"], url
    for body in ({"kind": "all"}, {"kind": 3}, {"kind": ["shared"]}, {"kind": None}):
        for url in ("/api/symlink/repair/proposals", "/api/symlink/repair/apply"):
            answer = client.post(url, json={**body, "unambiguous": True} if url.endswith("apply") else body)
            assert answer.status_code == 400 and answer.get_json()["fields"] == {"kind": "must be broken or shared"}
    outside = client.post("/api/symlink/repair/apply", json={"kind": "shared",
                                                             "items": [{"path": "/etc/passwd", "target": "/x"}]})
    assert outside.status_code == 400
