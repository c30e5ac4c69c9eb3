"""TMDB's search API (v3): a throttled client that honours Retry-After and backs off on errors.

Settings come as arguments (base URL, v3 API key or v4 read token). The answer is
turned into a TmdbMatch record by a pure function; the client never touches the database.
"""

import threading
import time
from typing import Callable, NamedTuple
from urllib.parse import urljoin

import requests

from linkdoctor.clients.api_session import shown_url
from linkdoctor.errors import LinkdoctorError

REQUESTS_PER_SECOND = 35.0  # TMDB allows about 40
RETRIES = 3
BACKOFF = 0.5  # seconds, doubled at each retry
MAX_RETRY_AFTER = 60.0


class TmdbError(LinkdoctorError):
    """TMDB did not answer usefully after the retries."""


class TmdbMatch(NamedTuple):
    tmdb_id: int
    title: str
    original_title: str
    year: int | None


def match_from_result(result: dict, kind: str) -> TmdbMatch:
    """One search result (movie or tv) as a record (pure)."""
    if kind == "episode":
        title, original, date = result.get("name"), result.get("original_name"), result.get("first_air_date")
    else:
        title, original, date = result.get("title"), result.get("original_title"), result.get("release_date")
    year = int(date[:4]) if isinstance(date, str) and len(date) >= 4 and date[:4].isdigit() else None
    return TmdbMatch(int(result["id"]), str(title or ""), str(original or title or ""), year)


class TmdbClient:
    """Searches TMDB at most `rate` times a second; `sleep` (the waits between retries) is a parameter for tests."""

    def __init__(self, base_url: str, api_key: str, timeout: float = 10.0, rate: float = REQUESTS_PER_SECOND,
                 retries: int = RETRIES, backoff: float = BACKOFF, sleep: Callable[[float], None] = time.sleep):
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.params = {}
        if api_key.startswith("eyJ"):  # a v4 read access token (a JWT) goes in the Authorization header
            self.session.headers["Authorization"] = f"Bearer {api_key}"
        else:
            self.params["api_key"] = api_key
        self.timeout, self.interval, self.retries, self.backoff, self.sleep = timeout, 1.0 / rate, retries, backoff, sleep
        self._next = 0.0
        self._lock = threading.Lock()  # guards _next, the earliest time of the next request

    def _throttle(self) -> None:
        with self._lock:
            now = time.monotonic()
            wait = self._next - now
            self._next = max(now, self._next) + self.interval
        if wait > 0:
            time.sleep(wait)

    def search(self, kind: str, title: str, year: int | None) -> TmdbMatch | None:
        """The first result of /search/movie or /search/tv for a title and year; None when nothing is found."""
        path = "/search/tv" if kind == "episode" else "/search/movie"
        params = {**self.params, "query": title}
        if year:
            params["first_air_date_year" if kind == "episode" else "year"] = year
        data = self._get(path, params)
        results = data.get("results") if isinstance(data, dict) else None
        if not results:
            return None
        return match_from_result(results[0], kind)

    def _wait(self, attempt: int, seconds: float) -> None:
        if attempt < self.retries:  # no wait after the last try
            self.sleep(seconds)

    def _get(self, path: str, params: dict):
        problem = ""
        for attempt in range(self.retries + 1):
            self._throttle()
            try:
                # Never followed: the key (a query parameter or the Authorization header) stays with base_url.
                response = self.session.get(self.base_url + path, params=params, timeout=self.timeout,
                                            allow_redirects=False)
            except requests.RequestException as exc:
                problem = f"TMDB did not answer ({exc.__class__.__name__})"
                self._wait(attempt, self.backoff * 2 ** attempt)
                continue
            if response.status_code == 429:
                problem = "TMDB answered 429 (too many requests)"
                self._wait(attempt, _retry_after(response.headers.get("Retry-After"), self.backoff * 2 ** attempt))
                continue
            if response.status_code >= 500:
                problem = f"TMDB answered {response.status_code}"
                self._wait(attempt, self.backoff * 2 ** attempt)
                continue
            if 300 <= response.status_code < 400:
                where = shown_url(urljoin(response.url, response.headers.get("Location", "")))
                raise TmdbError(f"TMDB redirected to {where} (HTTP {response.status_code}); redirects are not "
                                "followed, so that the key never leaves tmdb_base_url: set tmdb_base_url to where "
                                "the API answers")
            if response.status_code == 401:
                raise TmdbError("TMDB refused the API key (401): check tmdb_api_key in the settings")
            if response.status_code != 200:
                raise TmdbError(f"TMDB answered {response.status_code} for {path}")
            try:
                return response.json()
            except ValueError:
                raise TmdbError(f"TMDB answered something that is not JSON for {path}") from None
        raise TmdbError(f"{problem}, {self.retries} retries")


def _retry_after(header: str | None, default: float) -> float:
    try:
        return min(MAX_RETRY_AFTER, max(0.0, float(header)))
    except (TypeError, ValueError):
        return default
