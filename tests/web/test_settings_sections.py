"""Issue 22, Settings like the *arr apps, in Chromium at 1400x900 and 390x844: sections one at a time (no
endless page on a phone), a Save bar that lights up and stays in view once something changed, Test with
the form's unsaved values (and another app named as such), secrets masked with Show and Copy, path
mappings and media servers as rows saved as the same settings."""

import pytest

from linkdoctor.config import get_config
from tests.fakes.media import FakePlex
from tests.support.browser import requires_chromium

pytestmark = requires_chromium

SIZES = {"desktop": (1400, 900, False), "phone": (390, 844, True)}
SECTIONS = ("general", "scanning", "arr", "media", "notifications", "schedules", "ignores", "security")


def open_settings(page, size):
    width, height, phone = SIZES[size]
    page.viewport(width, height, phone)
    page.size_name = size
    page.open("settings")
    page.wait(lambda _: page.by_id("cfg-max_workers").get_attribute("value") not in (None, ""),
              message="the settings never loaded")
    return height


def save_bar(page) -> dict:
    return page.driver.execute_script("""
        const bar = document.getElementById('settings-footer').getBoundingClientRect();
        return {top: bar.top, bottom: bar.bottom, height: window.innerHeight,
                dirty: document.getElementById('settings-footer').dataset.dirty,
                page: document.scrollingElement.scrollHeight};""")


@pytest.mark.parametrize("size", SIZES)
def test_sections_are_short_and_the_save_bar_stays_in_view_once_something_changed(page, screenshot_dir, size):
    height = open_settings(page, size)
    for section in SECTIONS:
        page.settings_section(section)
        shown = [n.get_attribute("data-settings-section") for n in page.css("#panel-settings [data-settings-section]")
                 if n.is_displayed()]
        assert shown and set(shown) == {section}, (section, shown)
        tall = page.driver.execute_script("return document.scrollingElement.scrollHeight")
        assert tall <= 3 * height, f"the {section} section is {tall} px tall at {size}"
        page.screenshot(screenshot_dir, f"settings-section-{section}")
    # The longest form section on a phone: an edit lights the bar up, and it stays at the window's bottom
    # wherever the page is scrolled.
    page.settings_section("arr")
    assert save_bar(page)["dirty"] == "false"
    page.fill("cfg-sonarr_host", "sonarr.lan")
    page.wait(lambda _: save_bar(page)["dirty"] == "true", message="the Save bar did not light up")
    for where in ("0", "document.scrollingElement.scrollHeight / 2"):
        page.driver.execute_script(f"window.scrollTo(0, {where})")
        bar = save_bar(page)
        assert 0 <= bar["top"] and bar["bottom"] <= bar["height"] + 1, (where, bar)
    assert page.by_id("settings-save").is_displayed()
    page.screenshot(screenshot_dir, "settings-save-bar-lit")
    # Another section keeps the bar (and the unsaved edit); Save saves it from there.
    page.settings_section("schedules")
    assert page.visible("settings-footer") and page.visible("settings-dirty")
    page.by_id("settings-save").click()
    page.wait_for_text("settings-saved", "sonarr_host")
    page.wait(lambda _: save_bar(page)["dirty"] == "false", message="the bar stayed lit after saving")


@pytest.mark.parametrize("size", SIZES)
def test_test_tries_the_form_unsaved_and_names_another_app(page, app, sonarr, radarr, size):
    open_settings(page, size)
    page.settings_section("arr")
    page.fill("cfg-sonarr_host", "127.0.0.1")
    page.fill("cfg-sonarr_port", str(sonarr.port))
    page.fill("cfg-sonarr_api_key", sonarr.api_key)
    assert page.by_id("cfg-sonarr_api_key").get_attribute("type") == "password"  # masked while typed
    page.click_first(".arr-test[data-arr-kind='sonarr']")
    result = page.css(".arr-test-result[data-arr-kind='sonarr']")[0]
    page.wait(lambda _: "connected to Sonarr" in result.text, message="the unsaved Sonarr was not tested")
    with app.app_context():
        assert get_config().sonarr_host != "127.0.0.1"  # tested, not saved
    # Radarr's address in the Sonarr slot (Radarr refuses Sonarr's key): named, not "wrong API key".
    radarr.api_key = "f" * 32
    page.fill("cfg-sonarr_port", str(radarr.port))
    page.click_first(".arr-test[data-arr-kind='sonarr']")
    page.wait(lambda _: "this is Radarr, not Sonarr" in result.text, message="Radarr was not named")
    assert "wrong API key" not in result.text and "error-text" in result.get_attribute("class")
    # A port that is no port: the server's message, no error page.
    page.fill("cfg-sonarr_port", "")
    page.click_first(".arr-test[data-arr-kind='sonarr']")
    page.wait(lambda _: "port must be between 1 and 65535" in result.text, message="no message for a bad port")


