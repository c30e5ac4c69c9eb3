"""Issue 10 in Chromium: with the server unreachable the page says so, keeps its data, and comes back."""

import pytest

from tests.support.api import hold_scan, run_scan
from tests.support.browser import requires_chromium

pytestmark = [requires_chromium, pytest.mark.usefixtures("window")]  # each test at desktop and phone sizes


def go_offline(page, offline: bool) -> None:
    """Chromium's own network emulation: every request of the page fails as on a dead network."""
    page.driver.set_network_conditions(offline=offline, latency=0, download_throughput=-1, upload_throughput=-1)


def test_offline_state_disables_controls_keeps_data_and_recovers(page, app, library, screenshot_dir):
    library.healthy("Movies/A/a.mkv")
    scan_id = run_scan(app)
    page.open("dashboard")
    page.wait(lambda _: len(page.css("#history-body tr")) == 1, message="history not shown")
    go_offline(page, True)
    page.by_id("dashboard-refresh").click()
    page.wait(lambda _: page.visible("offline-banner"), message="no offline state")
    assert len(page.css("#history-body tr")) == 1  # the last data stays
    # (A request sent just before the network went down may still answer and flip the state once.)
    page.wait(lambda _: page.visible("offline-banner") and not page.by_id("dashboard-refresh").is_enabled(),
              message="the controls stayed enabled while offline")
    page.screenshot(screenshot_dir, "offline")
    go_offline(page, False)
    page.wait(lambda _: not page.visible("offline-banner"), timeout=40, message="never came back by itself")
    page.wait(lambda _: page.by_id("dashboard-refresh").is_enabled(), message="controls stayed disabled")
    assert f"#{scan_id}" in page.by_id("history-body").text


def test_a_running_scan_shows_status_unknown_and_no_cancel_while_offline(page, app, web_library):
    scan_id, gate = hold_scan(app)
    try:
        page.open("scanner")
        page.wait_for_text("progress-scan-id", f"#{scan_id}")
        page.wait(lambda _: page.visible("scan-cancel"), message="no Cancel while running")
        assert page.by_id("progress-mode").text.startswith("dry-run")
        go_offline(page, True)
        page.wait(lambda _: page.by_id("progress-status").text == "status unknown", timeout=20,
                  message="the scan still looked running while offline")
        page.wait(lambda _: not page.visible("scan-cancel"), message="Cancel stayed shown while offline")
        go_offline(page, False)
        page.wait(lambda _: page.by_id("progress-status").get_attribute("data-status") == "running", timeout=40,
                  message="the running state never came back")
        page.wait(lambda _: page.visible("scan-cancel"), message="Cancel never came back")
    finally:
        gate.set()
    page.wait_scan_finished()
