"""Authentication (web/auth.py, linkdoctor/auth.py): API key, login session, auth modes, throttle, CLI."""

import dataclasses
import os
import socket
import subprocess
import sys

import pytest
import requests

from tests.support.api import assert_error
from tests.support.auth import PASSWORD, REMOTE, api_key, log_in, set_mode, set_password
from tests.support.waiting import wait_until

API_ROUTES = [("get", "/api/symlink/config"), ("get", "/api/symlink/scans/history"),
              ("get", "/api/symlink/directories"), ("post", "/api/symlink/scan/start"),
              ("get", "/api/symlink/jobs"), ("get", "/api/symlink/openapi.json"),
              ("get", "/api/symlink/auth/settings"), ("post", "/api/symlink/auth/api-key"),
              ("post", "/api/symlink/quarantine/purge"), ("get", "/api/symlink/scan/status/1")]


def test_without_credentials_every_api_route_answers_401_and_pages_redirect(app, client):
    from linkdoctor.models import SymlinkScan, db

    set_mode(app, "enabled")
    for method, path in API_ROUTES:
        answer = getattr(client, method)(path, json={} if method == "post" else None)
        assert_error(answer, 401, "unauthorized")
    page = client.get("/?x=1")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login?next=")
    assert client.get("/login").status_code == 200
    assert client.get("/static/js/login.js").status_code == 200
    assert client.get("/ping").get_json() == {"status": "ok"}
    with app.app_context():
        assert db.session.execute(db.select(SymlinkScan)).first() is None


def test_api_key_as_header_or_query_parameter(app, client):
    set_mode(app, "enabled")
    key = api_key(app)
    assert len(key) == 32
    assert client.get("/api/symlink/config", headers={"X-Api-Key": key}, environ_base=REMOTE).status_code == 200
    assert client.get(f"/api/symlink/config?apikey={key}", environ_base=REMOTE).status_code == 200
    assert client.get("/", headers={"X-Api-Key": key}).status_code == 200
    wrong = key[:-1] + ("1" if key.endswith("0") else "0")  # one character off (a key may end in 0)
    body = assert_error(client.get("/api/symlink/config", headers={"X-Api-Key": wrong}), 401)
    assert "not valid" in body["message"]


def test_regenerated_api_key_replaces_the_old_one(app, client):
    set_mode(app, "enabled")
    old = api_key(app)
    new = client.post("/api/symlink/auth/api-key", json={}, headers={"X-Api-Key": old}).get_json()["api_key"]
    assert new != old and new == api_key(app)
    assert_error(client.get("/api/symlink/config", headers={"X-Api-Key": old}), 401)
    assert client.get("/api/symlink/config", headers={"X-Api-Key": new}).status_code == 200


def test_disabled_for_local_is_the_loopback_default_and_remote_clients_still_log_in(app, client):
    assert client.get("/api/symlink/auth/settings").get_json()["auth_required"] == "disabled_for_local"
    assert client.get("/api/symlink/config").status_code == 200
    assert_error(client.get("/api/symlink/config", environ_base=REMOTE), 401)
    # A reverse proxy on this machine we were not told about: its clients are not local.
    assert_error(client.get("/api/symlink/config", headers={"X-Forwarded-For": "203.0.113.9"}), 401)


def test_enabled_is_the_default_when_listening_beyond_loopback(app, client):
    settings = app.config["LINKDOCTOR_SETTINGS"]
    app.config["LINKDOCTOR_SETTINGS"] = dataclasses.replace(settings, host="0.0.0.0")
    assert_error(client.get("/api/symlink/config"), 401)
    assert client.get("/api/symlink/auth/status").get_json()["auth_required"] == "enabled"


def test_a_trusted_proxy_forwards_the_client_address(app, client):
    settings = app.config["LINKDOCTOR_SETTINGS"]
    app.config["LINKDOCTOR_SETTINGS"] = dataclasses.replace(settings, trusted_proxies=("127.0.0.1",))
    assert_error(client.get("/api/symlink/config", headers={"X-Forwarded-For": "203.0.113.9"}), 401)
    assert client.get("/api/symlink/config", headers={"X-Forwarded-For": "203.0.113.9, 127.0.0.1"}).status_code == 200
    # Its X-Forwarded-Host is the name the browser used, checked like Host.
    headers = {"X-Forwarded-For": "127.0.0.1", "X-Forwarded-Host": "evil.example"}
    assert_error(client.get("/api/symlink/config", headers=headers), 421)


def test_the_session_cookie_is_secure_when_the_browser_came_over_https(app, client):
    set_mode(app, "enabled")
    set_password(app)
    assert "Secure" not in log_in(client, environ_base=REMOTE).headers["Set-Cookie"]  # plain HTTP on the LAN
    assert "; Secure" in log_in(client, environ_base=REMOTE, base_url="https://localhost").headers["Set-Cookie"]
    # Behind a reverse proxy that ends TLS: believed from a trusted proxy only.
    proxied = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    from_proxy = {"REMOTE_ADDR": "192.0.2.1"}
    assert "Secure" not in log_in(client, headers=proxied, environ_base=from_proxy).headers["Set-Cookie"]
    settings = app.config["LINKDOCTOR_SETTINGS"]
    app.config["LINKDOCTOR_SETTINGS"] = dataclasses.replace(settings, trusted_proxies=("192.0.2.1",))
    answer = log_in(client, headers=proxied, environ_base=from_proxy)
    assert answer.status_code == 200 and "; Secure" in answer.headers["Set-Cookie"]
    assert "HttpOnly" in answer.headers["Set-Cookie"] and "SameSite=Strict" in answer.headers["Set-Cookie"]


