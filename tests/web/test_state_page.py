"""Issue 22, state you can trust, in Chromium at 1400x900 and 390x844: the address names the running scan
from Start on and a reload shows it; each tab is a history entry; a follow-up with problems looks like one,
says why and can be sent again; jobs are named by kind; counts follow a restore; the Dashboard uses a
desktop's width, stays short on a phone, and shows its last known state offline."""

import socket

import pytest

from tests.support.api import run_scan, start_endless_followup, wait_for_scan
from tests.support.apps import shared_app
from tests.support.browser import page_on_shared_server, requires_chromium, serving
from tests.support.media import do_import
from tests.support.pages import VIEWPORTS, lay_out

pytestmark = requires_chromium


@pytest.fixture
def small_library(library):
    for i in range(3):
        library.healthy(f"Movies/Ok {i} (2020)/Ok {i} (2020).mkv")
    for episode in range(1, 4):
        library.broken(f"Shows/Glass Houses (2013)/Season 01/Glass.Houses.S01E{episode:02}.mkv")
    return library


@pytest.fixture
def hold_web_scans(app, monkeypatch):
    """hold_web_scans(): from then on, scans started from the page stay running until the returned gate opens."""
    import threading

    gate = threading.Event()
    manager = app.extensions["linkdoctor.tasks"]
    start = manager.start_scan

    def held(*args, **kwargs):
        kwargs["on_progress"] = lambda _scan_id, _snapshot: gate.wait(30)
        return start(*args, **kwargs)

    def install():
        monkeypatch.setattr(manager, "start_scan", held)
        return gate

    yield install
    gate.set()


def load(page, address: str) -> None:
    """A new load of the page at this address (driver.get alone only moves to another fragment)."""
    page.driver.get(f"{page.base_url}/#{address}")
    page.driver.refresh()
    page.wait(lambda _: page.css("body")[0].get_attribute("data-ready") == "true", message="the page never started")


def hash_of(page) -> str:
    url = page.driver.current_url
    return url[url.index("#"):] if "#" in url else ""


def shows_running(page, scan_id) -> bool:
    return (page.by_id("progress-scan-id").text == f"#{scan_id}"
            and page.by_id("progress-status").get_attribute("data-status") == "running"
            and not page.by_id("scan-start").is_enabled())


def test_the_address_follows_the_running_scan_and_a_reload_shows_it(page, app, small_library, hold_web_scans,
                                                                     screenshot_dir, size):
    older = run_scan(app)
    gate = hold_web_scans()
    page.open(f"/scanner/scan/{older}")
    page.wait_findings(3)
    page.by_id("scan-start").click()
    # From Start on, the address names the new scan.
    page.wait(lambda _: hash_of(page) == f"#/scanner/scan/{older + 1}", message="the address kept the older scan")
    running = older + 1
    page.wait(lambda _: shows_running(page, running), message="the started scan is not shown running")

    # A reload shows the running scan, its progress and a disabled Start; never the older scan's findings.
    page.driver.refresh()
    page.wait(lambda _: shows_running(page, running), message="a reload did not show the running scan")
    assert not page.visible("error-banner")
    assert not page.by_id("findings-block").is_displayed() or page.by_id("findings-scan-id").text != f"#{older}"
    page.screenshot(screenshot_dir, "state-reload-running")

    # Any load while it runs shows it first, even from the address of the older scan (a bookmark, Back).
    load(page, f"/scanner/scan/{older}")
    page.wait(lambda _: shows_running(page, running), message="a load on an older scan's address hid the running one")
    assert hash_of(page) == f"#/scanner/scan/{running}"
    load(page, "dashboard")
    page.wait(lambda _: shows_running(page, running) and page.visible("panel-scanner"),
              message="a load on the Dashboard did not show the running scan first")
    assert not page.visible("error-banner")

    gate.set()
    page.wait_scan_finished()
    assert hash_of(page).startswith(f"#/scanner/scan/{running}")
    assert not page.visible("error-banner")


