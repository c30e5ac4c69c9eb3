"""The web UI in real headless Chromium against a real server and a library of real symlinks.

Run: .venv/bin/python -m pytest tests/web/test_pages.py -q
Set LINKDOCTOR_SCREENSHOTS=/some/dir to keep a copy of the screenshots.
"""

import os
import threading

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from tests.support.api import hold_scan, run_scan
from tests.support.browser import Page, requires_chromium
from tests.support.pages import AWKWARD

pytestmark = requires_chromium

LIBRARY_COUNTS = {".": 17, "Movies": 3, "Shows": 2, "Extras": 11, AWKWARD: 1}


def counter(page: Page, container_id: str, name: str) -> str:
    return page.css(f"#{container_id} [data-counter='{name}'] .counter-value")[0].text


def tree_row_part(page: Page, path: str, part: str):
    return page.tree_node(path).find_element("css selector", f":scope > .tree-row {part}")


def tick(page: Page, path: str) -> None:
    tree_row_part(page, path, "input[type='checkbox']").click()


def start_and_finish(page: Page) -> None:
    page.by_id("scan-start").click()
    page.wait(lambda _: page.visible("progress-block"), message="no progress shown after Start")
    page.wait_scan_finished()


def test_the_three_tabs_switch(page):
    page.open()
    assert page.visible("panel-dashboard")
    assert not page.visible("panel-scanner") and not page.visible("panel-settings")
    for name in ("scanner", "settings", "dashboard"):
        page.tab(name)
        others = {"dashboard", "scanner", "settings"} - {name}
        assert all(not page.visible(f"panel-{other}") for other in others)
        assert page.by_id(f"tab-{name}").get_attribute("aria-selected") == "true"
    # The arrow keys move between tabs, and the address keeps the tab for a reload.
    from selenium.webdriver.common.keys import Keys

    page.by_id("tab-dashboard").send_keys(Keys.ARROW_RIGHT)
    page.wait(lambda _: page.visible("panel-scanner"))
    assert page.driver.current_url.endswith("#scanner")
    page.driver.refresh()
    page.wait(lambda _: page.visible("panel-scanner"))


def test_the_tree_lists_folders_with_counts_and_loads_deeper_levels(page, web_library):
    page.open("scanner")
    page.wait_tree_loaded()
    for path, count in LIBRARY_COUNTS.items():
        expected = f"{count} link" + ("" if count == 1 else "s")
        assert tree_row_part(page, path, ".tree-count").text == expected, path
    # The awkward folder name is text, not markup.
    assert tree_row_part(page, AWKWARD, ".tree-name").text == AWKWARD
    assert not page.css("#tree b")
    # Children are folded until their parent is expanded.
    assert not page.css("#tree li[data-path='Movies/Alpha (2020)']")[0].is_displayed()
    tree_row_part(page, "Movies", ".tree-toggle").click()
    assert tree_row_part(page, "Movies/Alpha (2020)", ".tree-count").text == "1 link"
    # "Show X" sits below the first answer's depth: expanding it asks the server for more.
    tree_row_part(page, "Shows", ".tree-toggle").click()
    assert page.css("li[data-path='Shows/Show X'] li") == []
    tree_row_part(page, "Shows/Show X", ".tree-toggle").click()
    assert tree_row_part(page, "Shows/Show X/Season 1", ".tree-count").text == "2 links"
    # Ticking a folder covers its sub-folders and narrows the scan's scope.
    tick(page, "Movies")
    child = tree_row_part(page, "Movies/Alpha (2020)", "input[type='checkbox']")
    assert child.is_selected() and not child.is_enabled()
    assert "Movies" in page.by_id("selection-summary").text


