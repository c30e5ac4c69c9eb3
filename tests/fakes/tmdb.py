"""A fake TMDB (v3 search) on 127.0.0.1: a real HTTP server with the answers TMDB gives where it matters.

Checks the v3 `api_key` parameter or the v4 Bearer token (401 otherwise); answers
/search/movie (query, year) and /search/tv (query, first_air_date_year) from its
`movies` and `shows`. Knobs: `throttle_next` (answer 429 with Retry-After that many
times), `fail_next` (answer 503 that many times), `fail_query` (always 500 for it),
`delay` (seconds before each answer: a slow TMDB), `redirect_to` (answer every request with a 302
to that origin, the same path and query).
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from tests.fakes import serving

API_KEY = "0123456789abcdef0123456789abcdef"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.fake-read-token.signature"

# What TMDB answers for a film and a show the tests' libraries hold under their French names.
AMELIE = {"id": 194, "title": "Amélie", "original_title": "Le Fabuleux Destin d'Amélie Poulain",
          "release_date": "2001-04-25"}
DIX = {"id": 62743, "name": "Call My Agent!", "original_name": "Dix pour cent", "first_air_date": "2015-10-14"}


class FakeTmdb:
    def __init__(self, retry_after: float = 0.2):
        self.movies: list[dict] = []
        self.shows: list[dict] = []
        self.retry_after = retry_after
        self.throttle_next = 0
        self.fail_next = 0
        self.fail_query = ""
        self.delay = 0.0
        self.redirect_to = ""
        self.requests: list[tuple[float, str, dict, str]] = []  # (time, path, params, authorization)
        self._lock = threading.Lock()  # guards the knobs and the request list between request threads
        self.server = None

    def _answer(self, path: str, params: dict, authorization: str):
        time.sleep(self.delay)
        with self._lock:
            self.requests.append((time.monotonic(), path, params, authorization))
            if params.get("api_key") != API_KEY and authorization != f"Bearer {TOKEN}":
                return 401, {"status_code": 7, "status_message": "Invalid API key"}, {}
            if self.throttle_next:
                self.throttle_next -= 1
                return 429, {"status_code": 25, "status_message": "rate limit"}, {"Retry-After": str(self.retry_after)}
            if self.fail_next:
                self.fail_next -= 1
                return 503, {"status_message": "unavailable"}, {}
        query = params.get("query", "")
        if query and query == self.fail_query:
            return 500, {"status_message": "internal error"}, {}
        if path == "/3/search/movie":
            found = [m for m in self.movies if _words(m["title"]) == _words(query) or _words(m["original_title"]) == _words(query)]
            if params.get("year"):
                found = [m for m in found if m["release_date"].startswith(params["year"])]
        elif path == "/3/search/tv":
            found = [s for s in self.shows if _words(s["name"]) == _words(query) or _words(s["original_name"]) == _words(query)]
            if params.get("first_air_date_year"):
                found = [s for s in found if s["first_air_date"].startswith(params["first_air_date_year"])]
        else:
            return 404, {"status_code": 34, "status_message": "not found"}, {}
        return 200, {"page": 1, "results": found, "total_results": len(found), "total_pages": 1}, {}

    def start(self) -> "FakeTmdb":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(url.query).items()}
                if fake.redirect_to:
                    with fake._lock:
                        fake.requests.append((time.monotonic(), url.path, params, self.headers.get("Authorization", "")))
                    status, body, headers = 302, {}, {"Location": fake.redirect_to + self.path}
                else:
                    status, body, headers = fake._answer(url.path, params, self.headers.get("Authorization", ""))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = serving.serve(Handler, "fake-tmdb")
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/3"

    def stop(self) -> None:
        serving.stop(self.server)


def _words(text: str) -> str:
    return " ".join(text.casefold().split())
