"""The matcher on realistic release names: whole words, numbers as numbers, years between remakes."""

from linkdoctor.library.identify import Identity, guess_name
from linkdoctor.library.matching import (
    DEFAULT_MIN_SCORE, decide, normalise_title, rank, score, title_similarity,
)
from linkdoctor.models.inventory import EPISODE, MOVIE


def movie(title, year=None):
    return Identity(MOVIE, title, year)


def episode(title, season, *episodes):
    return Identity(EPISODE, title, None, season, tuple(episodes))


def named(*names, kind=""):
    """Candidates as the source index holds them: the identity guessed from each release name."""
    return [(name, guess_name(name, kind)) for name in names]


def test_normalisation_folds_case_accents_punctuation_articles_and_ampersand():
    assert normalise_title("Le Fabuleux Destin d'Amélie Poulain") == ("fabuleux", "destin", "d", "amelie", "poulain")
    assert normalise_title("L'Âge de glace") == normalise_title("age de glace")
    assert normalise_title("The Office") == ("office",)
    assert normalise_title("Les Misérables") == ("miserables",)
    assert normalise_title("Fast & Furious") == normalise_title("fast and furious")
    assert normalise_title("The") == ("the",)  # a title that is only an article keeps it


def test_titles_are_compared_on_whole_words_never_substrings():
    assert title_similarity("Dune", "Dune") == 1.0
    assert title_similarity("Her", "Hereditary") == 0.0
    assert title_similarity("Alien", "Aliens") == 0.0
    assert score(movie("Up", 2009), movie("Upgrade", 2009)) is None


def test_the_year_decides_between_remakes():
    candidates = named("Dune.1984.1080p.BluRay.x264-GRP.mkv", "Dune.2021.2160p.WEB-DL.DDP5.1.mkv", kind=MOVIE)
    ranked = rank(movie("Dune", 2021), candidates)
    assert [c.path for c in ranked] == ["Dune.2021.2160p.WEB-DL.DDP5.1.mkv"]
    assert decide(ranked).verdict == "repair" and ranked[0].score >= DEFAULT_MIN_SCORE


def test_a_movie_without_a_year_on_one_side_is_scored_lower_than_the_threshold():
    ranked = rank(movie("Amélie"), named("Amelie.2001.1080p.BluRay.mkv", kind=MOVIE))
    assert len(ranked) == 1 and ranked[0].score < DEFAULT_MIN_SCORE
    assert decide(ranked).verdict == "below_threshold"


def test_french_and_english_release_names():
    candidates = named("Le.Fabuleux.Destin.d.Amelie.Poulain.2001.FRENCH.1080p.mkv",
                       "Intouchables.2011.FRENCH.720p.BluRay.mkv", "The.Intouchables.2011.1080p.mkv", kind=MOVIE)
    ranked = rank(movie("Le Fabuleux Destin d'Amélie Poulain", 2001), candidates)
    assert ranked[0].path.startswith("Le.Fabuleux") and ranked[0].score == 100.0 and len(ranked) == 1
    # "Intouchables" and "The Intouchables" are the same words once the article goes: two equal candidates.
    tied = rank(movie("Intouchables", 2011), candidates)
    assert len(tied) == 2 and tied[0].score == tied[1].score
    assert decide(tied).verdict == "ambiguous"


def test_a_title_given_by_tmdb_lets_a_french_name_match_an_english_release():
    candidates = named("Amelie.2001.1080p.BluRay.mkv", kind=MOVIE)
    assert rank(movie("Le Fabuleux Destin d'Amélie Poulain", 2001), candidates) == []
    ranked = rank(movie("Le Fabuleux Destin d'Amélie Poulain", 2001), candidates, titles=("Amélie",))
    assert ranked[0].score == 100.0


def test_episode_numbers_are_numbers_and_equal():
    candidates = named("The.Office.US.S04E020.720p.mkv", "The.Office.US.S04E21.720p.mkv",
                       "The.Office.US.S04E02.720p.WEB.mkv", "The.Office.US.S03E02.720p.mkv", kind=EPISODE)
    ranked = rank(episode("The Office US", 4, 2), candidates)
    assert [c.path for c in ranked] == ["The.Office.US.S04E02.720p.WEB.mkv"]
    assert [c.path for c in rank(episode("The Office US", 4, 20), candidates)] == ["The.Office.US.S04E020.720p.mkv"]
    assert rank(episode("The Office US", 4, 22), candidates) == []


def test_a_multi_episode_file_serves_each_of_its_episodes_below_a_single_file():
    candidates = named("Dix.Pour.Cent.S01E01E02.FRENCH.1080p.mkv", kind=EPISODE)
    for number in (1, 2):
        ranked = rank(episode("Dix pour cent", 1, number), candidates)
        assert len(ranked) == 1 and ranked[0].score >= DEFAULT_MIN_SCORE
    both = candidates + named("Dix.Pour.Cent.S01E02.FRENCH.1080p.mkv", kind=EPISODE)
    ranked = rank(episode("Dix pour cent", 1, 2), both)
    assert ranked[0].path == "Dix.Pour.Cent.S01E02.FRENCH.1080p.mkv" and ranked[1].score < ranked[0].score


def test_specials_are_season_zero():
    candidates = named("Doctor.Who.2005.S00E01.The.Christmas.Invasion.mkv", "Doctor.Who.2005.S01E01.Rose.mkv",
                       kind=EPISODE)
    ranked = rank(episode("Doctor Who", 0, 1), candidates)
    assert [c.path for c in ranked] == ["Doctor.Who.2005.S00E01.The.Christmas.Invasion.mkv"]


def test_same_kind_only():
    assert score(movie("Dune", 2021), episode("Dune", 1, 1)) is None
    assert score(Identity(), movie("Dune", 2021)) is None


def test_nothing_matches_an_unrelated_title():
    ranked = rank(movie("Amélie", 2001), named("Dune.2021.2160p.mkv", "abc123.mkv", kind=MOVIE))
    assert ranked == [] and decide(ranked).verdict == "no_candidate"
