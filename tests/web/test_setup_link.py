"""The first-run setup link (linkdoctor/setup_token.py, POST /api/symlink/auth/setup, /setup): works once, 403 otherwise."""

import re

import pytest
import requests

from tests.support.server import Server
from tests.support.browser import Page, requires_chromium
from tests.support.api import assert_error
from tests.support.auth import PASSWORD, REMOTE, api_key
from tests.support.cli import run_cli
from tests.support.auth import with_settings


@pytest.fixture
def listening_everywhere(app):
    """The app as `serve --host 0.0.0.0` runs it, with its setup token made; the token."""
    from linkdoctor import setup_token

    with_settings(app, host="0.0.0.0")
    with app.app_context():
        return setup_token.issue(app)


def password_is_set(app) -> bool:
    from linkdoctor import auth

    with app.app_context():
        return auth.password_is_set()


def use_link(client, token, password=PASSWORD):
    return client.post("/api/symlink/auth/setup", json={"token": token, "password": password}, environ_base=REMOTE)


def test_the_link_sets_the_first_password_once_and_logs_the_browser_in(app, listening_everywhere):
    client = app.test_client()
    assert_error(client.get("/api/symlink/config", environ_base=REMOTE), 401)
    page = client.get(f"/setup?token={listening_everywhere}", environ_base=REMOTE)
    assert page.status_code == 200 and b"js/setup.js" in page.data and b"<script>" not in page.data
    answer = use_link(client, listening_everywhere)
    assert answer.status_code == 200 and answer.get_json() == {"password_set": True, "authenticated": True}
    assert client.get("/api/symlink/config", environ_base=REMOTE).status_code == 200
    login = app.test_client().post("/api/symlink/auth/login", json={"password": PASSWORD}, environ_base=REMOTE)
    assert login.status_code == 200
    # Used: a second browser with the same link is refused, and the password stays.
    assert_error(use_link(app.test_client(), listening_everywhere, "another password"), 403, "setup_link_refused")
    assert app.test_client().post("/api/symlink/auth/login", json={"password": PASSWORD},
                                  environ_base=REMOTE).status_code == 200


@pytest.mark.parametrize("token", ["", "x" * 43, None, 12, ["a"]])
def test_a_wrong_token_is_refused_and_changes_nothing(app, listening_everywhere, token):
    client = app.test_client()
    assert_error(use_link(client, token), 403, "setup_link_refused")
    assert not password_is_set(app)
    assert_error(client.get("/api/symlink/config", environ_base=REMOTE), 401)
    assert use_link(client, listening_everywhere).status_code == 200  # the right one still works


def test_a_password_the_rules_refuse_keeps_the_link_usable(app, listening_everywhere):
    client = app.test_client()
    assert_error(use_link(client, listening_everywhere, "short"), 400)
    assert not password_is_set(app)
    assert use_link(client, listening_everywhere).status_code == 200


def test_the_link_expires_once_a_password_exists_another_way(app, listening_everywhere, env):
    assert run_cli("auth", "set-password", input=PASSWORD + "\n").returncode == 0
    assert_error(use_link(app.test_client(), listening_everywhere, "another password"), 403, "setup_link_refused")
    login = app.test_client().post("/api/symlink/auth/login", json={"password": PASSWORD}, environ_base=REMOTE)
    assert login.status_code == 200


def test_without_a_link_made_every_token_is_refused(app, client):
    assert_error(use_link(client, "anything"), 403, "setup_link_refused")
    assert not password_is_set(app)


def test_the_token_never_appears_in_an_api_answer(app, listening_everywhere):
    client = app.test_client()
    headers = {"X-Api-Key": api_key(app)}
    paths = client.get("/api/symlink/openapi.json", headers=headers).get_json()["paths"]
    answered = 0
    for path, operations in paths.items():
        if "get" in operations and "{" not in path:
            answer = client.get(f"/api/symlink{path}", headers=headers)
            answered += answer.status_code == 200
            assert listening_everywhere not in answer.get_data(as_text=True), path
    assert answered >= 10


def test_serve_on_every_address_prints_the_link_once_and_it_works_once(tmp_path):
    (tmp_path / "medias").mkdir()
    with Server(tmp_path / "data", tmp_path / "medias", tmp_path / "serve.log", host="0.0.0.0") as server:
        link = server.setup_link()
        assert link is not None, server.stderr()
        assert len(re.findall(r"/setup\?token=", server.stderr())) == 1
        assert link.startswith(f"http://localhost:{server.port}/setup?token=")
        token = link.split("token=")[1]
        browser = requests.Session()
        assert browser.get(link, timeout=10).status_code == 200
        assert browser.get(f"{server.url}/api/symlink/config", timeout=10).status_code == 401
        answer = browser.post(f"{server.url}/api/symlink/auth/setup", json={"token": token, "password": PASSWORD},
                              timeout=30)
        assert answer.status_code == 200, answer.text
        assert browser.get(f"{server.url}/api/symlink/config", timeout=10).status_code == 200
        again = requests.post(f"{server.url}/api/symlink/auth/setup", json={"token": token, "password": "x" * 12},
                              timeout=30)
        assert again.status_code == 403 and again.json()["error"] == "setup_link_refused"
    # Started again with a password set: no link.
    with Server(tmp_path / "data", tmp_path / "medias", tmp_path / "again.log", host="0.0.0.0") as server:
        assert "linkdoctor: serving" in server.stderr() and server.setup_link() is None


@requires_chromium
def test_the_setup_page_in_chromium(app, listening_everywhere, page: Page):
    driver = page.driver
    # A wrong token: the page says why, and nothing is set.
    driver.get(f"{page.base_url}/setup?token=not-the-token")
    page.wait(lambda _: page.visible("setup-form"), message="no setup form")
    page.fill("setup-password", PASSWORD)
    page.fill("setup-password-repeat", PASSWORD)
    page.by_id("setup-submit").click()
    page.wait_for_text("setup-error", "not valid")
    assert not password_is_set(app)
    # The link from the log: choose the password, land in the app, logged in.
    driver.get(f"{page.base_url}/setup?token={listening_everywhere}")
    page.wait(lambda _: page.visible("setup-form"), message="no setup form")
    page.fill("setup-password", PASSWORD)
    page.fill("setup-password-repeat", "something else")
    page.by_id("setup-submit").click()
    page.wait_for_text("setup-error", "differ")
    page.fill("setup-password-repeat", PASSWORD)
    page.by_id("setup-submit").click()
    page.wait(lambda d: d.find_element("css selector", "body").get_attribute("data-ready") == "true",
              message="the app never showed after choosing the password")
    assert "token" not in driver.current_url and password_is_set(app)
    page.wait(lambda _: page.visible("logout"), message="not logged in")
    # The same link again: it says a password is set, and offers the login.
    driver.get(f"{page.base_url}/setup?token={listening_everywhere}")
    page.wait(lambda _: page.visible("setup-done"), message="the used link did not say so")