def test_basic_dry_run_scan_shows_progress_then_findings(page, web_library, media_root):
    page.open("scanner")
    page.wait_tree_loaded()
    assert not page.visible("real-warning")
    page.select("scan-mode", "real")
    page.wait_for_text("real-warning", "propose removing")
    page.select("scan-mode", "dry-run")
    assert not page.visible("real-warning")
    tick(page, "Movies")
    tick(page, AWKWARD)
    assert "2 folders" in page.by_id("selection-summary").text

    start_and_finish(page)
    assert page.by_id("progress-bar").get_attribute("aria-valuenow") == "100"
    assert page.by_id("progress-phase").text == "done"
    assert {name: counter(page, "progress-counters", name) for name in ("analysed", "healthy", "broken", "small")} \
        == {"analysed": "4", "healthy": "1", "broken": "2", "small": "1"}

    rows = page.wait_findings(3)
    assert sorted(row["category"] for row in rows) == ["broken", "broken", "small"]
    # Links are shown relative to the media folder, the full path in their tooltip.
    awkward = [row for row in rows if AWKWARD in row["path"]]
    assert len(awkward) == 1 and awkward[0]["path"] == f"{AWKWARD}/{AWKWARD}.mkv"
    assert awkward[0]["category"] == "broken"
    full = os.path.join(os.path.realpath(media_root), AWKWARD, f"{AWKWARD}.mkv")
    assert page.css("#findings-body .finding-path")[rows.index(awkward[0])].get_attribute("title") == full
    assert not page.css("#findings-body b"), "a path was injected as HTML"
    assert all(row["path"].startswith("Movies/") or AWKWARD in row["path"] for row in rows)
    assert page.by_id("findings-total").text == "3 findings"
    assert not page.visible("error-banner")


def test_a_real_mode_scan_waits_for_confirmation(page, web_library):
    page.open("scanner")
    page.wait_tree_loaded()
    page.select("scan-mode", "real")
    assert page.visible("real-warning")
    tick(page, "Movies")
    page.by_id("scan-start").click()
    page.wait_scan_finished("awaiting_confirmation")
    assert page.by_id("progress-status").text == "waiting for confirmation"
    page.wait_findings(2)
    assert page.by_id("findings-status").text == "waiting for confirmation"
    assert "Waiting for confirmation" in page.wait_for_text("confirm-text", "Nothing has been removed")
    page.tab("dashboard")
    page.wait_for_text("latest-status", "waiting for confirmation")


def test_category_filter_and_paging(page, web_library):
    page.open("scanner")
    page.wait_tree_loaded()
    start_and_finish(page)
    assert len(page.wait_findings(14)) == 14
    assert page.by_id("findings-page").text == "page 1 of 1"

    page.select("findings-per-page", "10")
    first = page.wait_findings(10)
    assert page.by_id("findings-page").text == "page 1 of 2"
    assert not page.by_id("findings-prev").is_enabled() and page.by_id("findings-next").is_enabled()
    page.by_id("findings-next").click()
    second = page.wait_findings(4)
    assert page.by_id("findings-page").text == "page 2 of 2"
    assert not page.by_id("findings-next").is_enabled()
    assert len({row["path"] for row in first + second}) == 14
    page.by_id("findings-prev").click()
    page.wait_findings(10)
    assert page.by_id("findings-page").text == "page 1 of 2"

    page.select("findings-category", "small")
    rows = page.wait_findings(1)
    assert rows[0]["category"] == "small" and rows[0]["path"] == "Movies/Gamma (2022)/gamma.mkv"
    assert page.by_id("findings-total").text == "1 finding in category small"
    assert page.by_id("findings-page").text == "page 1 of 1"

    page.select("findings-category", "broken")
    rows = page.wait_findings(10)
    assert page.by_id("findings-total").text == "13 findings in category broken"
    page.by_id("findings-next").click()
    rows += page.wait_findings(3)
    assert {row["category"] for row in rows} == {"broken"} and len(rows) == 13

    page.select("findings-category", "corrupted")
    page.wait_findings(0)
    assert page.wait_for_text("findings-empty", "No corrupted findings")


