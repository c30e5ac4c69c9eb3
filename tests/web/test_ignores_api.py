"""Issue 10: the ignore rules' API (/api/symlink/ignores), and what a real scan does with the rules."""

import os
import time

import pytest

from tests.support.api import wait_for_scan
from tests.support.faultmount import hanging_links

URL = "/api/symlink/ignores"


def add(client, **body):
    return client.post(URL, json=body)


def rules(client):
    answer = client.get(URL)
    assert answer.status_code == 200
    return answer.get_json()["ignores"]


def scan(client, **body) -> dict:
    """A real scan started through the API, waited for; its final status."""
    answer = client.post("/api/symlink/scan/start", json=body)
    assert answer.status_code == 202, answer.get_json()
    status = wait_for_scan(client, answer.get_json()["scan_id"])
    assert status["status"] == "completed", status
    return status


def finding_paths(client, scan_id) -> set[str]:
    answer = client.get(f"/api/symlink/scan/{scan_id}/findings", query_string={"per_page": 200})
    assert answer.status_code == 200
    return {item["path"] for item in answer.get_json()["items"]}


@pytest.fixture
def root(media_root):
    return os.path.realpath(media_root)


# --- adding ---------------------------------------------------------------------


def test_no_rules_at_first_and_the_media_root_to_show_paths_relative_to(client, root):
    assert client.get(URL).get_json() == {"ignores": [], "media_root": root}


def test_a_link_by_relative_path_is_stored_absolute(client, root):
    answer = add(client, path="Movies/Dune (2021)/dune.mkv", note="  I know  ")
    assert answer.status_code == 201
    rule = answer.get_json()
    assert (rule["kind"], rule["value"], rule["note"]) == ("link", f"{root}/Movies/Dune (2021)/dune.mkv", "I know")
    assert rule["id"] >= 1 and rule["created_at"]
    assert rules(client) == [rule]


def test_a_link_by_absolute_path_and_a_gone_link_are_accepted(client, root):
    # Nothing is looked at on disk: a rule may name a link that is not there (any more).
    answer = add(client, path=f"{root}/Movies/gone.mkv")
    assert answer.status_code == 201 and answer.get_json()["value"] == f"{root}/Movies/gone.mkv"


def test_a_folder_prefix_relative_or_absolute_is_a_folder_rule(client, root):
    relative = add(client, prefix="Series/Dark/")
    assert relative.status_code == 201
    assert (relative.get_json()["kind"], relative.get_json()["value"]) == ("folder", f"{root}/Series/Dark")
    absolute = add(client, prefix=f"{root}/Movies/Old")
    assert absolute.status_code == 201
    assert (absolute.get_json()["kind"], absolute.get_json()["value"]) == ("folder", f"{root}/Movies/Old")
    assert [r["value"] for r in rules(client)] == [f"{root}/Movies/Old", f"{root}/Series/Dark"]  # newest first


def test_an_absolute_prefix_outside_the_root_is_a_target_rule(client):
    answer = add(client, prefix="/mnt/debrid/torrents/", note="the dead mount")
    assert answer.status_code == 201
    rule = answer.get_json()
    assert (rule["kind"], rule["value"], rule["note"]) == ("target", "/mnt/debrid/torrents", "the dead mount")


def test_the_same_rule_twice_is_409_naming_the_first(client, root):
    first = add(client, prefix="Series/Dark").get_json()
    again = add(client, prefix=f"{root}/Series/Dark/")  # the same folder, written otherwise
    assert again.status_code == 409
    assert again.get_json()["error"] == "conflict" and again.get_json()["rule"]["id"] == first["id"]
    assert add(client, path="Series/Dark").status_code == 201  # a link rule is another kind of rule
    assert len(rules(client)) == 2


@pytest.mark.parametrize("prefix", ["/", "//", ".", "./", "MEDIA_ROOT", "MEDIA_ROOT/"])
def test_a_prefix_that_would_ignore_everything_is_refused(client, root, prefix):
    answer = add(client, prefix=prefix.replace("MEDIA_ROOT", root))
    assert answer.status_code == 400
    assert answer.get_json()["fields"] == {"prefix": "would ignore every link"}
    assert rules(client) == []


def test_the_media_root_as_configured_is_refused_too(client, media_root):
    # The configured root (not resolved) is the same folder as the real one.
    assert add(client, prefix=str(media_root)).status_code == 400
    assert add(client, path=str(media_root)).status_code == 400


