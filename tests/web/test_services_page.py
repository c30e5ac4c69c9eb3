"""Sonarr/Radarr in the web UI (real Chromium, real server, fake Sonarr/Radarr/Docker Engine on 127.0.0.1):
instances, a Test button per instance, Detect with Apply, and the follow-up of a confirmed cleanup."""

from linkdoctor.config import get_config
from tests.fakes.docker_engine import config_xml
from tests.support.browser import requires_chromium
from tests.support.pages import confirm, scan, wait_panel

pytestmark = requires_chromium


def test_an_instance_is_added_saved_and_tested_next_to_itself(page, app, client, sonarr, radarr, screenshot_dir):
    client.post("/api/symlink/config", json={"sonarr_enabled": True, "sonarr_host": "127.0.0.1",
                                             "sonarr_port": sonarr.port, "sonarr_api_key": sonarr.api_key})
    page.open("settings")
    page.wait(lambda _: page.by_id("cfg-sonarr_port").get_attribute("value") == str(sonarr.port))
    page.settings_section("arr")
    page.by_id("arr-add-radarr").click()
    row = page.css("#arr-instances .arr-instance")[-1]
    for field, value in (("name", "4K"), ("host", "127.0.0.1"), ("port", str(radarr.port)), ("api_key", "wrong")):
        box = row.find_element("css selector", f"[data-field='{field}']")
        box.clear()
        box.send_keys(value)
    page.by_id("settings-save").click()
    page.wait_for_text("settings-saved", "arr_instances")
    with app.app_context():
        [saved] = get_config().arr_instances
        assert (saved["name"], saved["port"], saved["api_key"]) == ("4K", radarr.port, "wrong")
    # The first Sonarr's own Test button: its verdict next to it.
    page.click_first(".arr-test[data-arr-kind='sonarr']")
    first = page.css(".arr-test-result[data-arr-kind='sonarr']")[0]
    page.wait(lambda _: "connected to Sonarr" in first.text, message="no verdict next to the Sonarr fieldset")
    row = page.css("#arr-instances .arr-instance")[-1]
    assert row.find_element("css selector", "[data-field='api_key']").get_attribute("value") == "********"
    row.find_element("css selector", ".arr-test").click()
    result = row.find_element("css selector", ".arr-test-result")
    page.wait(lambda _: "wrong API key" in result.text, message="no verdict next to the 4K Radarr")
    assert "error-text" in result.get_attribute("class")
    # Saving again without touching the masked key keeps the stored one.
    page.by_id("settings-save").click()
    page.wait_for_text("settings-saved", "Nothing to save")
    with app.app_context():
        assert get_config().arr_instances[0]["api_key"] == "wrong"
    page.screenshot(screenshot_dir, "settings-arr-instances")


def test_detect_lists_suggestions_and_apply_saves_one(page, app, monkeypatch, docker_engine, sonarr, radarr):
    monkeypatch.setenv("LINKDOCTOR_IN_CONTAINER", "0")
    docker_engine.add_container("sonarr", "lscr.io/linuxserver/sonarr", 8989, published=sonarr.port,
                                config=config_xml(sonarr.api_key, 8989))
    docker_engine.add_container("radarr", "ghcr.io/hotio/radarr", 7878, published=radarr.port,
                                env={"RADARR__AUTH__APIKEY": radarr.api_key})
    page.open("settings")
    page.settings_section("arr")
    page.by_id("services-detect").click()
    page.wait_for_text("services-result", "found 2 Sonarr/Radarr container(s), 2 verified")
    items = page.css("#services-detected li.detected")
    assert [i.get_attribute("data-container") for i in items] == ["sonarr", "radarr"]
    with app.app_context():
        assert get_config().sonarr_enabled is False  # nothing saved by detecting
    items[0].find_element("css selector", ".detect-apply").click()
    page.wait(lambda _: "applied and saved" in items[0].text, message="Apply did not save")
    with app.app_context():
        config = get_config()
        assert (config.sonarr_enabled, config.sonarr_port, config.sonarr_api_key) == (True, sonarr.port, sonarr.api_key)
        assert config.radarr_enabled is False
    page.wait(lambda _: page.by_id("cfg-sonarr_enabled").is_selected(), message="the form was not refreshed")


def test_the_removal_panel_shows_the_follow_up(page, client, library, media_root, sonarr):
    show = sonarr.add_series("Show", "/tv/Show")
    sonarr.add_episode(show, 1, 1, "/tv/Show/Show S01E01.mkv")
    link = library.broken("Show/Show S01E01.mkv")
    stray = library.broken("Other/stray.mkv")
    for i in range(4):
        library.healthy(f"Films/ok{i}.mkv")
    sonarr.disk = lambda remote: str(media_root) + remote[len("/tv"):]
    client.post("/api/symlink/config", json={
        "sonarr_enabled": True, "sonarr_host": "127.0.0.1", "sonarr_port": sonarr.port,
        "sonarr_api_key": sonarr.api_key, "path_mappings": [{"remote": "/tv", "local": str(media_root)}],
        "source_roots": [str(library.source)]})
    scan_id = scan(page, "real", "awaiting_confirmation")
    wait_panel(page, scan_id, 2)
    confirm(page, "2 links", "Yes")
    page.wait(lambda _: page.visible("followup-block"), message="no follow-up shown after confirming")
    page.wait(lambda _: page.by_id("followup-state").text == "completed", timeout=30,
              message="the follow-up never completed on the page")
    # Each link is named first (its file name never cut, the whole path in its tooltip), then what was sent.
    lines = [(li.find_element("css selector", ".named-path").get_attribute("title"),
              li.find_element("css selector", ".named-path-name").text, li.text)
             for li in page.css("#followup-links li")]
    assert any(path == str(link) and name == link.name and "S01E01" in text and "RescanSeries: completed" in text
               and "EpisodeSearch: queued" in text for path, name, text in lines), lines
    assert any(path == str(stray) and name == stray.name and "matched no series or movie" in text
               for path, name, text in lines), lines
    assert "1 search(es) sent" in page.by_id("followup-message").text
    assert [c["name"] for c in sonarr.sent_commands()] == ["RescanSeries", "EpisodeSearch"]