def test_settings_save_round_trips_and_show_the_api_message(page, app):
    from linkdoctor.config import get_config

    page.open("settings")
    page.wait(lambda _: page.by_id("cfg-max_workers").get_attribute("value") == "6", message="settings never loaded")
    page.fill("cfg-max_workers", "3")
    page.fill("cfg-sonarr_host", "sonarr.lan")
    page.fill("cfg-sonarr_api_key", "abcdef123456")
    page.fill("cfg-source_roots", "/mnt/debrid\n/mnt/rclone")
    page.by_id("cfg-include_regular_files").click()
    page.by_id("settings-save").click()
    page.wait_for_text("settings-saved", "Settings saved")

    page.open("settings")  # a reload shows what the server kept
    page.wait(lambda _: page.by_id("cfg-max_workers").get_attribute("value") == "3", message="max_workers not kept")
    assert page.by_id("cfg-sonarr_host").get_attribute("value") == "sonarr.lan"
    assert page.by_id("cfg-sonarr_api_key").get_attribute("value") == "********3456"
    assert page.by_id("cfg-source_roots").get_attribute("value") == "/mnt/debrid\n/mnt/rclone"
    assert page.by_id("cfg-include_regular_files").is_selected()

    # The masked key is left alone when another field changes.
    page.fill("cfg-sonarr_port", "9000")
    page.by_id("settings-save").click()
    saved = page.wait_for_text("settings-saved", "sonarr_port")
    assert "api_key" not in saved
    with app.app_context():
        config = get_config()
        assert (config.max_workers, config.sonarr_port, config.sonarr_api_key) == (3, 9000, "abcdef123456")
        assert config.source_roots == ["/mnt/debrid", "/mnt/rclone"] and config.include_regular_files

    # A bad value shows the API's message in the label's words (issue 10) and marks the field; nothing is saved.
    page.fill("cfg-max_workers", "0")
    page.by_id("settings-save").click()
    page.wait_for_text("settings-error", "Workers must be between 1 and 64")
    assert page.by_id("cfg-max_workers").get_attribute("aria-invalid") == "true"
    assert not page.visible("settings-saved")
    with app.app_context():
        assert get_config().max_workers == 3


