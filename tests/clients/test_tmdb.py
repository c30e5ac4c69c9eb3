"""The TMDB client against a fake TMDB on 127.0.0.1: throttle, Retry-After, backoff, both kinds of key."""

import time

import pytest

from linkdoctor.clients.tmdb import TmdbClient, TmdbError, TmdbMatch
from tests.fakes.tmdb import API_KEY, TOKEN, FakeTmdb

AMELIE = {"id": 194, "title": "Amélie", "original_title": "Le Fabuleux Destin d'Amélie Poulain",
          "release_date": "2001-04-25"}
DIX = {"id": 62743, "name": "Call My Agent!", "original_name": "Dix pour cent", "first_air_date": "2015-10-14"}


@pytest.fixture
def tmdb():
    fake = FakeTmdb().start()
    fake.movies.append(AMELIE)
    fake.shows.append(DIX)
    yield fake
    fake.stop()


def test_movie_and_tv_search_with_the_year_and_a_v3_key(tmdb):
    client = TmdbClient(tmdb.url, API_KEY)
    assert client.search("movie", "Le Fabuleux Destin d'Amélie Poulain", 2001) == TmdbMatch(
        194, "Amélie", "Le Fabuleux Destin d'Amélie Poulain", 2001)
    assert client.search("movie", "Amélie", 1999) is None  # the year is sent and honoured
    assert client.search("episode", "Dix pour cent", None) == TmdbMatch(62743, "Call My Agent!", "Dix pour cent", 2015)
    assert [r[1] for r in tmdb.requests] == ["/3/search/movie", "/3/search/movie", "/3/search/tv"]
    assert tmdb.requests[0][2]["year"] == "2001" and tmdb.requests[0][2]["api_key"] == API_KEY


def test_a_v4_token_goes_in_the_authorization_header(tmdb):
    assert TmdbClient(tmdb.url, TOKEN).search("movie", "Amélie", 2001).tmdb_id == 194
    assert tmdb.requests[0][3] == f"Bearer {TOKEN}" and "api_key" not in tmdb.requests[0][2]
    with pytest.raises(TmdbError, match="401"):
        TmdbClient(tmdb.url, "wrong").search("movie", "Amélie", 2001)


def test_429_waits_the_retry_after_then_succeeds(tmdb):
    waits = []
    client = TmdbClient(tmdb.url, API_KEY, sleep=lambda s: (waits.append(s), time.sleep(s)))
    tmdb.throttle_next = 2
    assert client.search("movie", "Amélie", 2001).tmdb_id == 194
    assert waits == [0.2, 0.2] and len(tmdb.requests) == 3


def test_5xx_backs_off_exponentially_and_gives_up_after_3_retries(tmdb):
    waits = []
    client = TmdbClient(tmdb.url, API_KEY, backoff=0.01, sleep=lambda s: (waits.append(s), time.sleep(s)))
    tmdb.fail_next = 2
    assert client.search("movie", "Amélie", 2001).tmdb_id == 194
    assert waits == [0.01, 0.02]
    tmdb.fail_query = "Amélie"
    waits.clear()
    with pytest.raises(TmdbError, match="500, 3 retries"):
        client.search("movie", "Amélie", 2001)
    assert waits == [0.01, 0.02, 0.04] and len(tmdb.requests) == 3 + 4


def test_requests_stay_under_the_rate_limit(tmdb):
    client = TmdbClient(tmdb.url, API_KEY)
    started = time.monotonic()
    for _ in range(36):
        client.search("movie", "Amélie", 2001)
    assert time.monotonic() - started >= 1.0  # 35 a second at most
