"""Issue 10 in Chromium: a waiting proposal is never hidden nor lost, and the Dashboard's new blocks."""

import os

import pytest
from selenium.common.exceptions import StaleElementReferenceException

from tests.support.api import hold_scan, run_scan
from tests.support.browser import requires_chromium

pytestmark = [requires_chromium, pytest.mark.usefixtures("window")]  # each test at desktop and phone sizes


def click_first(page, selector) -> bool:
    """Click the first match; False while the table is being drawn again (the element went stale)."""
    try:
        page.css(selector)[0].click()
        return True
    except (IndexError, StaleElementReferenceException):
        return False


@pytest.fixture
def waiting_library(library):
    """Two broken links among healthy ones: a real scan proposes them and the guard lets it."""
    for i in range(4):
        library.healthy(f"Movies/Ok {i}/ok{i}.mkv")
    return [library.broken(f"Movies/Bad {i}/bad{i}.mkv") for i in range(2)]


def test_a_waiting_proposal_shows_a_banner_on_every_tab_and_opens_it(page, app, waiting_library, screenshot_dir):
    scan_id = run_scan(app, mode="real")
    page.open("dashboard")
    banner = page.wait_for_text("waiting-banner", "waits for your confirmation")
    assert f"Scan #{scan_id}" in banner  # a scan is "Scan #N", a job "Import job N"
    page.tab("settings")
    assert page.visible("waiting-banner")
    page.screenshot(screenshot_dir, "waiting-banner")
    page.by_id("waiting-open").click()
    page.wait_for_text("findings-scan-id", f"#{scan_id}")
    page.wait(lambda _: page.visible("confirm-block"), message="the proposal panel was not shown")
    in_view = page.driver.execute_script(
        "const r = document.getElementById('confirm-block').getBoundingClientRect();"
        "return r.top < window.innerHeight && r.bottom > 0;")
    assert in_view


def test_starting_another_scan_asks_and_keep_leaves_the_proposal_waiting(page, app, waiting_library):
    waiting = run_scan(app, mode="real")
    page.open("scanner")
    page.wait_tree_loaded()
    page.by_id("scan-start").click()
    page.wait(lambda _: page.visible("waiting-dialog"), message="no question about the waiting scan")
    assert f"#{waiting}" in page.by_id("waiting-dialog").text
    page.by_id("waiting-keep").click()
    page.wait_scan_finished()
    with app.app_context():
        from linkdoctor import scans

        statuses = {s["scan_id"]: s["status"] for s in scans.history()}
    assert statuses[waiting] == "awaiting_confirmation" and len(statuses) == 2
    assert all(os.path.islink(link) for link in waiting_library)
    assert page.visible("waiting-banner")


def test_discard_closes_the_proposal_before_the_new_scan(page, app, waiting_library):
    waiting = run_scan(app, mode="real")
    page.open("scanner")
    page.wait_tree_loaded()
    page.by_id("scan-start").click()
    page.wait(lambda _: page.visible("waiting-dialog"), message="no question about the waiting scan")
    page.by_id("waiting-discard").click()
    page.wait_scan_finished()
    with app.app_context():
        from linkdoctor import scans

        assert scans.get_scan(waiting).status == "discarded"
    assert all(os.path.islink(link) for link in waiting_library)  # nothing removed
    page.wait(lambda _: not page.visible("waiting-banner"), message="the banner stayed after the discard")


def test_cancel_in_the_question_starts_nothing(page, app, waiting_library):
    run_scan(app, mode="real")
    page.open("scanner")
    page.wait_tree_loaded()
    page.by_id("scan-start").click()
    page.wait(lambda _: page.visible("waiting-dialog"), message="no question about the waiting scan")
    page.by_id("waiting-cancel").click()
    with app.app_context():
        from linkdoctor import scans

        assert len(scans.history()) == 1


