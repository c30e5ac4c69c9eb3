"""Identity from names: folder conventions for the kind, the link's name first, then the target's."""

import pytest

from linkdoctor.library.identify import Identity, guess_name, identify, kind_from_folders, parse_standard_name

MOVIES = ["Films", "Movies"]
SERIES = ["Séries", "Series", "TV", "Shows"]


@pytest.mark.parametrize("path, target, expected", [
    ("Films/Le Fabuleux Destin d'Amélie Poulain (2001)/Le Fabuleux Destin d'Amélie Poulain (2001).mkv", "",
     Identity("movie", "Le Fabuleux Destin d'Amélie Poulain", 2001)),
    ("Movies/Action/Dune (2021)/Dune (2021) Bluray-1080p.mkv", "", Identity("movie", "Dune", 2021)),
    ("Séries/Dix pour cent/Saison 01/Dix pour cent - S01E03 - Hervé.mkv", "",
     Identity("episode", "Dix pour cent", None, 1, (3,))),
    ("Séries/Dix pour cent/Saison 01/Dix pour cent S01E01E02.mkv", "",
     Identity("episode", "Dix pour cent", None, 1, (1, 2))),
    ("Shows/The Office (2005)/Season 2/The.Office.US.S02E05.720p.WEB.mkv", "",
     Identity("episode", "The Office", None, 2, (5,))),
    # The link's name lacks the year: the target's name gives it.
    ("Films/Amélie/Amélie.mkv", "/mnt/debrid/Amelie.2001.1080p.BluRay.x264.mkv", Identity("movie", "Amélie", 2001)),
    # Outside the configured folders guessit decides the kind.
    ("Divers/Inception.2010.1080p.mkv", "", Identity("movie", "Inception", 2010)),
])
def test_identity_of_french_and_english_names(path, target, expected):
    assert identify(path, target, MOVIES, SERIES) == expected
    assert expected.complete


def test_an_unidentifiable_name_is_not_complete():
    identity = identify("Films/sans titre/video.mkv", "/mnt/debrid/abc123.mkv", MOVIES, SERIES)
    assert not identity.complete


def test_the_kind_follows_the_configured_folders_whatever_the_case_or_accents():
    assert kind_from_folders(["séries", "X"], MOVIES, SERIES) == "episode"
    assert kind_from_folders(["FILMS"], MOVIES, SERIES) == "movie"
    assert kind_from_folders(["Documentaires"], MOVIES, SERIES) == ""
    assert kind_from_folders(["Documentaires"], ["Documentaires"], SERIES) == "movie"
    # A name guessit would call a movie is an episode under a series folder.
    assert identify("Séries/Kaamelott/Kaamelott (2005) - S02E01.mkv", "", MOVIES, SERIES).kind == "episode"


@pytest.mark.parametrize("name", [
    "Dune (2021)", "Le Fabuleux Destin d'Amélie Poulain (2001)", "Dune (2021) Bluray-1080p",
    "Dix pour cent - S01E03 - Hervé", "Dix pour cent - S01E01E02", "Kaamelott (2005) - S02E01 - Le Sort",
])
def test_the_fast_reading_of_sonarr_and_radarr_names_agrees_with_guessit(name):
    from guessit import guessit

    from linkdoctor.library.identify import identity_from_guess

    fast = parse_standard_name(name)
    assert fast is not None
    assert fast == identity_from_guess(dict(guessit(name + ".mkv", {"type": fast.kind})), fast.kind)


def test_names_in_any_other_form_go_to_guessit():
    assert parse_standard_name("Dune.2021.2160p") is None
    assert guess_name("Dune.2021.2160p.mkv") == Identity("movie", "Dune", 2021)
