"""The CLI as a user runs it: a real process, real exit codes, JSON output."""

import json
import re
import os
import signal
import subprocess
import sys
import time

import sqlite3

import pytest

from tests.support.terminal import on_terminal
from tests.support.waiting import wait_until


def wait_until_scanning(data_dir, timeout=60.0):
    """Poll the real database until the CLI's scan is running (start-up can be slow under load)."""
    def running():
        try:
            with sqlite3.connect(data_dir / "linkdoctor.db") as db:
                return db.execute("select 1 from symlink_scan where status = 'running'").fetchone()
        except sqlite3.OperationalError:
            return None  # the database or its tables do not exist yet

    wait_until(running, timeout, interval=0.1, message="the CLI scan never started")


def test_help_lists_the_commands(cli):
    result = cli("--help")
    assert result.returncode == 0
    for command in ("serve", "demo", "history", "config", "scan"):
        assert command in result.stdout


def test_scan_json_clean_library_exits_0(cli, library):
    library.healthy("Films/A/a.mkv")
    result = cli("scan", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["status"] == "completed"
    assert document["statistics"]["total_analyzed"] == 1
    assert document["findings"] == []
    assert set(document) >= {"scan_id", "status", "mode", "verification_depth", "duration", "statistics", "findings"}


def test_scan_json_with_problems_exits_1_and_lists_findings(cli, library):
    library.healthy("Films/A/a.mkv")
    link = library.broken("Films/B/b.mkv")
    result = cli("scan", "--json", "--depth", "basic")
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert findings == [{"path": str(link), "target": str(library.source / "missing-Films__B__b.mkv"),
                         "category": "broken", "detail": findings[0]["detail"]}]
    assert os.path.isabs(findings[0]["path"])


def test_scan_of_selected_path_relative_to_the_media_root(cli, library):
    library.broken("Films/B/b.mkv")
    library.broken("Séries/S/s.mkv")
    result = cli("scan", "Films", "--json")
    assert [f["category"] for f in json.loads(result.stdout)["findings"]] == ["broken"]


@pytest.mark.parametrize("args, words", [
    (["scan", "/etc"], "outside"),
    (["scan", "Films/nope"], "does not exist"),
    (["scan", "--depth", "deep"], "deep"),
    (["scan", "--workers", "0"], "0"),
    (["config", "set", "max_workers", "many"], "max_workers"),
    (["config", "set", "no_such_key", "1"], "unknown setting"),
])
def test_bad_arguments_exit_2_with_a_plain_message(cli, library, args, words):
    library.healthy("Films/A/a.mkv")
    result = cli(*args)
    assert result.returncode == 2
    assert words in result.stderr
    assert "Traceback" not in result.stderr


def test_config_set_then_show(cli):
    assert cli("config", "set", "max_workers", "3").returncode == 0
    assert cli("config", "set", "include_regular_files", "yes").returncode == 0
    shown = json.loads(cli("config", "show", "--json").stdout)
    assert shown["max_workers"] == 3 and shown["include_regular_files"] is True


def test_cli_scans_are_in_the_history(cli, library):
    library.broken("b.mkv")
    cli("scan")
    cli("scan")
    scans = json.loads(cli("history", "--json").stdout)["scans"]
    assert [s["origin"] for s in scans] == ["cli", "cli"]
    assert "broken" not in cli("history").stderr


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_signal_cancels_cleanly_with_130(env, library, faulty_mount, sig):
    backing = library.source / "backing"
    (backing / "dead").mkdir(parents=True)
    (backing / "dead" / "f.mkv").write_bytes(b"x" * 4096)
    mount = faulty_mount(backing, rules=[{"glob": "dead/*", "op": "getattr", "action": "hang"}])
    library.link("Films/F/f.mkv", mount / "dead" / "f.mkv")
    subprocess.run([sys.executable, "-m", "linkdoctor", "config", "set", "file_timeout", "60"], check=True,
                   capture_output=True)
    # As from a terminal: SIGINT at its default even if this test run was started with it ignored.
    proc = subprocess.Popen([sys.executable, "-m", "linkdoctor", "scan", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    wait_until_scanning(env)
    wait_until(faulty_mount.held, message="no worker blocked on the dead mount")
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 130, (out, err)
    assert json.loads(out)["status"] == "cancelled"


def test_scan_into_a_hanging_mount_exits_soon_after_the_timeout(env, library, faulty_mount):
    # Separate folders: on a real FUSE mount a hung lookup also blocks every other lookup
    # in the same folder, which would make the healthy file time out too.
    backing = library.source / "backing"
    for folder in ("dead", "slow", "alive"):
        (backing / folder).mkdir(parents=True)
        (backing / folder / "f.mkv").write_bytes(b"x" * 4096)
    mount = faulty_mount(backing, rules=[{"glob": "dead/f.mkv", "op": "getattr", "action": "hang"},
                                         {"glob": "slow/f.mkv", "op": "read", "action": "hang"}])
    for folder in ("dead", "slow", "alive"):
        library.link(f"Films/{folder}/{folder}.mkv", mount / folder / "f.mkv")
    subprocess.run([sys.executable, "-m", "linkdoctor", "config", "set", "file_timeout", "2"], check=True,
                   capture_output=True)
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "linkdoctor", "scan", "--json"], capture_output=True,
                            text=True, timeout=60)
    elapsed = time.monotonic() - started
    document = json.loads(result.stdout)
    assert result.returncode == 1
    assert {f["path"].rsplit("/", 1)[1]: f["category"] for f in document["findings"]} == {
        "dead.mkv": "timeout", "slow.mkv": "timeout"}
    assert document["statistics"]["phase1_ok"] == 1
    # A few timeouts (a batch, then item by item) plus start-up; generous for a loaded
    # machine, while a hang would never end.
    assert elapsed < 3 * 2 + 20


def test_real_mode_without_a_terminal_removes_nothing_unless_yes(cli, library, env):
    broken = library.broken("Films/B/b.mkv")
    for i in range(3):
        library.healthy(f"Films/ok{i}/ok.mkv")
    result = cli("scan", "--mode", "real", "--json")
    assert result.returncode == 1
    assert "Not confirmed: nothing removed" in result.stderr
    assert json.loads(result.stdout)["removal"] is None
    assert os.path.islink(broken)
    result = cli("scan", "--mode", "real", "--yes", "--json")
    document = json.loads(result.stdout)
    assert document["removal"]["removed"] == 1 and document["status"] == "completed"
    assert not os.path.lexists(broken)
    assert os.path.islink(env / "trash" / "orphans" / "Films/B/b.mkv")
    restored = cli("restore", str(document["scan_id"]))
    assert restored.returncode == 0 and "restored 1" in restored.stdout
    assert os.path.islink(broken)


def test_real_mode_guard_warns_in_json_and_force_overrides(cli, library):
    broken = [library.broken(f"Films/B{i}/b.mkv") for i in range(3)]
    library.healthy("Films/ok/ok.mkv")
    cli("config", "set", "source_roots", str(library.source))
    document = json.loads(cli("scan", "--mode", "real", "--yes", "--json").stdout)
    assert any("3 of 4 links" in warning for warning in document["warnings"])
    assert document["removal"]["removed"] == 0
    assert all(os.path.islink(link) for link in broken)
    document = json.loads(cli("scan", "--mode", "real", "--yes", "--force", "--json").stdout)
    assert document["removal"]["removed"] == 3 and document["removal"]["forced"] is True


def test_real_mode_asks_on_a_terminal(env, library, tmp_path):
    broken = library.broken("Films/B/b.mkv")
    library.healthy("Films/ok/ok.mkv")
    library.healthy("Films/ok2/ok.mkv")
    # A real pseudo-terminal, so the CLI sees a user who can answer.
    code, output = on_terminal(["scan", "--mode", "real"], [b"y"], prompt=b"[y/N]")
    assert code == 1
    assert "Moved 1 link(s) into the quarantine" in output
    assert not os.path.lexists(broken)


def test_restore_of_a_scan_without_quarantine_exits_2(cli):
    result = cli("restore", "7")
    assert result.returncode == 2 and "no links in the quarantine" in result.stderr


def test_quarantine_purge_and_list(cli, library):
    library.broken("Films/B/b.mkv")
    library.healthy("Films/ok/ok.mkv")
    library.healthy("Films/ok2/ok.mkv")
    scan_id = json.loads(cli("scan", "--mode", "real", "--yes", "--json").stdout)["scan_id"]
    listed = cli("quarantine", "list", str(scan_id))
    assert "quarantined" in listed.stdout and "b.mkv" in listed.stdout
    assert "purged 0" in cli("quarantine", "purge").stdout
    assert "purged 1" in cli("quarantine", "purge", "--older-than", "0").stdout


def test_restore_of_one_chosen_link(cli, library):
    first, second = library.broken("Films/A/a.mkv"), library.broken("Films/B/b.mkv")
    for i in range(3):
        library.healthy(f"Films/ok{i}/ok.mkv")
    scan_id = json.loads(cli("scan", "--mode", "real", "--yes", "--json").stdout)["scan_id"]
    result = cli("restore", str(scan_id), str(second))
    assert result.returncode == 0 and "restored 1" in result.stdout
    assert os.path.islink(second) and not os.path.lexists(first)
    wrong = cli("restore", str(scan_id), str(library.root / "Films/ok0/ok.mkv"))
    assert wrong.returncode == 2 and "not in this scan's quarantine" in wrong.stderr


def test_ignore_add_list_remove_and_the_next_scan(cli, library, media_root):
    library.broken("Movies/Gone/gone.mkv")
    library.broken("Movies/Other/other.mkv")
    added = cli("ignore", "add", "--prefix", "Movies/Gone", "--note", "known bad")
    assert added.returncode == 0, added.stderr
    assert "is ignored from the next scan on" in added.stdout
    rules = json.loads(cli("ignore", "list", "--json").stdout)["ignores"]
    assert [(r["kind"], r["value"], r["note"]) for r in rules] == [
        ("folder", str(media_root.resolve() / "Movies/Gone"), "known bad")]
    scan = json.loads(cli("scan", "--json").stdout)
    assert scan["statistics"]["ignored"] == 1 and [f["path"] for f in scan["findings"]] == [
        str(library.root / "Movies/Other/other.mkv")]
    assert "ignored 1" in cli("scan").stdout
    # Twice the same rule, a prefix of everything, an unknown rule: plain messages, exit 2.
    for args, words in ((("add", "--prefix", "Movies/Gone"), "already ignored"),
                        (("add", "--prefix", "/"), "would ignore every link"),
                        (("add",), "give either path"),
                        (("remove", "999"), "not found")):
        refused = cli("ignore", *args)
        assert refused.returncode == 2 and words in refused.stderr and "Traceback" not in refused.stderr, refused
    assert cli("ignore", "remove", str(rules[0]["id"])).returncode == 0
    assert cli("ignore", "list").stdout.strip() == "nothing is ignored"
    assert json.loads(cli("scan", "--json").stdout)["statistics"]["ignored"] == 0


@pytest.mark.parametrize("key, make", [
    ("source_roots", lambda tmp: [str(tmp / "a"), str(tmp / "b c")]),
    ("allowed_hosts", lambda tmp: ["media.example.org", "nas.local"]),
    ("movie_folders", lambda tmp: ["Films", "Movies, old"]),
    ("series_folders", lambda tmp: ["Séries", "TV"]),
])
def test_config_set_takes_a_json_list_for_every_list_setting(cli, tmp_path, key, make):
    wanted = make(tmp_path)
    result = cli("config", "set", key, json.dumps(wanted))
    assert result.returncode == 0, result.stderr
    shown = json.loads(cli("config", "show", "--json").stdout)[key]
    assert sorted(shown) == sorted(wanted)  # a comma inside a JSON item stays in it
    assert f"{key} = {json.dumps(shown)}" in result.stdout


def test_config_set_still_takes_comma_text(cli, tmp_path):
    result = cli("config", "set", "source_roots", f"{tmp_path / 'a'}, {tmp_path / 'b'}")
    assert result.returncode == 0, result.stderr
    assert json.loads(cli("config", "show", "--json").stdout)["source_roots"] == [str(tmp_path / "a"), str(tmp_path / "b")]


@pytest.mark.parametrize("value, words", [
    ('["/a", ', "not a JSON list"),
    ('["/a", 3]', "must be a list of absolute paths"),
    ('["relative/path"]', "must be absolute paths"),
])
def test_config_set_refuses_a_bad_list_plainly(cli, value, words):
    before = json.loads(cli("config", "show", "--json").stdout)["source_roots"]
    result = cli("config", "set", "source_roots", value)
    assert result.returncode == 2
    assert words in result.stderr and "Traceback" not in result.stderr
    assert json.loads(cli("config", "show", "--json").stdout)["source_roots"] == before


def test_scan_progress_on_a_terminal_shows_the_rate_and_eta(env, library):
    for i in range(12):
        library.healthy(f"Series/S/Season 01/e{i:02}.mkv")
    library.broken("Series/S/Season 01/gone.mkv")
    code, output = on_terminal(["scan"])
    assert code == 1
    # The last redraw of the progress line (stderr, a terminal): every link counted, a rate, an ETA.
    lines = re.findall(r"phase 1: checked [^\r\n]*?(?= {2}|\r|\n|$)", output)
    assert lines and re.fullmatch(r"phase 1: checked 13/13 links, [\d,]+ links/s, ETA 0s", lines[-1]), output


def test_scan_json_keeps_stdout_to_the_document_and_prints_no_progress_into_a_pipe(cli, library):
    library.healthy("Films/A/a.mkv")
    result = cli("scan", "--json")
    assert json.loads(result.stdout)["statistics"]["total_analyzed"] == 1
    assert "phase 1" not in result.stderr
