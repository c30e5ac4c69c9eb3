"""Issue 17, finding 1: behind a reverse proxy on the same machine, a visitor is never "local".

Everything here goes through what a user deploys: the real `linkdoctor serve` (waitress, which by
itself deletes proxy headers it does not trust) and, where a proxy is named, Debian's nginx in front
of it with the usual reverse-proxy headers (tests/support/served.py).
"""

import pytest
import requests

from tests.support.cli import run_cli
from tests.support.served import linkdoctor_serve, nginx_proxy

PASSWORD = "correct horse battery"
VISITOR, OTHER_VISITOR = "203.0.113.7", "198.51.100.4"  # documentation addresses: "somewhere on the internet"

# nginx's throw-away certificate is not verified: these requests are about the headers nginx adds.
pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")


@pytest.fixture
def served(env, tmp_path):
    with linkdoctor_serve(tmp_path) as server:
        yield server


@pytest.fixture
def trusted(env, tmp_path):
    """serve told that the proxy on 127.0.0.1 is ours (LINKDOCTOR_TRUSTED_PROXIES), nginx in front of it."""
    with linkdoctor_serve(tmp_path, extra_env={"LINKDOCTOR_TRUSTED_PROXIES": "127.0.0.1"}) as server:
        with nginx_proxy(tmp_path / "nginx", server.url) as proxy:
            yield proxy


def test_finding_1_forwarded_headers_without_credentials_get_401_from_the_real_server(served):
    # A client on this machine with no proxy header is local (the automatic mode on 127.0.0.1).
    assert requests.get(f"{served.url}/api/symlink/config", timeout=5).status_code == 200
    for headers in ({"X-Forwarded-For": "203.0.113.7"}, {"Forwarded": "for=203.0.113.7;proto=https"},
                    {"X-Real-IP": "203.0.113.7"}, {"X-Forwarded-For": "127.0.0.1"}):
        for path in ("/api/symlink/config", "/api/symlink/auth/settings"):
            answer = requests.get(served.url + path, headers=headers, timeout=5)
            assert answer.status_code == 401, (path, headers)
            assert answer.json()["error"] == "unauthorized"
        first = requests.post(f"{served.url}/api/symlink/auth/password", json={"password": PASSWORD},
                              headers=headers, timeout=5)
        assert first.status_code == 401, headers
        status = requests.get(f"{served.url}/api/symlink/auth/status", headers=headers, timeout=5).json()
        assert status["authenticated"] is False and status["can_set_password"] is False
    assert requests.get(f"{served.url}/api/symlink/auth/status", timeout=5).json()["password_set"] is False


def test_finding_1_behind_nginx_not_listed_as_trusted_every_visitor_needs_credentials(served, tmp_path):
    with nginx_proxy(tmp_path / "nginx", served.url) as proxy:
        for client in (VISITOR, None):  # None: the browser on this machine, through the proxy
            for path in ("/api/symlink/config", "/api/symlink/auth/settings", "/api/symlink/scans/history"):
                assert proxy.get(path, client=client).status_code == 401, (path, client)
            assert proxy.post("/api/symlink/auth/password", client=client,
                              json={"password": PASSWORD}).status_code == 401
        # A visitor claiming to be local is not believed either (nginx appends the real address).
        assert proxy.get("/api/symlink/config", client=VISITOR,
                         headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 401
        key = run_cli("auth", "api-key").stdout.strip()
        assert proxy.get("/api/symlink/config", client=VISITOR, headers={"X-Api-Key": key}).status_code == 200
        page = proxy.get("/", client=VISITOR, allow_redirects=False)
        assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert requests.get(f"{served.url}/api/symlink/auth/status", timeout=5).json()["password_set"] is False
    assert "LINKDOCTOR_TRUSTED_PROXIES" in served.output()  # the log says how to trust the proxy


def test_finding_1_a_trusted_nginx_is_believed_for_the_client_address(trusted):
    # Its visitors from the internet still need credentials; the browser on this machine does not.
    assert trusted.get("/api/symlink/config", client=VISITOR).status_code == 401
    assert trusted.get("/api/symlink/auth/settings", client=VISITOR).status_code == 401
    assert trusted.post("/api/symlink/auth/password", client=VISITOR, json={"password": PASSWORD}).status_code == 401
    assert trusted.get("/api/symlink/config").status_code == 200
    settings = trusted.get("/api/symlink/auth/settings").json()
    assert settings["trusted_proxies"] == ["127.0.0.1"] and settings["client_is_local"] is True


def test_finding_1_behind_a_trusted_proxy_the_login_throttle_counts_each_visitor(trusted):
    assert run_cli("auth", "set-password", input=PASSWORD + "\n").returncode == 0
    for _ in range(5):
        assert trusted.post("/api/symlink/auth/login", client=VISITOR, json={"password": "wrong one!"}).status_code == 401
    locked = trusted.post("/api/symlink/auth/login", client=VISITOR, json={"password": PASSWORD})
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    # The owner, elsewhere, is not locked out by someone else's guesses.
    owner = trusted.post("/api/symlink/auth/login", client=OTHER_VISITOR, json={"password": PASSWORD})
    assert owner.status_code == 200


def test_finding_1_the_session_cookie_is_secure_when_the_visitor_came_over_https(trusted):
    assert run_cli("auth", "set-password", input=PASSWORD + "\n").returncode == 0
    over_https = trusted.post("/api/symlink/auth/login", client=VISITOR, https=True, json={"password": PASSWORD})
    assert over_https.status_code == 200
    cookie = over_https.headers["Set-Cookie"]
    assert "linkdoctor_session=" in cookie and "Secure" in cookie and "HttpOnly" in cookie
    over_http = trusted.post("/api/symlink/auth/login", client=OTHER_VISITOR, json={"password": PASSWORD})
    assert over_http.status_code == 200 and "Secure" not in over_http.headers["Set-Cookie"]
    # The cookie works through the proxy: the visitor is in.
    jar = {"linkdoctor_session": over_http.cookies["linkdoctor_session"]}
    assert trusted.get("/api/symlink/config", client=OTHER_VISITOR, cookies=jar).status_code == 200


def test_finding_1_an_untrusted_proxy_is_not_believed_about_https(served, tmp_path):
    assert run_cli("auth", "set-password", input=PASSWORD + "\n").returncode == 0
    with nginx_proxy(tmp_path / "nginx", served.url) as proxy:
        answer = proxy.post("/api/symlink/auth/login", client=VISITOR, https=True, json={"password": PASSWORD})
        assert answer.status_code == 200 and "Secure" not in answer.headers["Set-Cookie"]