def test_login_session_logout(app, client):
    set_mode(app, "enabled")
    set_password(app)
    assert_error(log_in(client, "wrong password", environ_base=REMOTE), 401)
    answer = log_in(client, environ_base=REMOTE)
    assert answer.status_code == 200
    cookie = answer.headers["Set-Cookie"]
    assert "linkdoctor_session=" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get("/api/symlink/config", environ_base=REMOTE).status_code == 200
    assert client.get("/", environ_base=REMOTE).status_code == 200
    assert client.get("/api/symlink/auth/status", environ_base=REMOTE).get_json()["logged_in"] is True
    assert client.post("/api/symlink/auth/logout", json={}, environ_base=REMOTE).status_code == 200
    assert_error(client.get("/api/symlink/config", environ_base=REMOTE), 401)


def test_a_new_password_ends_existing_sessions(app, client):
    set_mode(app, "enabled")
    set_password(app)
    log_in(client)
    assert client.get("/api/symlink/config").status_code == 200
    set_password(app, "another password")
    assert_error(client.get("/api/symlink/config"), 401)


def test_the_password_is_stored_as_an_argon2id_hash(app):
    from linkdoctor.auth import credentials

    set_password(app)
    with app.app_context():
        stored = credentials().password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_login_attempts_are_limited_per_client_address(app, client):
    set_mode(app, "enabled")
    set_password(app)
    for _ in range(5):
        assert_error(log_in(client, "guess guess", environ_base=REMOTE), 401)
    limited = log_in(client, environ_base=REMOTE)  # even the right password waits
    assert_error(limited, 429, "too_many_attempts")
    assert 1 <= int(limited.headers["Retry-After"]) <= 300
    # Another address is not held back by the first one's failures.
    assert log_in(client, environ_base={"REMOTE_ADDR": "192.0.2.11"}).status_code == 200


def test_the_first_password_may_be_chosen_only_from_this_machine(app, client):
    set_mode(app, "enabled")
    status = client.get("/api/symlink/auth/status", environ_base=REMOTE).get_json()
    assert status == {**status, "password_set": False, "can_set_password": False, "authenticated": False}
    assert_error(client.post("/api/symlink/auth/password", json={"password": PASSWORD}, environ_base=REMOTE), 401)
    assert client.get("/api/symlink/auth/status").get_json()["can_set_password"] is True
    assert_error(client.post("/api/symlink/auth/password", json={"password": "short"}), 400)
    assert client.post("/api/symlink/auth/password", json={"password": PASSWORD}).status_code == 200
    assert client.get("/api/symlink/config").status_code == 200  # logged in by choosing it
    # Once set, changing it needs to be logged in.
    other = app.test_client()
    assert_error(other.post("/api/symlink/auth/password", json={"password": "taken over!"}), 401)


def test_auth_required_through_the_config_api(client):
    assert client.post("/api/symlink/config", json={"auth_required": "enabled"}).status_code == 200
    assert_error(client.get("/api/symlink/config"), 401)


@pytest.mark.parametrize("value", ["sometimes", 3, True])
def test_auth_required_refuses_unknown_modes(client, value):
    assert_error(client.post("/api/symlink/config", json={"auth_required": value}), 400)


# --- the CLI ------------------------------------------------------------------------------


def run_cli(*args, input=None):
    return subprocess.run([sys.executable, "-m", "linkdoctor", *args], capture_output=True, text=True,
                          timeout=60, env=dict(os.environ), input=input)


def test_cli_prints_the_api_key_sets_the_password_and_the_mode(env, app):
    printed = run_cli("auth", "api-key")
    assert printed.returncode == 0 and printed.stdout.strip() == api_key(app)
    assert run_cli("auth", "set-password", input=PASSWORD + "\n").returncode == 0
    too_short = run_cli("auth", "set-password", input="short\n")
    assert too_short.returncode == 2 and "Traceback" not in too_short.stderr and "8" in too_short.stderr
    assert run_cli("config", "set", "auth_required", "enabled").returncode == 0
    client = app.test_client()
    assert_error(client.get("/api/symlink/config"), 401)
    assert log_in(client).status_code == 200
    regenerated = run_cli("auth", "regenerate-api-key").stdout.strip()
    assert regenerated == api_key(app) and len(regenerated) == 32


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_host_reaches_the_request_checks(env):
    # Listening on every address: login is required by default, even for this machine's clients.
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "linkdoctor", "serve", "--host", "0.0.0.0", "--port", str(port)],
                              env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        def answered():
            try:
                return requests.get(f"http://127.0.0.1:{port}/ping", timeout=2)
            except requests.ConnectionError:
                assert server.poll() is None, "serve exited"
                return None

        ping = wait_until(answered, 30, interval=0.1, message="serve did not start")
        assert ping.json() == {"status": "ok"}
        answer = requests.get(f"http://127.0.0.1:{port}/api/symlink/config", timeout=5)
        assert answer.status_code == 401 and answer.json()["error"] == "unauthorized"
        key = run_cli("auth", "api-key").stdout.strip()
        assert requests.get(f"http://127.0.0.1:{port}/api/symlink/config", headers={"X-Api-Key": key},
                            timeout=5).status_code == 200
    finally:
        server.terminate()
        server.wait(10)
