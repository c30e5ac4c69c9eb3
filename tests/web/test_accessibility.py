"""Issue 22: accessible by a checker nobody here wrote. axe-core (tests/vendor/axe-core, from the npm
registry, injected into the page; no network) runs its WCAG 2.0/2.1 A and AA rules on every tab, a
findings view, the details panel and the login page, at 1400x900 and 390x844, on the demo library after
a full scan; no violation of impact serious or critical may remain.

A screenshot of each checked view is saved as a11y-<view>-<size>.png.
"""

from pathlib import Path

import pytest

from linkdoctor.demo import write_demo_library
from tests.support.api import run_scan
from tests.support.apps import shared_app
from tests.support.auth import PASSWORD, set_mode, set_password
from tests.support.browser import page_on_shared_server, requires_chromium, serving
from tests.support.media import do_check

# One xdist worker runs them all (--dist loadgroup): the library they look at is then made once.
pytestmark = [requires_chromium, pytest.mark.xdist_group("accessibility")]

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
SIZES = {"desktop": (1400, 900, False), "phone": (390, 844, True)}
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SERIOUS = ("serious", "critical")
SETTINGS_SECTIONS = ("scanning", "arr", "media", "notifications", "schedules", "ignores", "security")

RUN_AXE = """
const [tags, done] = [arguments[0], arguments[arguments.length - 1]];
axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})
  .then((result) => done(result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary, impact: n.impact})),
  }))))
  .catch((err) => done([{id: "axe-error", impact: "critical", help: String(err), nodes: []}]));
"""


def serious_violations(page) -> list[dict]:
    """axe-core's violations of impact serious or critical on the page as it is now."""
    page.driver.execute_script(AXE.read_text(encoding="utf-8"))
    page.driver.set_script_timeout(60)
    violations = page.driver.execute_async_script(RUN_AXE, TAGS)
    return [v for v in violations if v["impact"] in SERIOUS]


def described(violations) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']}\n" + "\n".join(
        f"    {n['target']}: {(n['summary'] or '').splitlines()[-1] if n['summary'] else ''}" for n in v["nodes"][:20])
        for v in violations)


@pytest.fixture(scope="module")
def demo(tmp_path_factory, migrated_database, media_cache):
    """The demo library after a full scan, and an integrity check for the Maintenance tab, served; the scan's id.
    Made once per test process: the views checked here only look at it."""
    with shared_app(tmp_path_factory.mktemp("demo"), migrated_database, media_cache) as shared:
        write_demo_library(shared.library.root, shared.source)
        answer = shared.app.test_client().post("/api/symlink/config", json={"source_roots": [str(shared.source)]})
        assert answer.status_code == 200
        scan_id = run_scan(shared.app, verification_depth="full")
        do_check(shared.app)
        with serving(shared.app) as url:
            yield url, scan_id


@pytest.fixture
def demo_page(browser, demo, tmp_path):
    """A fresh tab on the demo library."""
    return page_on_shared_server(browser, demo[0], tmp_path)


def wait_ready(page, view, scan_id):
    """The view as a user finds it, once what it loads has arrived."""
    if view == "findings":
        page.driver.get(f"{page.base_url}/#/scanner/scan/{scan_id}")
        page.wait_for_text("findings-scan-id", f"#{scan_id}")
        page.wait_findings()
    elif view == "details":
        wait_ready(page, "findings", scan_id)
        page.click_first("#findings-body button.finding-open")
        page.wait(lambda _: page.by_id("finding-dialog").is_displayed()
                  and page.by_id("finding-dialog-loading").get_attribute("hidden") is not None,
                  message="the details panel never loaded")
    else:
        page.open(view)
        page.wait(lambda _: page.visible(f"panel-{view}"), message=f"the {view} tab never showed")
        loaded = {
            "dashboard": lambda _: page.css("#history-body tr") and page.css("#latest-counters .counter"),
            "scanner": lambda _: page.css("#tree li.tree-node"),
            "settings": lambda _: page.by_id("cfg-max_workers").get_attribute("value") not in (None, ""),
            "maintenance": lambda _: page.visible("maint-results") and page.css("#maint-body tr"),
        }[view]
        page.wait(loaded, message=f"the {view} tab never finished loading")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("view", ["dashboard", "scanner", "findings", "details", "settings", "maintenance"])
def test_axe_finds_nothing_serious(demo_page, demo, screenshot_dir, view, size):
    page = demo_page
    width, height, phone = SIZES[size]
    page.viewport(width, height, phone)
    wait_ready(page, view, demo[1])
    page.screenshot(screenshot_dir, f"a11y-{view}-{size}")
    violations = serious_violations(page)
    assert not violations, f"axe-core on the {view} view ({size}):\n{described(violations)}"
    if view == "settings":  # one section at a time: each one is checked with what it shows
        for section in SETTINGS_SECTIONS:
            page.settings_section(section)
            if section == "arr":  # with a further instance's row, its secret and mapping editors
                page.by_id("arr-add-radarr").click()
            if section == "media":
                page.by_id("media-add-jellyfin").click()
            violations = serious_violations(page)
            assert not violations, f"axe-core on the settings' {section} section ({size}):\n{described(violations)}"


@pytest.mark.parametrize("size", SIZES)
def test_axe_finds_nothing_serious_on_the_login_page(page, app, screenshot_dir, size):
    width, height, phone = SIZES[size]
    set_password(app)
    set_mode(app, "enabled")
    page.viewport(width, height, phone)
    page.driver.get(f"{page.base_url}/")
    page.wait(lambda _: page.visible("login-form"), message="no login form")
    page.screenshot(screenshot_dir, f"a11y-login-{size}")
    violations = serious_violations(page)
    assert not violations, f"axe-core on the login page ({size}):\n{described(violations)}"
    # And the page still works: the password logs in.
    page.fill("login-password", PASSWORD)
    page.by_id("login-submit").click()
    page.wait(lambda _: page.driver.find_element("css selector", "body").get_attribute("data-ready") == "true",
              message="logging in never reached the app")
