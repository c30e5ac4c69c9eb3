"""Issue 10 in Chromium: Settings edits are never lost silently, and every invalid field is shown at once."""

import pytest

from tests.support.browser import requires_chromium
from tests.support.pages import open_alert

pytestmark = [requires_chromium, pytest.mark.usefixtures("window")]  # each test at desktop and phone sizes


def stored(app, name):
    from linkdoctor.config import get_config
    from linkdoctor.models import db

    with app.app_context():
        db.session.expire_all()
        return getattr(get_config(), name)


def open_settings(page):
    page.open("settings")
    page.wait(lambda _: page.by_id("cfg-max_workers").get_attribute("value") not in (None, ""),
              message="the settings never loaded")


def test_an_edit_marks_the_form_and_clears_a_stale_saved_banner(page, app):
    open_settings(page)
    assert not page.visible("settings-dirty")
    page.fill("cfg-max_workers", "7")
    page.wait(lambda _: page.visible("settings-dirty"), message="no unsaved-changes mark")
    page.by_id("settings-save").click()
    page.wait_for_text("settings-saved", "Settings saved")
    assert stored(app, "max_workers") == 7 and not page.visible("settings-dirty")
    page.fill("cfg-max_workers", "8")
    page.wait(lambda _: not page.visible("settings-saved"), message="the old 'saved' banner stayed")
    assert page.visible("settings-dirty")


def test_leaving_the_tab_with_unsaved_changes_asks_and_can_stay(page, app):
    open_settings(page)
    page.fill("cfg-scans_to_keep", "9")
    page.by_id("tab-dashboard").click()
    alert = page.wait(lambda driver: open_alert(driver), message="no question before leaving")
    assert "unsaved" in alert.text
    alert.dismiss()
    assert page.visible("panel-settings") and page.by_id("cfg-scans_to_keep").get_attribute("value") == "9"
    page.by_id("tab-dashboard").click()
    page.wait(lambda driver: open_alert(driver), message="no question before leaving").accept()
    page.wait(lambda _: page.visible("panel-dashboard"), message="accepting did not leave")
    assert stored(app, "scans_to_keep") == 3  # nothing saved


def test_discard_asks_before_dropping_the_edits(page, app):
    open_settings(page)
    page.fill("cfg-scans_to_keep", "9")
    page.by_id("settings-reset").click()
    page.wait(lambda driver: open_alert(driver), message="Discard did not ask").dismiss()
    assert page.by_id("cfg-scans_to_keep").get_attribute("value") == "9"
    page.by_id("settings-reset").click()
    page.wait(lambda driver: open_alert(driver), message="Discard did not ask").accept()
    page.wait(lambda _: page.by_id("cfg-scans_to_keep").get_attribute("value") == "3", message="not discarded")
    assert not page.visible("settings-dirty")


def test_every_invalid_field_is_shown_beside_it_in_the_labels_words(page, app, screenshot_dir):
    open_settings(page)
    page.fill("cfg-max_workers", "0")
    page.fill("cfg-file_timeout", "9999")
    page.by_id("settings-save").click()
    page.wait(lambda _: page.visible("settings-error"), message="no error shown")
    workers = page.wait(lambda _: page.by_id("cfg-max_workers-error"), message="no note beside Workers")
    timeout = page.by_id("cfg-file_timeout-error")
    assert workers.text.startswith("Workers must be between")
    assert timeout.text.startswith("Link check timeout (s) must be between")
    assert page.by_id("cfg-max_workers").get_attribute("aria-invalid") == "true"
    assert "2 settings need attention" in page.by_id("settings-error").text
    page.screenshot(screenshot_dir, "settings-errors")
    assert stored(app, "max_workers") == 6


def test_the_tmdb_key_and_address_are_set_in_settings_and_the_key_stays_masked(page, app):
    token = "eyJhbGciOiJIUzI1NiJ9." + "a" * 120  # a v4 read access token is long
    open_settings(page)
    page.fill("cfg-tmdb_api_key", token)
    page.fill("cfg-tmdb_base_url", "ftp://tmdb.example")
    page.by_id("settings-save").click()
    page.wait(lambda _: "http" in page.by_id("cfg-tmdb_base_url-error").text,
              message="the bad address was not refused beside its field")
    assert stored(app, "tmdb_api_key") == ""  # nothing saved while a field is wrong
    page.fill("cfg-tmdb_base_url", "https://tmdb.example/3")
    page.by_id("settings-save").click()
    page.wait_for_text("settings-saved", "Settings saved")
    assert (stored(app, "tmdb_api_key"), stored(app, "tmdb_base_url")) == (token, "https://tmdb.example/3")
    page.open("settings")  # a reload shows the key masked, never in full
    page.wait(lambda _: page.by_id("cfg-tmdb_api_key").get_attribute("value") not in (None, ""), message="not loaded")
    shown = page.by_id("cfg-tmdb_api_key").get_attribute("value")
    assert token not in shown and shown.startswith("*")