def test_service_buttons_answer_when_nothing_is_set_up(page, monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/docker.sock")  # read by the live server's thread
    page.open("settings")
    page.settings_section("arr")
    page.by_id("services-test").click()
    page.wait_for_text("services-result", "no Sonarr or Radarr instance is enabled")
    page.by_id("services-detect").click()
    page.wait_for_text("services-result", "no Docker socket found")
    # Nothing found is a warning, never a green success box.
    assert "banner-warning" in page.by_id("services-result").get_attribute("class").split()
    assert "banner-ok" not in page.by_id("services-result").get_attribute("class").split()
    assert page.by_id("services-detect").is_enabled()
    assert not page.visible("error-banner")


def test_start_while_a_scan_runs_attaches_to_it(page, app, web_library, screenshot_dir):
    page.open("scanner")
    page.wait_tree_loaded()
    scan_id, gate = hold_scan(app)  # started after the page loaded: the page does not know it
    try:
        page.by_id("scan-start").click()
        banner = page.wait_for_text("error-banner", "a scan is already running")
        assert f"#{scan_id}" in banner
        page.wait_for_text("progress-scan-id", f"#{scan_id}")
        page.wait(lambda _: page.by_id("progress-status").get_attribute("data-status") == "running",
                  message="the page never showed the running scan")
        assert page.visible("scan-cancel") and not page.by_id("scan-start").is_enabled()
        assert page.by_id("progress-eta").text not in ("", "—")
        page.screenshot(screenshot_dir, "scanner-running")
    finally:
        gate.set()
    page.wait_scan_finished()
    assert len(page.wait_findings(14)) == 14
    assert page.by_id("findings-scan-id").text == f"#{scan_id}"


def test_a_reload_follows_the_running_scan_and_cancel_stops_it(page, app, web_library):
    scan_id, gate = hold_scan(app)
    manager = app.extensions["linkdoctor.tasks"]
    try:
        page.open("scanner")
        page.wait_for_text("progress-scan-id", f"#{scan_id}")
        page.wait(lambda _: page.visible("scan-cancel"), message="no Cancel button for the running scan")
        page.by_id("scan-cancel").click()
        page.wait(lambda _: manager.active_job(scan_id) is None or manager.active_job(scan_id).cancel.is_set(),
                  message="Cancel never reached the server")
        page.wait_for_text("progress-message", "cancelling")
        # The scan has not stopped yet: the next polls still say so, beside the counts they bring.
        page.wait(lambda _: "links checked" in page.by_id("progress-message").text, message="no poll after Cancel")
        assert "cancelling" in page.by_id("progress-message").text
    finally:
        gate.set()
    page.wait(lambda _: page.by_id("scan-start").is_enabled() and not page.visible("scan-cancel"),
              message="the page never noticed the scan stopped")
    with app.app_context():
        from linkdoctor.scans import get_scan

        final = get_scan(scan_id).status
    # Released at its last progress report, a tiny scan may finish rather than stop: the page says which.
    assert final in ("cancelled", "completed")
    assert page.by_id("progress-status").get_attribute("data-status") == final
    page.wait_findings()


def test_history_opens_a_scan_and_screenshots_of_each_tab(page, web_library, screenshot_dir):
    page.open("scanner")
    page.wait_tree_loaded()
    tick(page, "Movies")
    start_and_finish(page)
    first_id = page.by_id("progress-scan-id").text.lstrip("#")
    page.wait_findings(2)
    tick(page, "Movies")  # untick: the whole library
    start_and_finish(page)
    page.wait_findings(14)

    page.tab("dashboard")
    page.wait(lambda _: len(page.css("#history-body tr")) == 2, message="history never showed both scans")
    assert page.by_id("latest-status").text == "completed"
    assert counter(page, "latest-counters", "broken") == "13"
    assert counter(page, "latest-counters", "analysed") == "17"
    assert page.by_id("latest-scope").text == "whole library"
    assert [row.find_elements("css selector", "td")[5].text for row in page.css("#history-body tr")] \
        == ["whole library", "Movies"]
    ids = [row.get_attribute("data-scan-id") for row in page.css("#history-body tr")]
    assert ids == [str(int(first_id) + 1), first_id]  # newest first
    dashboard = page.screenshot(screenshot_dir, "dashboard")

    page.click_first("#history-body tr:nth-child(2)")
    page.wait(lambda _: page.visible("panel-scanner"), message="a history row did not open the Scanner tab")
    page.wait_for_text("findings-scan-id", f"#{first_id}")
    rows = page.wait_findings(2)
    assert sorted(row["path"] for row in rows) == ["Movies/Beta (2021)/beta.mkv", "Movies/Gamma (2022)/gamma.mkv"]
    page.select("scan-mode", "real")
    tree_row_part(page, "Shows", ".tree-toggle").click()
    tree_row_part(page, "Shows/Show X", ".tree-toggle").click()
    page.tree_node("Shows/Show X/Season 1")
    page.select("findings-per-page", "10")
    scanner = page.screenshot(screenshot_dir, "scanner")
    page.driver.set_window_size(420, 900)  # a phone: one column, the tables scroll sideways
    narrow = page.screenshot(screenshot_dir, "scanner-narrow")
    page.driver.set_window_size(1280, 1000)

    page.tab("settings")
    page.wait(lambda _: page.by_id("cfg-max_workers").get_attribute("value") == "6")
    page.settings_section("arr")
    page.by_id("services-test").click()
    page.wait_for_text("services-result", "no Sonarr or Radarr instance is enabled")
    page.fill("cfg-max_workers", "0")
    page.by_id("settings-save").click()
    page.wait_for_text("settings-error", "Workers must be between")  # in the label's words
    settings = page.screenshot(screenshot_dir, "settings")

    for shot in (dashboard, scanner, narrow, settings):
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


def test_the_scanner_tab_first_shows_the_newest_scan(page, app, web_library, screenshot_dir):
    older = run_scan(app)
    newest = run_scan(app, paths=["Movies"], mode="real")
    page.open("dashboard")
    page.wait(lambda _: len(page.css("#history-body tr")) == 2, message="history never showed both scans")
    page.tab("scanner")

    # Nothing clicked but the tab: the newest scan's status, findings and proposed removals.
    page.wait_for_text("progress-scan-id", f"#{newest}")
    page.wait_for_text("progress-message", "The scan finished and is waiting for confirmation.")
    assert page.by_id("progress-status").get_attribute("data-status") == "awaiting_confirmation"
    assert page.by_id("progress-bar").get_attribute("aria-valuenow") == "100"
    assert counter(page, "progress-counters", "analysed") == "3"
    assert page.by_id("scan-start").is_enabled() and not page.visible("scan-cancel")
    page.wait_for_text("findings-scan-id", f"#{newest}")
    rows = page.wait_findings(2)
    assert sorted(row["path"] for row in rows) == ["Movies/Beta (2021)/beta.mkv", "Movies/Gamma (2022)/gamma.mkv"]
    page.wait_for_text("confirm-count", "2 links proposed")
    assert len(page.css("#findings-body input.propose-check")) == 2
    assert not page.visible("removal-block") and not page.visible("error-banner")
    page.screenshot(screenshot_dir, "scanner-first-open")

    # Opened from the history, an older scan replaces it; coming back to the tab keeps the choice.
    page.tab("dashboard")
    page.click_first(f"#history-body tr[data-scan-id='{older}']")
    page.wait_for_text("findings-scan-id", f"#{older}")
    page.wait_findings(14)
    page.tab("dashboard")
    page.tab("scanner")
    assert page.by_id("findings-scan-id").text == f"#{older}"
    assert not page.visible("confirm-block")


def test_the_scanner_tab_follows_a_scan_started_elsewhere(page, app, web_library):
    page.open("scanner")
    page.wait_tree_loaded()
    assert not page.visible("progress-block") and not page.visible("findings-block")  # no scan kept yet
    page.tab("dashboard")
    scan_id, gate = hold_scan(app)  # the page does not know it yet
    try:
        page.tab("scanner")
        page.wait_for_text("progress-scan-id", f"#{scan_id}")
        page.wait(lambda _: page.by_id("progress-status").get_attribute("data-status") == "running",
                  message="the page never followed the running scan")
        assert page.visible("scan-cancel") and not page.by_id("scan-start").is_enabled()
    finally:
        gate.set()
    page.wait_scan_finished()
    assert len(page.wait_findings(14)) == 14
    assert not page.visible("error-banner")


def test_start_and_cancel_from_the_keyboard_keep_the_focus_on_the_scan_buttons(page, app, web_library, monkeypatch):
    from linkdoctor.scanner.engine import ScanEngine

    gate = threading.Event()  # the scan started from the page waits here until the page cancels it
    original = ScanEngine._run_phase1

    def held(self, candidates):
        while not gate.wait(0.05) and not self.cancel.is_set():
            pass
        return original(self, candidates)

    monkeypatch.setattr(ScanEngine, "_run_phase1", held)
    active = lambda: page.driver.execute_script("return document.activeElement.id")
    page.open("scanner")
    page.wait_tree_loaded()
    try:
        page.driver.execute_script("document.getElementById('scan-start').focus()")
        ActionChains(page.driver).send_keys(Keys.ENTER).perform()
        page.wait(lambda _: page.visible("scan-cancel") and active() == "scan-cancel",
                  message="the focus did not go to Cancel once the scan ran")
        ActionChains(page.driver).send_keys(Keys.ENTER).perform()
        page.wait(lambda _: page.by_id("scan-start").is_enabled() and active() == "scan-start",
                  message="the focus did not come back to Start once the scan stopped")
    finally:
        gate.set()
    assert page.by_id("progress-status").get_attribute("data-status") == "cancelled"