@pytest.mark.parametrize("path", ["/etc/passwd", "/", "../outside.mkv", "Movies/../../outside.mkv"])
def test_a_link_outside_the_root_is_refused(client, path):
    answer = add(client, path=path)
    assert answer.status_code == 400
    assert answer.get_json()["fields"] == {"path": "must be a link inside the media root"}
    assert rules(client) == []


def test_a_relative_prefix_leaving_the_root_is_refused(client):
    answer = add(client, prefix="../elsewhere")
    assert answer.status_code == 400
    assert "prefix" in answer.get_json()["fields"]
    assert rules(client) == []


@pytest.mark.parametrize("body, field", [
    ({"path": 5}, "path"),
    ({"prefix": ["/mnt/a"]}, "prefix"),
    ({"path": ""}, "path"),
    ({"prefix": "   "}, "prefix"),
    ({"path": None}, None),  # null is "not given": neither path nor prefix then
    ({"prefix": "/mnt/a", "note": 3}, None),
    ({"prefix": "/mnt/a", "note": "x" * 501}, None),
    ({"prefix": "/mnt/a\x00b"}, None),
    ({"prefix": "/mnt/" + "a" * 5000}, None),
    ({"path": "a.mkv", "prefix": "/mnt/a"}, None),
    ({}, None),
    ({"prefix": "/mnt/a", "kind": "target"}, None),
])
def test_bad_input_is_400_and_stores_nothing(client, body, field):
    answer = add(client, **body)
    assert answer.status_code == 400, answer.get_json()
    error = answer.get_json()
    assert error["error"] == "bad_request" and error["message"]
    if field:
        assert field in error["fields"]
    assert rules(client) == []


def test_unknown_fields_are_named(client):
    answer = add(client, prefix="/mnt/a", value="/mnt/b")
    assert answer.status_code == 400 and "value" in answer.get_json()["message"]


def test_a_body_that_is_not_an_object_is_400(client):
    assert client.post(URL, json=["/mnt/a"]).status_code == 400
    assert client.post(URL, data="{", content_type="application/json").status_code == 400


# --- removing -------------------------------------------------------------------


def test_delete_removes_the_rule_and_answers_it(client):
    rule = add(client, prefix="/mnt/a").get_json()
    answer = client.delete(f"{URL}/{rule['id']}", json={})
    assert answer.status_code == 200 and answer.get_json() == rule
    assert rules(client) == []
    assert client.delete(f"{URL}/{rule['id']}", json={}).status_code == 404


def test_delete_unknown_is_404_and_a_bad_id_400(client):
    assert client.delete(f"{URL}/999", json={}).status_code == 404
    assert client.delete(f"{URL}/abc", json={}).status_code == 400
    assert client.delete(f"{URL}/0", json={}).status_code == 400


def test_a_delete_needs_no_body_but_a_body_that_is_not_json_is_415(client):
    # An HTML form cannot send DELETE, and a DELETE from another site needs a CORS preflight that is never
    # granted: a DELETE without a body is safe, as the *arr APIs take it. A body must still be JSON.
    first, second = add(client, prefix="/mnt/a").get_json(), add(client, prefix="/mnt/c").get_json()
    assert client.delete(f"{URL}/{first['id']}", data="x", content_type="text/plain").status_code == 415
    assert client.post(URL, data="prefix=/mnt/b", content_type="application/x-www-form-urlencoded").status_code == 415
    assert len(rules(client)) == 2
    assert client.delete(f"{URL}/{first['id']}").status_code == 200
    assert client.delete(f"{URL}/{second['id']}", json={}).status_code == 200
    assert rules(client) == []
    cross_site = client.delete(f"{URL}/1", headers={"Sec-Fetch-Site": "cross-site"})
    assert cross_site.status_code == 403


# --- a real scan ----------------------------------------------------------------


