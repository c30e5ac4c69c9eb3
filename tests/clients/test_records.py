"""API JSON -> linkdoctor's records, and readable errors for answers of the wrong shape."""

import pytest

from linkdoctor.clients import records
from linkdoctor.clients.records import ArrError


def test_episodes_carry_their_file_and_code():
    [episode] = records.parse_episodes([{"id": 7, "seasonNumber": 2, "episodeNumber": 5, "episodeFileId": 70,
                                         "monitored": False, "title": None}])
    assert (episode.code, episode.file_id, episode.monitored) == ("S02E05", 70, False)


def test_command_status_is_lower_case_and_keeps_the_message():
    command = records.parse_command({"id": 3, "name": "RescanSeries", "status": "Failed", "exception": "disk gone"})
    assert (command.status, command.message) == ("failed", "disk gone")


@pytest.mark.parametrize("parse, data", [
    (records.parse_series, {"id": 1}),
    (records.parse_series, [{"id": "1", "path": "/tv/x"}]),
    (records.parse_movies, [{"id": 1}]),
    (records.parse_command, "<html>"),
    (records.parse_system_status, ["Sonarr"]),
])
def test_wrong_shapes_are_errors_not_crashes(parse, data):
    with pytest.raises(ArrError):
        parse(data)