def test_each_tab_is_a_history_entry(page, size):
    page.open("dashboard")
    page.tab("scanner")
    page.tab("settings")
    page.tab("maintenance")
    for tab in ("settings", "scanner", "dashboard"):
        page.driver.back()
        page.wait(lambda _: page.visible(f"panel-{tab}"), message=f"Back did not return to the {tab} tab")
        assert page.by_id(f"tab-{tab}").get_attribute("aria-selected") == "true"
        assert hash_of(page) == ("#/settings/general" if tab == "settings" else f"#{tab}")  # Settings names its section
    page.driver.forward()
    page.wait(lambda _: page.visible("panel-scanner"), message="Forward did not return to the Scanner tab")
    # A tab chosen twice is no new step.
    page.tab("scanner")
    page.driver.back()
    page.wait(lambda _: page.visible("panel-dashboard"), message="choosing the shown tab again made a history step")


def dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_followup_against_a_dead_sonarr_looks_like_a_problem_says_why_and_is_sent_again(
        page, app, client, library, media_root, screenshot_dir, size):
    library.broken("Shows/Show/Season 01/Show.S01E01.mkv")
    for i in range(3):
        library.healthy(f"Movies/Ok {i}/ok{i}.mkv")
    assert client.post("/api/symlink/config", json={
        "sonarr_enabled": True, "sonarr_host": "127.0.0.1", "sonarr_port": dead_port(), "sonarr_api_key": "a" * 32,
        "path_mappings": [{"remote": "/tv", "local": str(media_root)}]}).status_code == 200
    scan_id = client.post("/api/symlink/scan/start", json={"mode": "real"}).get_json()["scan_id"]
    status = wait_for_scan(client, scan_id)
    assert client.post(f"/api/symlink/scan/{scan_id}/confirm",
                       json={"token": status["confirmation"]["token"]}).get_json()["removed"] == 1

    page.open("dashboard")

    def followups():
        return [row for row in page.css("#activity-body tr[data-kind='arr_followup']")
                if row.get_attribute("data-state") not in ("pending", "running")]

    page.wait(lambda _: followups(), timeout=30, message="the follow-up never ended in Activity")

    # (Read in one go, looked up again when a poll redrew the list meanwhile.)
    def seen(_):
        row = followups()[0]
        pill = row.find_element("css selector", ".status-pill")
        return (row.get_attribute("data-state"), row.get_attribute("data-tone"), pill.text,
                pill.get_attribute("data-tone"), row.text)

    state, tone, label, pill_tone, text = page.wait(seen)
    assert (state, tone, label, pill_tone) == ("with_problems", "warning", "completed with problems", "warning")

    # The reason is in the row, and the problems open and can be read.
    def opened(_):
        problems = followups()[0].find_element("css selector", "details.activity-problems")
        if problems.get_attribute("open") is None:
            problems.find_element("css selector", "summary").click()
        return [li.text for li in problems.find_elements("css selector", "li") if li.text]

    reasons = page.wait(opened, message="the problems did not open")
    assert len(reasons) == 1 and "127.0.0.1" in reasons[0] and "cannot connect" in reasons[0], reasons
    assert "Follow-up job" in text and f"Scan #{scan_id}" in text
    assert not page.driver.execute_script(WRAPPED), "short cells wrapped"
    page.screenshot(screenshot_dir, "state-followup-problems")

    # Send again: a new follow-up of the same scan.
    before = {r.get_attribute("data-job-id") for r in page.css("#activity-body tr[data-kind='arr_followup']")}
    page.click_first("#activity-body tr[data-kind='arr_followup'] .activity-retry")
    page.wait(lambda _: {r.get_attribute("data-job-id") for r in page.css("#activity-body tr[data-kind='arr_followup']")}
              - before, timeout=30, message="Send again started no follow-up")

    # The scan's removal panel says the same: a warning, its problem, a way to send again.
    page.open(f"/scanner/scan/{scan_id}")
    page.wait(lambda _: page.visible("followup-block") and page.visible("followup-problems"), timeout=30,
              message="the removal panel did not show the follow-up's problems")
    assert page.by_id("followup-state").get_attribute("data-tone") == "warning"
    assert "127.0.0.1" in page.by_id("followup-problems").text
    assert page.visible("followup-retry")


