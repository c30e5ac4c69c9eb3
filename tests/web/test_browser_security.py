"""Browser-side attacks and the login page, in real headless Chromium against a real server.

The attacker's page is served by a second local HTTP server: another port on 127.0.0.1 is
another origin (and the same *site*, which is why Sec-Fetch-Site "same-site" is refused too).
"""

import http.server
import os
import threading

import pytest

from tests.support.appstate import api_key, world
from tests.support.browser import Page, requires_chromium
from tests.support.waiting import wait_until

pytestmark = requires_chromium

REBOUND_NAME = "rebind.test"


@pytest.fixture(autouse=True)
def rebinding_name(monkeypatch):
    """Chromium resolves rebind.test to 127.0.0.1: what a DNS-rebinding attacker achieves."""
    import tests.support.browser as browser_module

    monkeypatch.setattr(browser_module, "CHROMIUM_FLAGS",
                        browser_module.CHROMIUM_FLAGS + (f"--host-resolver-rules=MAP {REBOUND_NAME} 127.0.0.1",))


@pytest.fixture
def seen(app):
    """Every request the app answers, as (method, path, status): proof the attacks reached it."""
    answered = []
    inner = app.wsgi_app

    def recording(environ, start_response):
        def start(status, headers, exc_info=None):
            answered.append((environ["REQUEST_METHOD"], environ["PATH_INFO"], int(status.split()[0])))
            return start_response(status, headers, exc_info)
        return inner(environ, start)

    app.wsgi_app = recording
    return answered


ATTACK_PAGE = """<!doctype html>
<html><head><title>win a prize</title></head><body>
<iframe name="sink1"></iframe><iframe name="sink2"></iframe><iframe name="sink3"></iframe>
<iframe name="sink4"></iframe><iframe name="sink5"></iframe><iframe name="sink6"></iframe>
<form id="f1" method="post" target="sink1" action="{app}/api/symlink/scan/start">
  <input name="mode" value="real"></form>
<form id="f2" method="post" target="sink2" enctype="multipart/form-data" action="{app}/api/symlink/quarantine/purge">
  <input name="older_than_days" value="0"></form>
<form id="f3" method="post" target="sink3" enctype="text/plain" action="{app}/api/symlink/scan/{scan}/restore">
  <input name='{{"paths": [], "x": "' value='"}}'></form>
<form id="f4" method="post" target="sink4" action="{app}/api/symlink/scan/cancel/{scan}"></form>
<form id="f5" method="post" target="sink5" enctype="text/plain" action="{app}/api/symlink/config">
  <input name='{{"max_workers": 2, "x": "' value='"}}'></form>
<form id="f6" method="post" target="sink6" action="{app}/api/symlink/auth/api-key"></form>
<script>
const app = "{app}";
const attempts = [
  // "simple" requests need no CORS preflight: they reach the server.
  fetch(app + "/api/symlink/quarantine/purge", {{method: "POST", mode: "no-cors", body: '{{"older_than_days": 0}}',
        headers: {{"Content-Type": "text/plain"}}}}),
  fetch(app + "/api/symlink/scan/{scan}/restore", {{method: "POST", mode: "no-cors", credentials: "include",
        body: new URLSearchParams({{paths: ""}})}}),
  // JSON needs a preflight, which is never granted.
  fetch(app + "/api/symlink/config", {{method: "POST", credentials: "include",
        headers: {{"Content-Type": "application/json"}}, body: '{{"max_workers": 2}}'}}),
  fetch(app + "/api/symlink/scan/start", {{method: "POST", headers: {{"Content-Type": "application/json"}},
        body: '{{"mode": "real"}}'}}),
];
for (const id of ["f1", "f2", "f3", "f4", "f5", "f6"]) document.getElementById(id).submit();
Promise.allSettled(attempts).then(() => {{ document.title = "done"; }});
</script></body></html>
"""


