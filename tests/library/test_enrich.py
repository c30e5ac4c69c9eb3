"""enrich as a user runs it, against a fake TMDB; then repair-links matches through TMDB's titles."""

import json
import os
import signal
import subprocess
import sys

import pytest

from tests.fakes.tmdb import AMELIE, API_KEY, DIX, FakeTmdb
from tests.support.waiting import wait_until

@pytest.fixture
def tmdb(cli):
    fake = FakeTmdb(retry_after=0.1).start()
    fake.movies.append(AMELIE)
    fake.shows.append(DIX)
    assert cli("config", "set", "tmdb_base_url", fake.url).returncode == 0
    assert cli("config", "set", "tmdb_api_key", API_KEY).returncode == 0
    yield fake
    fake.stop()


def test_enrich_then_a_french_link_name_matches_an_english_release(cli, tmdb, library, source_dir):
    assert cli("config", "set", "source_roots", str(source_dir)).returncode == 0
    amelie = library.link("Films/Le Fabuleux Destin d'Amélie Poulain (2001)/"
                          "Le Fabuleux Destin d'Amélie Poulain (2001).mkv", library.target("Amelie.old.mkv"))
    season = "Séries/Dix pour cent/Saison 01"
    for number in (1, 2):
        library.link(f"{season}/Dix pour cent - S01E0{number}.mkv", library.target(f"dix.s01e0{number}.mkv"))
    library.link("Films/Inconnu (1999)/Inconnu (1999).mkv", library.target("inconnu.mkv"))
    assert cli("import").returncode == 0
    tmdb.throttle_next = 1  # the first answer is a 429 with Retry-After: waited for, then retried

    result = cli("enrich", "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["enriched"], summary["not_found"], summary["failed"]) == (3, 1, 0)
    # One search for the series, not one per episode (the 429 may fall on it: its retry asks the same).
    assert {r[2]["query"] for r in tmdb.requests if r[1] == "/3/search/tv"} == {"Dix pour cent"}
    assert len([r for r in tmdb.requests if r[1] == "/3/search/tv"]) <= 2
    asked = len(tmdb.requests)
    again = json.loads(cli("enrich", "--json").stdout)
    assert (again["enriched"], again["already"]) == (0, 4) and len(tmdb.requests) == asked

    # The release under its English name; the old target gone.
    os.unlink(library.source / "Amelie.old.mkv")
    english = source_dir / "Amelie.2001.1080p.BluRay.x264.mkv"
    english.write_bytes(b"\0" * 4096)
    document = json.loads(cli("repair-links", "--auto", "--json").stdout)
    assert [r["path"] for r in document["repaired"]] == [str(amelie)]
    assert os.path.realpath(amelie) == str(english)


def test_failures_are_logged_counted_and_retried_next_run(cli, tmdb, library):
    library.link("Films/Amélie (2001)/Amélie (2001).mkv", library.target("a.mkv"))
    assert cli("import").returncode == 0
    tmdb.fail_query = "Amélie"
    result = cli("enrich")
    assert result.returncode == 1 and "0 enriched, 0 not found, 1 failed" in result.stdout
    assert "500" in result.stdout
    tmdb.fail_query = ""
    assert json.loads(cli("enrich", "--json").stdout)["enriched"] == 1


def test_without_a_key_it_says_so(cli, env):
    result = cli("enrich")
    assert result.returncode == 2 and "tmdb_api_key" in result.stderr and "Traceback" not in result.stderr


def test_ctrl_c_cancels_with_130_and_keeps_what_was_found(cli, tmdb, library):
    for year in range(2000, 2020):
        tmdb.movies.append({"id": year, "title": f"Film {year}", "original_title": f"Film {year}",
                            "release_date": f"{year}-01-01"})
        library.link(f"Films/Film {year} ({year})/Film {year} ({year}).mkv", library.target(f"film{year}.mkv"))
    assert cli("import").returncode == 0
    tmdb.delay = 0.2
    # As from a terminal: SIGINT at its default even if this test run was started with it ignored.
    proc = subprocess.Popen([sys.executable, "-m", "linkdoctor", "enrich"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    def asked_twice():  # the first item is recorded
        assert proc.poll() is None, "enrich exited before asking TMDB"
        return len(tmdb.requests) >= 2

    wait_until(asked_twice, 30, message="enrich never asked TMDB")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 130 and "linkdoctor: cancelled" in err and "Traceback" not in err, (out, err)
    tmdb.delay = 0.0
    rest = json.loads(cli("enrich", "--json").stdout)
    assert 0 < rest["already"] < 20 and rest["enriched"] == 20 - rest["already"]
