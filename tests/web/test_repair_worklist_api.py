"""Repair as a worklist through the API: a listing paged by group, the journal by batch, a batch undone at once."""

import json
import os

import pytest

from tests.support.api import run_repair


def group(client, job_id, name, **args):
    answer = client.get(f"/api/symlink/repair/proposals/{job_id}", query_string={"group": name, **args})
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_a_listing_is_paged_by_group_and_repaired_links_leave_it(client, tree):
    listing = run_repair(client, "/api/symlink/repair/proposals", {})["job_id"]
    ready = group(client, listing, "ready", per_page=2)
    assert ready["counts"] == {"ready": 3, "ambiguous": 1, "no_candidate": 1}
    assert ready["total"] == 3 and ready["pages"] == 2 and len(ready["items"]) == 2
    second = group(client, listing, "ready", per_page=2, page=2)
    assert {i["path"] for i in ready["items"] + second["items"]} == {tree.e02, tree.e21, tree.dune}
    assert all(i["verdict"] == "repair" and i["candidates"] for i in ready["items"] + second["items"])
    (ambiguous,) = group(client, listing, "ambiguous")["items"]
    assert ambiguous["path"] == tree.intouchables and len(ambiguous["candidates"]) == 2
    (nothing,) = group(client, listing, "no_candidate")["items"]
    assert nothing["path"] == tree.nothing and nothing["candidates"] == []
    assert ready["media_root"] and ready["kind"] == "broken" and ready["listed_at"]

    # Accepting from the page: the repaired link leaves the worklist, the counts follow.
    run_repair(client, "/api/symlink/repair/apply", {"items": [{"path": tree.e02, "target": tree.file["The.Office.S04E02"]}]})
    after = group(client, listing, "ready")
    assert after["counts"]["ready"] == 2 and tree.e02 not in {i["path"] for i in after["items"]}


def test_a_listing_refuses_bad_groups_and_jobs_in_the_one_error_shape(client, tree):
    listing = run_repair(client, "/api/symlink/repair/proposals", {})["job_id"]
    apply_job = run_repair(client, "/api/symlink/repair/apply", {"unambiguous": True})["job_id"]
    for url, status in ((f"/api/symlink/repair/proposals/{listing}?group=all", 400),
                        (f"/api/symlink/repair/proposals/{listing}?page=0", 400),
                        ("/api/symlink/repair/proposals/x", 400),
                        ("/api/symlink/repair/proposals/0", 400),
                        ("/api/symlink/repair/proposals/99999", 404),
                        (f"/api/symlink/repair/proposals/{apply_job}", 404)):  # an apply job lists nothing
        answer = client.get(url)
        assert answer.status_code == status, url
        assert set(answer.get_json()) >= {"error", "message"}, url


def test_the_journal_groups_a_batch_and_undo_this_batch_puts_back_every_link_of_it(client, tree):
    chosen = tree.file["The.Intouchables.2011"]
    single = run_repair(client, "/api/symlink/repair/apply", {"items": [{"path": tree.intouchables, "target": chosen}]})
    batch = run_repair(client, "/api/symlink/repair/apply", {"unambiguous": True})
    repaired = {r["path"]: r for r in batch["result"]["repaired"]}
    assert set(repaired) == {tree.e02, tree.e21, tree.dune}

    journal = client.get("/api/symlink/repairs").get_json()
    assert {item["path"]: item["job_id"] for item in journal["items"]} == {
        tree.intouchables: single["job_id"], **{path: batch["job_id"] for path in repaired}}
    assert journal["batches"][str(batch["job_id"])]["total"] == 3
    assert journal["batches"][str(batch["job_id"])]["standing"] == 3
    one = client.get(f"/api/symlink/repairs?job_id={batch['job_id']}").get_json()
    assert one["total"] == 3 and {item["path"] for item in one["items"]} == set(repaired)

    answer = client.post("/api/symlink/repairs/undo", json={"job_id": batch["job_id"]})
    assert answer.status_code == 200, answer.get_json()
    undone = answer.get_json()
    assert {item["path"] for item in undone["undone"]} == set(repaired) and undone["skipped"] == []
    for path, repair in repaired.items():
        assert os.readlink(path) == repair["old_target"]  # pointing at the missing file again, as before
    assert os.path.realpath(tree.intouchables) == chosen  # the other batch is left as it is
    summary = client.get("/api/symlink/repairs").get_json()["batches"][str(batch["job_id"])]
    assert summary == {**summary, "total": 3, "standing": 0}

    again = client.post("/api/symlink/repairs/undo", json={"job_id": batch["job_id"]}).get_json()
    assert again["undone"] == [] and again["already_undone"] == 3