@pytest.fixture
def attacker_server(tmp_path):
    """A second server on 127.0.0.1 (another origin); serves whatever page the test writes."""
    root = tmp_path / "attacker"
    root.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, name="attacker", daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_finding_4_a_page_on_another_origin_can_change_nothing(app, quarantined, seen, browser, live_server,
                                                              attacker_server):
    scan_id, link, in_quarantine = quarantined
    before = world(app)
    root, attacker = attacker_server
    port = live_server.rsplit(":", 1)[1]
    for name, app_url in (("ip.html", live_server), ("name.html", f"http://localhost:{port}")):
        (root / name).write_text(ATTACK_PAGE.format(app=app_url, scan=scan_id))
        seen.clear()
        browser.get(f"{attacker}/{name}")
        wait_until(lambda: browser.title == "done")
        # The six forms and the two "simple" fetches reach the server and are refused.
        wait_until(lambda: len([s for s in seen if s[0] == "POST"]) >= 8)
        refused = [status for method, _path, status in seen if method == "POST"]
        assert refused and all(status in (403, 415) for status in refused), seen
    # The CORS and framing refusals logged on the attacker's page are expected. A framing refusal is logged
    # when its frame's answer arrives, which may be after the server counted the POST: leave the page first
    # (no frame loads any more), then drain the log.
    browser.get("about:blank")
    browser.get_log("browser")
    assert world(app) == before
    assert os.path.islink(in_quarantine) and not os.path.lexists(link)


def test_finding_1_a_rebound_name_gets_neither_the_page_nor_the_api(app, browser, live_server, seen):
    port = live_server.rsplit(":", 1)[1]
    browser.get(f"http://{REBOUND_NAME}:{port}/")
    assert "allowed_hosts" in browser.page_source and "linkdoctor" not in browser.title
    # Script running in the rebound origin is "same-origin" with the server: the Host still gives it away.
    status = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch("/api/symlink/config", {method: "POST", headers: {"Content-Type": "application/json"},
              body: JSON.stringify({max_workers: 2})}).then(r => done(r.status), e => done(String(e)));
    """)
    assert status == 421
    browser.get_log("browser")
    from linkdoctor.config import get_config

    with app.app_context():
        assert get_config().max_workers == 6


def test_login_page_in_chromium(app, page: Page):
    from linkdoctor.config import update_config

    with app.app_context():
        update_config({"auth_required": "enabled"})
    driver = page.driver
    # First visit from this machine, no password yet: the login page offers to choose one.
    driver.get(f"{page.base_url}/#settings")
    page.wait(lambda d: "/login" in d.current_url and page.visible("login-form"), message="no login page")
    assert page.by_id("login-title").text == "Choose a password"
    page.fill("login-password", "open sesame 42")
    page.fill("login-password-repeat", "open sesame 42")
    page.by_id("login-submit").click()
    page.wait(lambda d: d.find_element("css selector", "body").get_attribute("data-ready") == "true",
              message="the app never showed after choosing the password")
    # Back where the user asked to go (Settings names its section in the address once shown).
    page.wait(lambda d: d.current_url.endswith("/#/settings/general"), message="not back on Settings after login")
    page.wait(lambda _: page.visible("logout"), message="no Log out button")
    page.wait(lambda _: len(page.by_id("api-key").get_attribute("value")) == 32, message="no API key in Settings")
    shown = page.by_id("api-key").get_attribute("value")
    assert shown == api_key(app)
    page.settings_section("security")
    page.by_id("api-key-regenerate").click()
    driver.switch_to.alert.accept()
    page.wait(lambda _: page.by_id("api-key").get_attribute("value") not in ("", shown), message="key not replaced")
    assert page.by_id("api-key").get_attribute("value") == api_key(app)
    assert "log in" in page.by_id("auth-mode-note").text.lower()
    # Log out: back to the login, and the app stays closed.
    page.by_id("logout").click()
    page.wait(lambda d: "/login" in d.current_url and page.visible("login-form"), message="logout did not end")
    assert page.by_id("login-title").text == "Log in"
    driver.get(f"{page.base_url}/")
    page.wait(lambda d: "/login" in d.current_url and page.visible("login-form"), message="the app opened")
    # A wrong password is said so; the right one opens the app.
    page.fill("login-password", "not it at all")
    page.by_id("login-submit").click()
    page.wait_for_text("login-error", "wrong password")
    page.fill("login-password", "open sesame 42")
    page.by_id("login-submit").click()
    page.wait(lambda d: d.find_element("css selector", "body").get_attribute("data-ready") == "true",
              message="the app never showed after logging in")
    browser_cookies = {c["name"]: c for c in driver.get_cookies()}
    session = browser_cookies["linkdoctor_session"]
    assert session["httpOnly"] is True and session["sameSite"] == "Strict"