def test_run_again_repeats_folders_mode_and_depth(page, app, waiting_library):
    first = run_scan(app, paths=["Movies/Ok 1"], verification_depth="basic")
    page.open("dashboard")
    page.wait(lambda _: len(page.css("#history-body tr")) == 1, message="history not shown")
    page.wait(lambda _: click_first(page, "#history-body .run-again"), message="Run again could not be clicked")
    page.wait_scan_finished()
    with app.app_context():
        from linkdoctor import scans

        history = scans.history()
    assert [s["scan_id"] for s in history][1] == first
    again, before = history[0], history[1]
    assert (again["selected_paths"], again["mode"], again["verification_depth"]) == (
        before["selected_paths"], before["mode"], before["verification_depth"])


def test_run_again_waits_while_a_scan_runs(page, app, waiting_library):
    run_scan(app, paths=["Movies/Ok 1"], verification_depth="basic")
    scan_id, gate = hold_scan(app)  # running when the page opens: the Scanner follows it
    try:
        page.open("dashboard")
        page.tab("dashboard")  # the page opens on the running scan; the user goes to the Dashboard
        page.wait(lambda _: len(page.css("#history-body tr")) == 2, message="history not shown")
        buttons = page.css("#history-body .run-again")
        assert buttons and not any(button.is_enabled() for button in buttons)
        assert f"#{scan_id} is running" in buttons[0].get_attribute("title")
    finally:
        gate.set()
    # Once it ended (the Scanner tab saw it), Run again can start one.
    page.wait(lambda _: all(b.is_enabled() for b in page.css("#history-body .run-again")),
              message="Run again stayed disabled after the scan ended")
    assert not page.visible("error-banner")


def test_the_dashboard_shows_services_categories_and_a_new_scan_button(page, app, screenshot_dir):
    page.open("dashboard")
    page.wait_for_text("system-facts", "ffprobe")
    facts = page.by_id("system-facts").text.lower()  # the terms are shown in capitals by the CSS
    assert "database" in facts and "data folder" in facts and "not found" not in facts
    # The help is open on a desktop, folded on a phone (the Dashboard stays short there): one tap opens it.
    details = page.by_id("categories-details")
    assert (details.get_attribute("open") is not None) == (page.size_name == "desktop")
    if page.size_name == "phone":
        page.by_id("categories-heading").click()
    assert "the target is missing" in page.by_id("category-help").text
    page.wait(lambda _: page.visible("latest-empty"), message="no empty state")
    page.by_id("latest-new-scan").click()
    page.wait(lambda _: page.visible("panel-scanner"), message="New scan did not open the Scanner")
    page.tab("dashboard")
    page.screenshot(screenshot_dir, "dashboard-empty")


def confirmed(app, **body):
    client = app.test_client()
    from tests.support.api import wait_for_scan

    scan_id = client.post("/api/symlink/scan/start", json={"mode": "real", **body}).get_json()["scan_id"]
    status = wait_for_scan(client, scan_id)
    client.post(f"/api/symlink/scan/{scan_id}/confirm", json={"token": status["confirmation"]["token"], "force": True})
    return scan_id


def test_the_quarantine_across_scans_restores_chosen_links_and_purges(page, app, library, screenshot_dir):
    library.healthy("Movies/Ok/ok.mkv")
    first = library.broken("Movies/One/one.mkv")
    confirmed(app)
    second = library.broken("Movies/Two/two.mkv")
    confirmed(app)
    # A link repair-links sent to the quarantine (no candidate): listed too, under its own name.
    from linkdoctor.library.repair import quarantine_link

    settings = app.config["LINKDOCTOR_SETTINGS"]
    third = library.broken("Movies/Three/three.mkv")
    with app.app_context():
        quarantine_link(str(third), os.readlink(third), str(library.root), settings.data_dir,
                        settings.quarantine_dir)
    page.open("quarantine")  # its own tab since issue 22
    page.wait(lambda _: len(page.css("#qv-body tr")) == 3, message="the quarantine was not listed")
    assert "3 link(s) in the quarantine" in page.by_id("qv-summary").text
    scans = {row.find_element("css selector", "td[data-label='Link'] .named-path-name").text:
             row.find_element("css selector", "td[data-label='Scan']").text for row in page.css("#qv-body tr")}
    assert scans["three.mkv"] == "repair-links" and scans["one.mkv"].startswith("#")
    page.screenshot(screenshot_dir, "quarantine-view")
    pick = [box for box in page.css("#qv-body input.quarantine-pick")
            if "One/one.mkv" in box.find_element("xpath", "ancestor::tr").get_attribute("textContent")][0]
    pick.click()
    page.by_id("qv-restore").click()
    page.wait_for_text("qv-result", "Restored 1 link(s)")
    assert os.path.islink(first) and not os.path.lexists(second)
    page.wait(lambda _: len(page.css("#qv-body tr")) == 2, message="the restored link stayed listed")
    app.test_client().post("/api/symlink/config", json={"quarantine_retention_days": 0})
    page.by_id("qv-purge").click()
    alert = page.driver.switch_to.alert
    assert "cannot be restored" in alert.text
    alert.accept()
    page.wait_for_text("qv-result", "Purged 2 link(s)")
    page.wait(lambda _: page.visible("qv-empty"), message="the purged links stayed listed")
    assert not os.path.lexists(second) and not os.path.lexists(third)


