"""The Sonarr/Radarr client against fake servers: messages a person understands, retries, the key in a header."""

import time

import pytest

from linkdoctor.clients.arr import ArrInstance
from linkdoctor.clients.radarr import RadarrClient
from linkdoctor.clients.records import ArrError
from linkdoctor.clients.sonarr import SonarrClient
from tests.fakes.fixtures import free_port


def instance_of(fake, **changes) -> ArrInstance:
    fields = dict(kind=fake.kind, name="main", host="127.0.0.1", port=fake.port, api_key=fake.api_key)
    fields.update(changes)
    return ArrInstance(**fields)


def sonarr_client(fake, timeout=2.0, **changes) -> SonarrClient:
    return SonarrClient(instance_of(fake, **changes), timeout=timeout, retries=2, backoff=0.01)


def message_of(call) -> str:
    with pytest.raises(ArrError) as caught:
        call()
    return caught.value.message


def test_status_with_the_key_in_a_header_never_in_the_url(sonarr):
    status = sonarr_client(sonarr).system_status()
    assert (status.app, status.version) == ("Sonarr", "4.0.19.2546")
    request = sonarr.requests[-1]
    assert request["api_key"] == sonarr.api_key
    assert sonarr.api_key not in request["url"] and "apikey" not in request["url"].lower()


def test_wrong_key_says_so(sonarr):
    assert "wrong API key (401" in message_of(sonarr_client(sonarr, api_key="nope").system_status)


def test_timeout_is_bounded_and_named(sonarr):
    sonarr.delay = 1.5
    started = time.monotonic()
    assert "no answer within 0.3s (timeout)" in message_of(sonarr_client(sonarr, timeout=0.3).system_status)
    assert time.monotonic() - started < 1.4
    assert len(sonarr.requests) == 1  # a read timeout is not retried: the server may be working on it


def test_5xx_is_retried_then_succeeds(sonarr):
    sonarr.fail_next = 2
    assert sonarr_client(sonarr).system_status().app == "Sonarr"
    assert len(sonarr.requests) == 3


def test_5xx_every_time_ends_in_a_readable_error(sonarr):
    sonarr.fail_next = 10
    assert "HTTP 500" in message_of(sonarr_client(sonarr).system_status)
    assert len(sonarr.requests) == 3


def test_4xx_is_not_retried(sonarr):
    message_of(sonarr_client(sonarr, api_key="nope").system_status)
    # (Then who answers is asked without the key, once each: the app's page, not its API.)
    assert [r["path"] for r in sonarr.requests if r["path"].startswith("/api/")] == ["/api/v3/system/status"]
    assert all(r["api_key"] is None for r in sonarr.requests[1:])


def test_url_base(sonarr):
    sonarr.url_base = "/sonarr"
    assert sonarr_client(sonarr, url_base="/sonarr/").system_status().app == "Sonarr"
    assert sonarr.requests[-1]["path"] == "/sonarr/api/v3/system/status"
    assert "check the URL base" in message_of(sonarr_client(sonarr).system_status)


def test_unreachable_is_retried_then_named():
    port = free_port()
    client = SonarrClient(ArrInstance("sonarr", "main", "127.0.0.1", port, "k"), timeout=1, retries=1, backoff=0.01)
    assert "cannot connect (Connection refused)" in message_of(client.system_status)


def test_https_against_plain_http_is_a_tls_error(sonarr):
    assert "TLS error" in message_of(sonarr_client(sonarr, scheme="https").system_status)


def test_another_app_is_not_a_sonarr(radarr):
    client = SonarrClient(instance_of(radarr, kind="sonarr"), timeout=2, retries=0)
    assert "this is Radarr 5.26.2.10099, not Sonarr" in message_of(client.system_status)


def test_another_app_refusing_the_key_is_named_not_called_a_wrong_key(radarr):
    # Radarr's address in the Sonarr slot, with Sonarr's key: Radarr answers 401, and its page says Radarr.
    client = SonarrClient(instance_of(radarr, kind="sonarr", api_key="f" * 32), timeout=2, retries=0)
    message = message_of(client.system_status)
    assert "this is Radarr, not Sonarr" in message and "wrong API key" not in message
    assert all(r["api_key"] is None for r in radarr.requests[1:])  # the key went to the API only


def test_the_right_app_refusing_the_key_is_a_wrong_key(sonarr):
    assert "wrong API key (401" in message_of(sonarr_client(sonarr, api_key="f" * 32).system_status)


def test_a_web_page_is_not_a_sonarr(sonarr):
    sonarr.html = True
    assert 'this is a web page titled "Welcome to nginx!", not Sonarr' in message_of(sonarr_client(sonarr).system_status)


def test_commands_take_time_and_complete(sonarr):
    series_id = sonarr.add_series("Show", "/tv/Show")
    client = sonarr_client(sonarr)
    command = client.rescan(series_id)
    assert command.status == "queued"
    done = client.wait_for_command(command, timeout=5, interval=0.05)
    assert done.status == "completed"
    assert sonarr.sent_commands() == [{"name": "RescanSeries", "seriesId": series_id}]


def test_waiting_for_a_command_is_bounded(sonarr):
    sonarr.command_seconds = 60
    client = sonarr_client(sonarr)
    started = time.monotonic()
    done = client.wait_for_command(client.rescan(sonarr.add_series("Show", "/tv/Show")), timeout=0.3, interval=0.05)
    assert done.status == "timeout" and time.monotonic() - started < 2


def test_unknown_commands_fail(sonarr):
    assert "HTTP 400" in message_of(lambda: sonarr_client(sonarr).send_command("RescanEverything"))


def test_radarr_movies_and_files(radarr):
    movie_id = radarr.add_movie("Dune", 2021, "/movies/Dune (2021)", "/movies/Dune (2021)/Dune.mkv")
    client = RadarrClient(instance_of(radarr), timeout=2)
    [movie] = client.movies()
    assert (movie.id, movie.title, movie.path, movie.monitored, movie.has_file) == \
        (movie_id, "Dune", "/movies/Dune (2021)", True, True)
    assert [f.path for f in client.movie_files(movie_id)] == ["/movies/Dune (2021)/Dune.mkv"]
    assert client.search_movies([movie_id]).name == "MoviesSearch"
