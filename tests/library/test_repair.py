"""repair-links and fix-bad-links as a user runs them: a real process, a real terminal, real links."""

import json
import os

import pytest

from tests.support.terminal import on_terminal
from tests.support.trees import SharedTree, Tree

@pytest.fixture
def tree(cli, library, source_dir):
    assert cli("config", "set", "source_roots", str(source_dir)).returncode == 0
    return Tree(library, source_dir)


def target_of(link):
    return os.path.realpath(link)


def test_json_lists_and_changes_nothing_without_a_terminal(cli, tree):
    before = {p: os.readlink(p) for p in (tree.e02, tree.e21, tree.dune, tree.intouchables, tree.nothing)}
    result = cli("repair-links", "--json")
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    assert {"repaired", "ambiguous", "no_candidate", "skipped"} <= set(document)
    assert document["repaired"] == []
    assert [a["path"] for a in document["ambiguous"]] == [tree.intouchables]
    assert {c["path"] for c in document["ambiguous"][0]["candidates"]} == {
        tree.file["Intouchables.2011.FRENCH"], tree.file["The.Intouchables.2011"]}
    assert [n["path"] for n in document["no_candidate"]] == [tree.nothing]
    listed = {s["path"]: s for s in document["skipped"]}
    assert set(listed) == {tree.e02, tree.e21, tree.dune}
    assert listed[tree.e02]["candidates"][0]["path"] == tree.file["The.Office.S04E02"]
    assert len(listed[tree.e02]["candidates"]) == 1  # S04E020 and S04E21 are not candidates for S04E02
    assert {p: os.readlink(p) for p in before} == before


def test_auto_repairs_the_unambiguous_never_the_ambiguous_and_undo_puts_back(cli, tree, env):
    dry = json.loads(cli("repair-links", "--auto", "--dry-run", "--json").stdout)
    assert {r["path"] for r in dry["repaired"]} == {tree.e02, tree.e21, tree.dune}
    assert not os.path.exists(tree.e02)  # still broken: a dry run changes nothing

    old_dune = os.readlink(tree.dune)
    result = cli("repair-links", "--auto", "--json")
    assert result.returncode == 1, result.stderr  # the ambiguous and the candidate-less links are left
    document = json.loads(result.stdout)
    repaired = {r["path"]: r for r in document["repaired"]}
    assert set(repaired) == {tree.e02, tree.e21, tree.dune}
    assert target_of(tree.e02) == tree.file["The.Office.S04E02"]
    assert target_of(tree.e21) == tree.file["The.Office.S04E21"]
    assert target_of(tree.dune) == tree.file["Dune.2021"]  # not the 1984 film
    assert not os.path.isabs(os.readlink(tree.dune))  # relative stays relative
    assert os.path.isabs(os.readlink(tree.e02))  # absolute stays absolute
    assert repaired[tree.dune]["old_target"] == old_dune and repaired[tree.dune]["score"] >= 90
    assert [a["path"] for a in document["ambiguous"]] == [tree.intouchables]
    assert not os.path.exists(tree.intouchables)
    log = "".join(p.read_text() for p in env.glob("repair-*.log"))
    assert "REPAIR" in log and tree.dune in log

    undo = cli("repair-links", "--undo", str(repaired[tree.dune]["id"]))
    assert undo.returncode == 0, undo.stderr
    assert os.readlink(tree.dune) == old_dune
    again = cli("repair-links", "--undo", str(repaired[tree.dune]["id"]))
    assert again.returncode == 2 and "already undone" in again.stderr and "Traceback" not in again.stderr
    missing = cli("repair-links", "--undo", "999")
    assert missing.returncode == 2 and "no repair #999" in missing.stderr


def test_min_score_and_a_path_argument(cli, tree, media_root):
    document = json.loads(cli("repair-links", str(media_root / "Films"), "--auto", "--min-score", "100",
                              "--json").stdout)
    assert [r["path"] for r in document["repaired"]] == [tree.dune]  # only Films, and only perfect scores
    assert not os.path.exists(tree.e02)
    outside = cli("repair-links", "/tmp")
    assert outside.returncode == 2 and "outside the media root" in outside.stderr


def test_ignored_links_are_left_out_and_counted(cli, tree):
    assert cli("ignore", "add", "--path", tree.e02).returncode == 0
    result = cli("repair-links", "--auto")
    assert "1 ignored (left out)" in result.stdout and tree.e02 not in result.stdout
    assert not os.path.exists(tree.e02) and os.path.exists(tree.e21)


def test_without_source_roots_it_says_so(cli, library):
    library.broken("Films/B/b.mkv")
    result = cli("repair-links")
    assert result.returncode == 2 and "source_roots" in result.stderr and "Traceback" not in result.stderr


def drive(args, answers):
    """Run linkdoctor on a real pseudo-terminal, answering each prompt in turn; (exit code, output)."""
    return on_terminal(args, answers, prompt=b"quit:")


def test_interactive_pick_skip_quarantine_and_quit(tree, env):
    # Links in path order: Amélie (no candidate), Dune, Intouchables, then the two episodes.
    code, output = drive(["repair-links"], [b"q", b"1", b"2", b"s", b"x"])
    assert "missing target" in output and "1)" in output, output
    assert "moved to the quarantine" in output
    assert not os.path.lexists(tree.nothing)
    assert target_of(tree.dune) == tree.file["Dune.2021"]
    assert os.path.realpath(tree.intouchables) in {tree.file["Intouchables.2011.FRENCH"],
                                                   tree.file["The.Intouchables.2011"]}
    assert not os.path.exists(tree.e02)  # skipped
    assert not os.path.exists(tree.e21)  # never asked: the user quit
    assert "stopped" in output and code == 1

    # The quarantined link comes back like any quarantined link (the Quarantine tab's restore).
    from linkdoctor import create_app
    from linkdoctor.models import QuarantineEntry, db
    from linkdoctor.quarantine.restore import restore_entries

    app = create_app({"TESTING": True})
    with app.app_context():
        entry = db.session.execute(db.select(QuarantineEntry)).scalars().one()
        assert entry.original_path == tree.nothing
        assert restore_entries([entry.id], env)["restored"] == 1
    assert os.path.islink(tree.nothing)


def test_fix_bad_links_repoints_suspicious_and_leaves_legitimate(cli, library, source_dir):
    assert cli("config", "set", "source_roots", str(source_dir)).returncode == 0
    tree = SharedTree(library, source_dir)

    listed = json.loads(cli("fix-bad-links", "--json").stdout)
    assert [s["path"] for s in listed["skipped"]] == [tree.bad]
    assert [g["target"] for g in listed["legitimate"]] == [tree.film]
    assert os.path.realpath(tree.bad) == tree.e03

    result = cli("fix-bad-links", "--auto", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert [r["path"] for r in document["repaired"]] == [tree.bad]
    assert os.path.realpath(tree.bad) == tree.e04
    assert os.path.realpath(tree.good) == tree.e03
    assert all(os.path.realpath(link) == tree.film for link in tree.films)