def arr_rows(page) -> dict:
    """The Dashboard's Sonarr/Radarr lines by instance name: (state, text of the verdict)."""
    return {row.get_attribute("data-name"): (row.get_attribute("data-state"), row.find_element(
        "css selector", ".arr-state").text) for row in page.css("#arr-services li")}


def test_the_dashboard_shows_each_enabled_instance_with_its_last_connection_test(
        page, app, client, sonarr, radarr, screenshot_dir):
    page.open("dashboard")
    page.wait(lambda _: page.visible("arr-none"), message="no word that no instance is enabled")
    assert not page.visible("arr-test")
    client.post("/api/symlink/config", json={
        "sonarr_enabled": True, "sonarr_host": "127.0.0.1", "sonarr_port": sonarr.port, "sonarr_api_key": sonarr.api_key,
        "radarr_enabled": True, "radarr_host": "127.0.0.1", "radarr_port": radarr.port, "radarr_api_key": "wrong-key-123",
        "arr_instances": [{"kind": "sonarr", "name": "Old", "host": "127.0.0.1", "port": 1, "api_key": "x",
                           "enabled": False}],
    })
    page.driver.refresh()  # the page loaded again: the Settings form too
    page.open("dashboard")
    page.wait(lambda _: arr_rows(page) == {"Sonarr": ("untested", "not tested yet"),
                                           "Radarr": ("untested", "not tested yet")},
              message="the enabled instances were not listed as not tested yet")
    page.by_id("arr-test").click()
    page.wait(lambda _: arr_rows(page)["Sonarr"][0] == "ok" and arr_rows(page)["Radarr"][0] == "failed",
              message="the test's verdicts never showed")
    rows = arr_rows(page)
    assert rows["Sonarr"][1] == "connected · v4.0.19.2546 · tested just now"
    assert rows["Radarr"][1].startswith("failed: ") and "wrong API key" in rows["Radarr"][1]
    assert rows["Radarr"][1].endswith(" · tested just now")
    assert "Old" not in rows  # disabled: not shown, not as failing either
    page.screenshot(screenshot_dir, "dashboard-services")

    # Five minutes later (the stored time moved back), and a test made from Settings shows here too.
    with app.app_context():
        from datetime import datetime, timedelta, timezone

        from linkdoctor.config import get_config
        from linkdoctor.models import db

        config = get_config()
        earlier = (datetime.now(timezone.utc) - timedelta(minutes=5, seconds=10)).isoformat(timespec="seconds")
        config.service_tests = {key: {**test, "tested_at": earlier} for key, test in config.service_tests.items()}
        db.session.commit()
    page.by_id("dashboard-refresh").click()
    page.wait(lambda _: arr_rows(page)["Sonarr"][1] == "connected · v4.0.19.2546 · tested 5 min ago",
              message="the age of the test was not shown")
    page.by_id("arr-settings").click()
    page.wait(lambda _: page.visible("panel-settings"), message="the link did not open Settings")
    page.wait(lambda _: page.by_id("cfg-sonarr_port").get_attribute("value") == str(sonarr.port),
              message="settings not loaded")
    page.by_id("services-test").click()
    page.wait_for_text("services-result", "1 of 2")
    page.tab("dashboard")
    page.wait(lambda _: arr_rows(page)["Sonarr"][1].endswith("tested just now"),
              message="the Settings test did not reach the Dashboard")