def test_jobs_are_named_by_kind_and_never_collide(page, app, small_library, size):
    scan_id = run_scan(app)
    do_import(app)
    page.open("dashboard")
    page.wait(lambda _: page.css("#activity-body tr[data-kind='import']") and page.css("#history-body tr"),
              message="the import and the scan were not listed")
    # Read in one go, in the page: the Dashboard's poll may redraw either list between two reads.
    job_id, name, activity, scan_name = page.wait(lambda _: page.driver.execute_script("""
        const row = document.querySelector("#activity-body tr[data-kind='import']");
        const scan = document.querySelector(`#history-body tr[data-scan-id='${arguments[0]}'] button`);
        return row && scan && [row.dataset.jobId, row.querySelector(".activity-name").textContent.trim(),
                               document.getElementById("activity-body").innerText, scan.textContent.trim()];""",
                                                                    scan_id), message="the rows went missing")
    assert name == f"Import job {job_id}"
    assert f"#{job_id}" not in activity
    assert scan_name == f"Scan #{scan_id}"


def tree_count(page, folder) -> str:
    def count(_):
        nodes = [n for n in page.css("#tree li.tree-node") if n.get_attribute("data-path") == folder]
        return nodes and nodes[0].find_element("css selector", ":scope > .tree-row .tree-count").text
    return page.wait(count, message=f"no count for {folder}")


RESTORE = """
const [scanId, done] = [arguments[0], arguments[arguments.length - 1]];
import("/static/js/api.js").then((api) => api.post(`/scan/${scanId}/restore`, {})).then(
  (answer) => done(answer.restored), (err) => done(String(err)));
"""


def test_counts_refresh_after_a_restore_without_a_reload(page, quarantined, size):
    scan_id, link, _ = quarantined
    page.open("scanner")
    page.wait_tree_loaded()
    assert tree_count(page, "Movies") == "1 link"  # Gone is in the quarantine
    page.tab("dashboard")
    # Restored by another view (the Quarantine's Restore button answers the same way).
    assert page.driver.execute_async_script(RESTORE, scan_id) == 1
    assert link.is_symlink()
    page.tab("scanner")
    page.wait(lambda _: tree_count(page, "Movies") == "2 links", message="the folder counts stayed stale")


# --- density -----------------------------------------------------------------------------------------

WRAPPED = r"""
// Texts of the history's short cells and the Activity's buttons laid out on more than one line.
const wrapped = [];
for (const node of document.querySelectorAll(
    "#history-body td:not(.history-scope), #history-body button, #activity-body .activity-state, #activity-body button")) {
  const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
  for (let text = walker.nextNode(); text; text = walker.nextNode()) {
    if (!text.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(text);
    const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
    if (lines.size > 1) wrapped.push(text.textContent);
  }
}
// A state's pill stays inside its cell ("completed with problems" included).
for (const pill of document.querySelectorAll("#history-body .status-pill, #activity-body .status-pill")) {
  if (pill.getBoundingClientRect().right > pill.closest("td").getBoundingClientRect().right + 1) {
    wrapped.push(`${pill.textContent} (out of its cell)`);
  }
}
return wrapped;
"""


@pytest.fixture(scope="module")
def demo_dashboard(tmp_path_factory, migrated_database, media_cache):
    """The demo library with a history of scans (real ones confirmed) and jobs in Activity, served; the number
    of scans kept. Made once per test process: the Dashboard's test only looks at it."""
    from linkdoctor.demo import write_demo_library

    with shared_app(tmp_path_factory.mktemp("dashboard"), migrated_database, media_cache) as shared:
        app, client = shared.app, shared.app.test_client()
        write_demo_library(shared.library.root, shared.source)
        for _ in range(5):
            run_scan(app, mode="dry-run")
        status = wait_for_scan(client, client.post("/api/symlink/scan/start", json={"mode": "real"}).get_json()["scan_id"])
        client.post(f"/api/symlink/scan/{status['scan_id']}/confirm", json={"token": status["confirmation"]["token"],
                                                                             "force": True})
        for _ in range(6):
            do_import(app, dry_run=True)
        kept = len(client.get("/api/symlink/scans/history").get_json()["scans"])
        with serving(app) as url:
            yield url, kept


@pytest.fixture
def dashboard_page(browser, demo_dashboard, tmp_path, size):
    page = page_on_shared_server(browser, demo_dashboard[0], tmp_path)
    lay_out(page, size)
    return page


