"""The spec checker the fakes use does catch what the upstream specs do not describe."""

import pytest

from tests.fakes.openapi import SpecViolation, check_request, check_response


def test_unknown_operations_and_parameters_are_caught():
    with pytest.raises(SpecViolation):
        check_request("sonarr", "GET", "/api/v3/everything", {}, None)
    with pytest.raises(SpecViolation):
        check_request("sonarr", "GET", "/api/v3/episodefile", {"seriesid_typo": "1"}, None)
    check_request("sonarr", "GET", "/api/v3/episodefile", {"seriesId": "1"}, None)


def test_command_bodies_need_their_fields():
    check_request("sonarr", "POST", "/api/v3/command", {}, {"name": "EpisodeSearch", "episodeIds": [1, 2]})
    with pytest.raises(SpecViolation):
        check_request("sonarr", "POST", "/api/v3/command", {}, {"name": "EpisodeSearch", "episodeIds": 3})
    with pytest.raises(SpecViolation):
        check_request("radarr", "POST", "/api/v3/command", {}, {"name": "MoviesSearch", "movieIds": [1], "bogus": 1})


def test_answers_outside_the_schema_are_caught():
    check_response("radarr", "GET", "/api/v3/movie", 200, [{"id": 1, "title": None, "path": "/m", "monitored": True}])
    with pytest.raises(SpecViolation):
        check_response("radarr", "GET", "/api/v3/movie", 200, [{"id": "one"}])
    with pytest.raises(SpecViolation):
        check_response("sonarr", "GET", "/api/v3/command/{id}".replace("{id}", "3"), 200,
                       {"id": 3, "status": "finished"})