@pytest.mark.parametrize("size", SIZES)
def test_secrets_are_masked_until_shown_and_the_app_key_is_not_shown_in_full(page, app, size):
    from tests.support.appstate import api_key

    open_settings(page, size)
    page.settings_section("general")
    page.fill("cfg-tmdb_api_key", "a-typed-tmdb-key-1234")
    field = page.by_id("cfg-tmdb_api_key")
    assert field.get_attribute("type") == "password"
    # Wide enough to see what was typed or pasted (it once shared its row and was 50 px wide), and the
    # folder-name lists show four names without scrolling.
    assert field.size["width"] >= (300 if size == "desktop" else 200), field.size
    assert page.by_id("cfg-series_folders").get_attribute("rows") == "4"
    show = page.css("#panel-settings [aria-label='Show TMDB API key']")[0]
    show.click()
    assert field.get_attribute("type") == "text" and show.get_attribute("aria-pressed") == "true"
    assert page.css("#panel-settings [aria-label='Copy TMDB API key']")[0].is_enabled()
    page.settings_section("security")
    page.wait(lambda _: len(page.by_id("api-key").get_attribute("value")) == 32, message="no API key")
    assert page.by_id("api-key").get_attribute("type") == "password"  # dots until asked
    page.by_id("api-key-show").click()
    assert page.by_id("api-key").get_attribute("type") == "text"
    assert page.by_id("api-key").get_attribute("value") == api_key(app)


@pytest.mark.parametrize("size", SIZES)
def test_path_mappings_are_rows_and_media_servers_rows_tested_unsaved(page, app, screenshot_dir, size):
    open_settings(page, size)
    page.settings_section("arr")
    editor = page.by_id("cfg-path_mappings").find_element("xpath", "following-sibling::div[@class='mappings']")
    for remote, local in (("/tv", "/medias/Series"), ("/movies", "/medias/Films")):
        editor.find_element("css selector", ".mapping-add").click()
        row = editor.find_elements("css selector", ".mapping-row")[-1]
        row.find_element("css selector", ".mapping-remote").send_keys(remote)
        row.find_element("css selector", ".mapping-local").send_keys(local)
    editor.find_element("css selector", ".mapping-add").click()  # an empty row is left out
    editor.find_elements("css selector", ".mapping-remove")[0].click()  # /tv removed again
    plex = FakePlex().start()
    try:
        page.settings_section("media")
        page.by_id("media-add-plex").click()
        box = page.css("#media-servers-list .media-server")[-1]
        box.find_element("css selector", ".media-url").send_keys(plex.url)
        token = box.find_element("css selector", ".media-token")
        token.send_keys(plex.token)
        assert token.get_attribute("type") == "password"
        box.find_element("css selector", ".media-test").click()
        result = box.find_element("css selector", ".media-test-result")
        page.wait(lambda _: "OK, version 1.41.3.9314-a0bfb8370" in result.text, message="the Plex row was not tested")
        with app.app_context():
            assert get_config().media_servers == []  # tested, not saved
        page.screenshot(screenshot_dir, "settings-media-row")
        page.by_id("settings-save").click()
        page.wait_for_text("settings-saved", "media_servers")
    finally:
        plex.stop()
    with app.app_context():
        config = get_config()
        assert config.path_mappings == [{"remote": "/movies", "local": "/medias/Films"}]
        assert [(s["kind"], s["url"], s["token"]) for s in config.media_servers] == [("plex", plex.url, plex.token)]
    # A reload shows the saved rows, the token masked.
    page.open("settings")
    page.settings_section("arr")
    page.wait(lambda _: [i.get_attribute("value") for i in page.css(".mappings .mapping-remote")][:1] == ["/movies"],
              message="the saved mapping is not a row")
    page.settings_section("media")
    token = page.css("#media-servers-list .media-token")[0].get_attribute("value")
    assert token.startswith("********") and plex.token not in token


def shown_section(page) -> str:
    return page.css('#settings-sections [aria-current="true"]')[0].get_attribute("data-section")


def test_the_address_names_the_section_so_a_reload_or_a_link_opens_it(page):
    open_settings(page, "desktop")
    page.wait(lambda _: page.driver.execute_script("return location.hash") == "#/settings/general",
              message="the address did not name the section shown")
    page.settings_section("notifications")
    assert page.driver.execute_script("return location.hash") == "#/settings/notifications"
    page.driver.refresh()
    page.wait(lambda d: d.find_element("css selector", "body").get_attribute("data-ready") == "true")
    assert page.visible("panel-settings") and shown_section(page) == "notifications"
    # A link to a section (from a bookmark, or a note): that section, even if another was shown last.
    page.open("/settings/arr")
    page.wait(lambda _: page.visible("panel-settings") and shown_section(page) == "arr",
              message="the link did not open the Sonarr & Radarr section")
    assert page.by_id("cfg-sonarr_host").is_displayed()
    # Sections are not steps of the history: Back leaves Settings for the tab shown before it.
    page.tab("dashboard")
    page.tab("settings")
    assert page.driver.execute_script("return location.hash") == "#/settings/arr"
    page.driver.back()
    page.wait(lambda _: page.visible("panel-dashboard"), message="Back did not return to the Dashboard")