@pytest.mark.parametrize("size", VIEWPORTS)  # (this test's page is not `page`: its own size, as the fixture's)
@pytest.mark.xdist_group("demo_dashboard")  # both sizes in one worker: the history is made once
def test_the_dashboard_uses_a_desktops_width_and_stays_short_on_a_phone(dashboard_page, demo_dashboard, screenshot_dir,
                                                                        size):
    page, kept = dashboard_page, demo_dashboard[1]
    page.open("dashboard")
    page.wait(lambda _: page.css("#history-body tr") and page.css("#activity-body tr")
              and page.css("#system-facts dd") and page.by_id("latest-scope").text == "whole library",
              message="the Dashboard never loaded")
    page.screenshot(screenshot_dir, "state-dashboard")
    assert not page.driver.execute_script(WRAPPED), "short cells wrapped"
    if size == "desktop":
        latest = page.by_id("latest-block").rect
        system = page.by_id("system-block").rect
        assert latest["y"] == system["y"] and system["x"] > latest["x"] + latest["width"] - 1  # side by side
        assert page.by_id("panel-dashboard").rect["width"] > 1300  # the width is used
        assert len(page.css("#history-body tr")) == kept > 3  # every kept scan
    else:
        # (The lists themselves may be long: a quarantine table still on the Dashboard is not counted.)
        height = page.driver.execute_script(
            "const list = document.getElementById('qv-table');"
            "return document.documentElement.scrollHeight - (list ? list.getBoundingClientRect().height : 0)")
        assert height <= 3 * 844, f"the Dashboard is {height} px tall on a phone"
        assert len(page.css("#history-body tr")) == 3 and page.visible("history-more")
        page.by_id("history-more").click()
        page.wait(lambda _: len(page.css("#history-body tr")) == kept, message="Show all did not show every scan")
        assert len(page.css("#activity-body tr")) == 3 and page.visible("activity-more")
        page.by_id("activity-more").click()
        page.wait(lambda _: len(page.css("#activity-body tr")) > 3, message="Show all did not show every job")


def test_the_offline_dashboard_shows_the_last_known_state(page, app, small_library, screenshot_dir, size):
    scan_id = run_scan(app)
    do_import(app)
    page.open("dashboard")
    page.wait(lambda _: page.css("#history-body tr") and page.css("#system-facts dd")
              and page.css("#activity-body tr"), message="history not shown")
    load(page, "settings")  # a new load: the Dashboard has shown nothing yet in this one
    page.driver.set_network_conditions(offline=True, latency=0, download_throughput=-1, upload_throughput=-1)
    try:
        page.tab("dashboard")
        page.wait(lambda _: page.visible("offline-banner"), message="no offline state")
        page.wait(lambda _: page.visible("dashboard-stale"), message="no note of the last known state")
        assert "last known state" in page.by_id("dashboard-stale").text
        assert [row.get_attribute("data-scan-id") for row in page.css("#history-body tr")] == [str(scan_id)]
        assert page.visible("latest-scan") and page.by_id("latest-id").text == f"Scan #{scan_id}"
        page.wait(lambda _: [row.get_attribute("data-kind") for row in page.css("#activity-body tr")] == ["import"],
                  message="Activity did not show its last known list")
        page.screenshot(screenshot_dir, "state-offline-dashboard")
    finally:
        page.driver.set_network_conditions(offline=False, latency=0, download_throughput=-1, upload_throughput=-1)
    page.wait(lambda _: not page.visible("offline-banner"), timeout=40, message="never came back")
    page.wait(lambda _: not page.visible("dashboard-stale"), message="the stale note stayed once back")


def test_a_job_running_at_load_is_named_on_every_tab_until_it_ends(page, app, screenshot_dir, size):
    ctx = start_endless_followup(app)
    page.open("settings")
    page.wait(lambda _: page.visible("running-banner"), message="the running job was not named on load")
    assert page.by_id("running-open").text == f"Follow-up job {ctx.job_id}"
    assert "40 %" in page.by_id("running-text").text
    page.tab("maintenance")
    assert page.visible("running-banner")
    page.screenshot(screenshot_dir, "state-running-job")
    with app.app_context():
        app.extensions["linkdoctor.jobs"].cancel(ctx.job_id)
    assert ctx.done.wait(10)
    page.wait(lambda _: not page.visible("running-banner"), message="the banner stayed after the job ended")