def test_undo_this_batch_leaves_a_changed_link_and_never_a_path_outside_the_media_root(app, client, tree, tmp_path):
    from linkdoctor.models import RepairEntry, db

    batch = run_repair(client, "/api/symlink/repair/apply", {"unambiguous": True})
    repaired = {r["path"]: r for r in batch["result"]["repaired"]}
    # Someone re-pointed one link since: it is left, and said so.
    os.unlink(tree.e21)
    os.symlink(tree.file["The.Office.S04E21"] + ".other", tree.e21)
    # A journal row that names a link outside the media root (a tampered or restored database): never touched.
    outside = tmp_path / "outside.mkv"
    os.symlink(repaired[tree.dune]["new_target"], outside)
    with app.app_context():
        entry = db.session.get(RepairEntry, repaired[tree.dune]["id"])
        entry.path = str(outside)
        db.session.commit()

    answer = client.post("/api/symlink/repairs/undo", json={"job_id": batch["job_id"]})
    assert answer.status_code == 200, answer.get_json()
    result = answer.get_json()
    assert [item["path"] for item in result["undone"]] == [tree.e02]
    skipped = {item["path"]: item["reason"] for item in result["skipped"]}
    assert set(skipped) == {tree.e21, str(outside)}
    assert "changed since" in skipped[tree.e21] and "outside the media root" in skipped[str(outside)]
    assert os.readlink(tree.e21) == tree.file["The.Office.S04E21"] + ".other"
    assert os.readlink(outside) == repaired[tree.dune]["new_target"]


@pytest.mark.parametrize("body", [{}, {"job_id": None}, {"job_id": "3"}, {"job_id": 0}, {"job_id": -1}, {"job_id": True},
                                  {"job_id": 1.5}, {"job_id": 2**63}, {"job_id": [3]}, {"job_id": 3, "id": 4}])
def test_undo_this_batch_refuses_a_missing_or_invalid_job_id_with_400(client, body):
    answer = client.post("/api/symlink/repairs/undo", json=body)
    assert answer.status_code == 400
    assert set(answer.get_json()) >= {"error", "message"}


def test_undo_this_batch_of_an_unknown_job_is_404(client, tree):
    for body in ({"job_id": 424242}, {"job_id": run_repair(client, "/api/symlink/repair/proposals", {})["job_id"]}):
        answer = client.post("/api/symlink/repairs/undo", json=body)
        assert answer.status_code == 404 and answer.get_json()["error"] == "not_found", answer.get_json()
    assert client.post("/api/symlink/repairs/undo", data="[1]", content_type="application/json").status_code == 400
    assert client.get("/api/symlink/repairs?job_id=x").status_code == 400


def test_the_cli_undoes_a_batch_like_the_page(client, cli, tree):
    batch = run_repair(client, "/api/symlink/repair/apply", {"unambiguous": True})
    repaired = {r["path"]: r for r in batch["result"]["repaired"]}
    done = cli("repair-links", "--undo-job", str(batch["job_id"]), "--json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert {item["path"] for item in document["undone"]} == set(repaired) and document["skipped"] == []
    assert all(os.readlink(path) == repair["old_target"] for path, repair in repaired.items())
    missing = cli("repair-links", "--undo-job", "424242")
    assert missing.returncode == 2 and "no repair" in missing.stderr