def test_a_scan_skips_ignored_links_counts_them_and_they_come_back(client, library, root):
    library.healthy("Movies/Ok/ok.mkv")
    library.broken("Movies/Dune (2021)/dune.mkv")           # ignored as one link
    library.broken("Series/Dark/S01E01.mkv")                # ignored by its folder
    library.broken("Series/Dark/Season 2/S02E01.mkv")       # ignored by its folder, deeper
    library.link("Movies/Gone/gone.mkv", library.source / "debrid" / "gone.mkv")  # ignored by its target
    library.link("Movies/Kept/kept.mkv", library.source / "debrid-old" / "kept.mkv")  # a name prefix only
    library.broken("Series/Darkness/S01E01.mkv")            # a name prefix only

    before = scan(client)
    assert before["statistics"]["ignored"] == 0 and before["statistics"]["phase1_broken"] == 6

    link = add(client, path="Movies/Dune (2021)/dune.mkv").get_json()
    folder = add(client, prefix="Series/Dark").get_json()
    target = add(client, prefix=str(library.source / "debrid")).get_json()
    assert (link["kind"], folder["kind"], target["kind"]) == ("link", "folder", "target")

    during = scan(client)
    stats = during["statistics"]
    assert stats["ignored"] == 4
    assert (stats["phase1_broken"], stats["healthy"], stats["total_analyzed"]) == (2, 1, 3)
    assert finding_paths(client, during["scan_id"]) == {
        f"{root}/Movies/Kept/kept.mkv", f"{root}/Series/Darkness/S01E01.mkv"}

    for rule in (link, folder, target):
        assert client.delete(f"{URL}/{rule['id']}", json={}).status_code == 200
    after = scan(client)
    assert after["statistics"]["ignored"] == 0 and after["statistics"]["phase1_broken"] == 6
    assert f"{root}/Series/Dark/Season 2/S02E01.mkv" in finding_paths(client, after["scan_id"])


def test_the_ignored_count_is_in_the_history_too(client, library):
    library.broken("Movies/A/a.mkv")
    library.broken("Movies/B/b.mkv")
    add(client, prefix="Movies/A")
    scan_id = scan(client)["scan_id"]
    history = client.get("/api/symlink/scans/history").get_json()
    entry = next(s for s in history["scans"] if s["scan_id"] == scan_id)
    assert entry["statistics"]["ignored"] == 1


def test_links_into_an_ignored_hanging_mount_are_never_touched(client, app, library, faulty_mount):
    mount, _links = hanging_links(library, faulty_mount)
    library.healthy("Films/Ok/ok.mkv")
    library.broken("Films/Gone/gone.mkv")
    # Without the rule each of the four would wait the whole link check timeout.
    assert client.post("/api/symlink/config", json={"file_timeout": 30.0}).status_code == 200
    assert add(client, prefix=str(mount), note="the mount that hangs").status_code == 201

    started = time.monotonic()
    status = scan(client)
    assert time.monotonic() - started < 10
    stats = status["statistics"]
    assert stats["ignored"] == 4
    assert stats["phase1_timeout"] == 0 and stats["phase1_broken"] == 1 and stats["healthy"] == 1
    findings = client.get(f"/api/symlink/scan/{status['scan_id']}/findings").get_json()["items"]
    assert [item["category"] for item in findings] == ["broken"]


# --- the count a rule would ignore, before adding it (issue 22) ------------------------------


def preview(client, **query):
    return client.get(f"{URL}/preview", query_string=query)


def test_the_preview_counts_what_the_next_scan_would_ignore(client, library, root):
    mount = library.source / "zurg"
    mount.mkdir()
    for i in range(7):
        library.link(f"TV/Show/Season 01/Show.S01E{i:02}.mkv", mount / f"e{i}.mkv")
    for i in range(3):
        library.broken(f"Movies/Film {i}/film{i}.mkv")
    target = preview(client, prefix=str(mount))
    assert target.status_code == 200, target.get_json()
    assert target.get_json() == {"kind": "target", "value": str(mount), "links": 7, "unread_folders": 0,
                                 "existing": None}
    folder = preview(client, prefix="Movies").get_json()
    assert (folder["kind"], folder["value"], folder["links"]) == ("folder", f"{root}/Movies", 3)
    assert preview(client, path="Movies/Film 0/film0.mkv").get_json()["links"] == 1
    # Nothing was added by asking; the scan after adding ignores exactly as many.
    assert rules(client) == []
    assert add(client, prefix=str(mount)).status_code == 201
    assert scan(client)["statistics"]["ignored"] == 7
    assert preview(client, prefix=str(mount)).get_json()["existing"]["value"] == str(mount)


@pytest.mark.parametrize("query, words", [
    ({}, "give either path"),
    ({"path": "a", "prefix": "b"}, "give either path"),
    ({"prefix": "/"}, "would ignore every link"),
    ({"prefix": "../out"}, "leaves the media root"),
    ({"prefix": "x", "extra": "1"}, "unknown parameter"),
])
def test_a_bad_preview_is_a_400(client, query, words):
    answer = preview(client, **query)
    assert answer.status_code == 400
    assert words in answer.get_json()["message"]
