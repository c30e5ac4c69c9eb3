"""Path mappings and matching removed links to series, movies and episodes."""

from linkdoctor.arr_instances import parse_mappings, to_remote
from linkdoctor.arr.matching import episode_codes, group_by_owner, removed_episodes
from linkdoctor.clients.records import Episode, MediaFile, Series

import pytest

from linkdoctor.errors import ValidationError

MAPPINGS = [{"remote": "/tv", "local": "/medias/Séries"}, {"remote": "/data/tv4k", "local": "/medias/Séries/4K"}]


def test_the_longest_local_prefix_wins():
    assert to_remote("/medias/Séries/Show/S01E01.mkv", MAPPINGS) == "/tv/Show/S01E01.mkv"
    assert to_remote("/medias/Séries/4K/Show/a.mkv", MAPPINGS) == "/data/tv4k/Show/a.mkv"
    assert to_remote("/medias/Séries2/x.mkv", MAPPINGS) == "/medias/Séries2/x.mkv"  # a prefix of a name is no match


def test_mappings_are_validated():
    assert parse_mappings('[{"remote": "/tv/", "local": "/medias/Séries/"}]') == [{"remote": "/tv", "local": "/medias/Séries"}]
    for bad in ('[{"remote": "tv", "local": "/x"}]', '[{"remote": "/tv"}]', "{}", "not json"):
        with pytest.raises(ValidationError):
            parse_mappings(bad)


def test_links_group_by_their_deepest_folder_and_the_rest_is_unmatched():
    series = [Series(1, "Show", "/tv/Show", True), Series(2, "Show (US)", "/tv/Show/US", True)]
    groups, unmatched = group_by_owner({"a": "/tv/Show/S01E01.mkv", "b": "/tv/Show/US/S01E01.mkv",
                                        "c": "/tv/Showtime/x.mkv"}, series)
    assert groups == {1: ["a"], 2: ["b"]} and unmatched == ["c"]


def test_removed_episodes_by_file_then_by_code():
    episodes = [Episode(10, 1, 1, 100, True), Episode(11, 1, 2, 0, True), Episode(12, 1, 3, 0, True)]
    files = [MediaFile(100, 1, "/tv/Show/Show S01E01.mkv")]
    assert [e.id for e in removed_episodes("/tv/Show/Show S01E01.mkv", files, episodes)] == [10]
    assert [e.id for e in removed_episodes("/tv/Show/Show.S01E02E03.mkv", files, episodes)] == [11, 12]
    assert removed_episodes("/tv/Show/extras.mkv", files, episodes) == []
    assert episode_codes("x.s02e10.mkv") == [(2, 10)]
