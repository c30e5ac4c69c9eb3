"""`import`, `pending` and `check` as a user runs them: a real process, exit codes, JSON documents."""

import json
import os

import pytest

from tests.support.media import Media
from tests.support.terminal import on_terminal


@pytest.fixture
def cli_media(cli, library, source_dir):
    assert cli("config", "set", "source_roots", str(source_dir)).returncode == 0
    return Media(library)


def test_import_json_prints_the_five_counts_and_twice_changes_nothing(cli, cli_media):
    first = cli("import", "--json")
    assert first.returncode == 0, first.stderr
    document = json.loads(first.stdout)
    assert list(document) == ["imported", "updated", "skipped", "pending", "errors"]
    assert document == {"imported": Media.MEDIA_ITEMS, "updated": 0, "skipped": 0, "pending": 1, "errors": 0}
    second = json.loads(cli("import", "--json").stdout)
    assert second == {"imported": 0, "updated": 0, "skipped": Media.MEDIA_ITEMS, "pending": 1, "errors": 0}


def test_import_dry_run_and_a_folder_argument(cli, cli_media, media_root):
    dry = cli("import", "--dry-run")
    assert dry.returncode == 0 and "dry run" in dry.stdout and f"{Media.MEDIA_ITEMS} imported" in dry.stdout
    series = json.loads(cli("import", str(media_root / "Séries"), "--json").stdout)
    assert series["imported"] == 3


def test_import_exits_1_when_a_file_failed_and_says_which(cli, cli_media):
    os.unlink(cli_media.dune_target)
    result = cli("import")
    assert result.returncode == 1
    assert f"error: {cli_media.dune}: target missing" in result.stdout
    assert "Traceback" not in result.stderr


def test_import_of_a_path_outside_the_root_is_refused_plainly(cli, cli_media, tmp_path):
    result = cli("import", str(tmp_path))
    assert result.returncode == 2 and "outside the media root" in result.stderr and "Traceback" not in result.stderr


def test_pending_lists_what_to_identify_by_hand(cli, cli_media):
    assert json.loads(cli("pending", "--json").stdout) == {"total": 0, "items": []}
    cli("import")
    document = json.loads(cli("pending", "--json").stdout)
    assert document["total"] == 1 and document["items"][0]["path"] == str(cli_media.unknown)
    text = cli("pending")
    assert str(cli_media.unknown) in text.stdout and "linkdoctor import" in text.stdout


def test_check_json_exit_1_with_every_category(cli, cli_media):
    cli("import")
    os.unlink(cli_media.e04)
    result = cli("check", "--json")
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    for category in ("ghost_entries", "broken_symlinks", "orphan_files", "duplicate_targets", "unidentified",
                     "hash_mismatches"):
        assert category in document and document["counts"][category] == len(document[category])
    assert document["ghost_entries"][0]["path"] == str(cli_media.e04)
    text = cli("check")
    assert text.returncode == 1
    assert "ghost_entries (1):" in text.stdout and "fix: linkdoctor import" in text.stdout
    assert "[legitimate]" in text.stdout and "fix: nothing to do" in text.stdout


def test_check_exits_0_on_a_consistent_library(cli, library, source_dir):
    library.link("Films/Dune (2021)/Dune (2021).mkv", library.target("dune.mkv", content=os.urandom(4096)))
    cli("config", "set", "source_roots", str(source_dir))
    cli("import")
    result = cli("check", "--verify-hash")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "consistent" in result.stdout and "hashes verified" in result.stdout


def test_check_exits_2_when_it_cannot_run(cli, env, media_root, monkeypatch):
    cli("config", "show")  # the database exists, with this media root
    media_root.rmdir()
    result = cli("check", "--json")
    assert result.returncode == 2 and "is not a folder" in result.stderr and result.stdout == ""


def test_a_terminal_sees_a_progress_bar_then_the_summary(cli, cli_media):
    code, text = on_terminal(["import"])
    assert code == 0
    assert "\r[" in text and "%" in text  # the bar, redrawn in place
    assert text.rindex("%") < text.index(f"{Media.MEDIA_ITEMS} imported")  # then the summary
