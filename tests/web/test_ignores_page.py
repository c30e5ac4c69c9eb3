"""Issue 10 in Chromium: Settings > Ignored links lists, adds and removes the ignore rules, apart from the
settings form; the scan counters show how many links were ignored."""

import os

import pytest

from tests.support.api import run_scan
from tests.support.browser import requires_chromium
from tests.support.pages import open_alert

pytestmark = requires_chromium

SIZES = {"desktop": (1280, 800, False), "phone": (390, 844, True)}


def rules_of(page) -> list[str]:
    """The list as read: one line per rule, its kind in words and its path (the note and date apart)."""
    return page.driver.execute_script(
        "return [...document.querySelectorAll('#ignores-list li .ignore-what')].map((node) => node.innerText)")


def open_ignores(page, size):
    width, height, phone = SIZES[size]
    page.viewport(width, height, phone)
    page.open("settings")
    page.settings_section("ignores")
    page.wait(lambda _: page.visible("ignores-list") or page.visible("ignores-empty"),
              message="the ignore rules never loaded")


def stored_rules(client):
    return client.get("/api/symlink/ignores").get_json()["ignores"]


@pytest.mark.parametrize("size", SIZES)
def test_list_add_and_remove_rules(page, client, media_root, screenshot_dir, size):
    root = os.path.realpath(media_root)
    client.post("/api/symlink/ignores", json={"path": "Movies/Dune (2021)/dune.mkv", "note": "a known fake"})
    client.post("/api/symlink/ignores", json={"prefix": "/mnt/debrid/old-torrents"})
    open_ignores(page, size)
    assert rules_of(page) == ["every link whose target is under /mnt/debrid/old-torrents",
                              "this link Movies/Dune (2021)/dune.mkv"]
    dune = page.css("#ignores-list li")[1]
    assert dune.find_element("css selector", ".ignore-note").text == "a known fake"
    assert dune.find_element("css selector", ".ignore-date").text.startswith("added ")
    assert dune.find_element("css selector", ".ignore-value").get_attribute("title") == f"{root}/Movies/Dune (2021)/dune.mkv"

    # A folder of the library, typed relative to the media folder.
    page.fill("ignore-prefix", "Series/Dark")
    page.fill("ignore-note", "not mine")
    page.by_id("ignore-add").click()
    page.wait_for_text("ignores-result", "Ignored from the next scan on: everything under folder Series/Dark")
    assert rules_of(page)[0] == "everything under folder Series/Dark"
    assert page.by_id("ignore-prefix").get_attribute("value") == ""  # ready for the next one
    assert [r["value"] for r in stored_rules(client)][0] == f"{root}/Series/Dark"
    assert not page.visible("settings-dirty")  # the settings form is not changed by a rule
    page.screenshot(screenshot_dir, f"settings-ignores-{size}")

    # Refused: shown beside the field, nothing stored.
    page.fill("ignore-prefix", "Series/Dark/")
    page.by_id("ignore-add").click()
    note = page.wait(lambda _: page.by_id("ignore-prefix-error"), message="no note beside the field")
    assert "already ignored" in note.text
    assert page.by_id("ignore-prefix").get_attribute("aria-invalid") == "true"
    page.fill("ignore-prefix", "/")
    page.wait(lambda _: not page.css("#ignore-prefix-error"), message="typing did not clear the old note")
    page.by_id("ignore-add").click()
    page.wait(lambda _: "would ignore every link" in page.by_id("ignore-prefix-error").text,
              message="'/' was not refused beside the field")
    page.fill("ignore-prefix", "")
    page.by_id("ignore-add").click()
    page.wait(lambda _: "Give a folder" in page.by_id("ignore-prefix-error").text, message="empty was sent")
    assert len(stored_rules(client)) == 3
    page.screenshot(screenshot_dir, f"settings-ignores-error-{size}")

    # Removing asks first; No keeps the rule.
    page.click_first("#ignores-list li[data-kind='link'] .ignore-remove")
    alert = page.wait(lambda driver: open_alert(driver), message="removing did not ask")
    assert "Movies/Dune (2021)/dune.mkv" in alert.text and "next scan" in alert.text
    alert.dismiss()
    assert len(stored_rules(client)) == 3 and len(rules_of(page)) == 3
    page.click_first("#ignores-list li[data-kind='link'] .ignore-remove")
    page.wait(lambda driver: open_alert(driver), message="removing did not ask").accept()
    page.wait_for_text("ignores-result", "Its links come back in the next scan")
    page.wait(lambda _: len(rules_of(page)) == 2, message="the list did not refresh")
    assert "this link Movies/Dune (2021)/dune.mkv" not in rules_of(page)
    assert {r["kind"] for r in stored_rules(client)} == {"folder", "target"}

    for left in (1, 0):
        page.click_first("#ignores-list .ignore-remove")
        page.wait(lambda driver: open_alert(driver), message="removing did not ask").accept()
        page.wait(lambda _, left=left: len(rules_of(page)) == left, message="not removed")
    page.wait_for_text("ignores-empty", "No ignore rule")
    assert stored_rules(client) == []
    # Leaving the tab does not ask: no setting was changed.
    page.tab("dashboard")


def test_a_rule_added_while_the_settings_are_edited_leaves_the_edit_alone(page, client):
    open_ignores(page, "desktop")
    page.wait(lambda _: page.by_id("cfg-max_workers").get_attribute("value") not in (None, ""),
              message="the settings never loaded")
    page.fill("cfg-max_workers", "3")
    page.wait(lambda _: page.visible("settings-dirty"), message="the edit was not marked")
    page.fill("ignore-prefix", "/mnt/slow")
    page.by_id("ignore-add").click()
    page.wait_for_text("ignores-result", "every link whose target is under /mnt/slow")
    # The edit is still there and still unsaved; the rule is stored all the same.
    assert page.by_id("cfg-max_workers").get_attribute("value") == "3" and page.visible("settings-dirty")
    assert client.get("/api/symlink/config").get_json()["max_workers"] != 3
    assert [r["value"] for r in stored_rules(client)] == ["/mnt/slow"]
    page.by_id("tab-dashboard").click()
    page.wait(lambda driver: open_alert(driver), message="the unsaved edit was not guarded").dismiss()


def test_the_counters_show_the_ignored_links_only_when_there_are_some(page, app, client, library):
    library.healthy("Movies/Ok/ok.mkv")
    library.broken("Movies/Gone/gone.mkv")
    library.broken("Old/A/a.mkv")
    library.broken("Old/B/b.mkv")
    first = run_scan(app)
    page.open("dashboard")
    page.wait_for_text("latest-id", f"#{first}")
    assert not page.css("#latest-counters [data-counter='ignored']")
    client.post("/api/symlink/ignores", json={"prefix": "Old"})
    second = run_scan(app)
    page.by_id("dashboard-refresh").click()
    page.wait_for_text("latest-id", f"#{second}")
    ignored = page.css("#latest-counters [data-counter='ignored']")[0]
    assert ignored.find_element("css selector", ".counter-value").text == "2"
    assert "ignore rule" in ignored.get_attribute("title")
    broken = page.css("#latest-counters [data-counter='broken'] .counter-value")[0]
    assert broken.text == "1"
    page.tab("scanner")  # shows the newest scan's status panel
    page.wait(lambda _: page.css("#progress-counters [data-counter='ignored']"),
              message="the Scanner's counters do not show the ignored links")
