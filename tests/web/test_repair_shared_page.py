"""Shared wrong targets and the repair journal in real headless Chromium, at desktop and phone sizes:
a check finds them, Repair lists and re-points them, the journal undoes a repair."""

import os

import pytest

from tests.support.pages import open_alert
from tests.support.trees import SharedTree, Tree

from tests.support.browser import Page, requires_chromium

pytestmark = [requires_chromium, pytest.mark.usefixtures("window")]


@pytest.fixture
def sources(app, source_dir):
    from linkdoctor.config import update_config

    with app.app_context():
        update_config({"source_roots": [str(source_dir)]})
    return source_dir


def repair_rows(page: Page) -> dict:
    return page.wait(lambda _: {row.get_attribute("data-path"): row.text for row in page.css("#repair-body tr")} or None,
                     message="no repair rows")


def journal(page: Page) -> list[tuple[str, str]]:
    """(link, state) of each repair of "Repairs made", newest first (its batches' heading rows apart)."""
    return page.wait(lambda _: [(row.get_attribute("data-path"), row.get_attribute("data-state"))
                                for row in page.css("#repairs-body tr[data-state]")] or None,
                     message="the repairs made are not listed")


def open_journal(page: Page) -> None:
    """"Repairs made" is collapsed by default (its count in the heading): open it."""
    if page.by_id("repairs-block").get_attribute("open") is None:
        page.click_first("#repairs-block > summary")
    page.wait(lambda _: page.by_id("repairs-block").get_attribute("open") is not None, message="the journal did not open")


def shown_links(page: Page, table: str) -> list[str]:
    """The links as the user reads them in a table's first column: relative to the media root."""
    cell = "td:first-child .named-path" if table == "repair-body" else "td:nth-child(2)"
    return [row.find_element("css selector", cell).get_attribute("textContent")
            for row in page.css(f"#{table} tr[data-path]")]


def test_a_check_leads_to_the_shared_wrong_target_which_is_re_pointed_then_undone(page, library, sources,
                                                                                 screenshot_dir):
    tree = SharedTree(library, sources)
    page.open("maintenance")
    assert not page.visible("repairs-block")  # nothing repaired yet
    page.by_id("maint-check").click()
    page.wait_for_text("maint-summary", "inconsistencies found", timeout=60)
    page.click_first("#maint-categories [data-category='duplicate_targets']")
    page.wait_for_text("maint-fix", "Repair the shared wrong targets")

    page.by_id("maint-fix").click()
    page.wait_for_text("repair-status", "1 link(s) sharing a wrong target: 1 unambiguous", timeout=60)
    rows = repair_rows(page)
    assert list(rows) == [tree.bad]  # the right episode keeps the file, the film's two folders are left alone
    assert "now →" in rows[tree.bad] and "S01E04" in page.css("#repair-body input.repair-candidate:checked")[0].get_attribute("value")
    assert shown_links(page, "repair-body") == ["Séries/Dix pour cent/Saison 01/Dix pour cent - S01E04.mkv"]
    page.wait_for_text("repair-legitimate-summary", "1 target(s) shared by links to the same item")
    assert tree.film in page.by_id("repair-legitimate-list").get_attribute("textContent")
    page.screenshot(screenshot_dir, "repair-shared")

    page.click_first(f"#repair-body tr[data-path='{tree.bad}'] .repair-accept")
    page.wait_for_text("repair-status", "1 link(s) repaired", timeout=60)
    assert os.path.realpath(tree.bad) == tree.e04 and os.path.realpath(tree.good) == tree.e03
    assert all(os.path.realpath(link) == tree.film for link in tree.films)
    page.wait(lambda _: journal(page) == [(tree.bad, "repaired")], message="the repair is not in the journal")
    assert shown_links(page, "repairs-body") == ["Séries/Dix pour cent/Saison 01/Dix pour cent - S01E04.mkv"]
    page.wait_for_text("repairs-total", "(1)")
    open_journal(page)
    page.screenshot(screenshot_dir, "repairs-made")

    # Undo asks first; dismissed, nothing changes.
    page.click_first("#repairs-body tr[data-state='repaired'] .repair-undo")
    page.wait(lambda driver: open_alert(driver), message="Undo did not ask").dismiss()
    assert os.path.realpath(tree.bad) == tree.e04
    page.click_first("#repairs-body tr[data-state='repaired'] .repair-undo")
    alert = page.wait(lambda driver: open_alert(driver), message="Undo did not ask")
    assert tree.bad in alert.text and tree.e03 in alert.text
    alert.accept()
    page.wait_for_text("repairs-message", "points at")
    page.wait(lambda _: journal(page) == [(tree.bad, "undone")], message="the undone repair is not marked")
    assert os.path.realpath(tree.bad) == tree.e03
    assert not page.css("#repairs-body .repair-undo")


def test_broken_links_from_the_check_and_ignored_ones_left_out(page, app, library, sources):
    tree = Tree(library, sources)
    answer = app.test_client().post("/api/symlink/ignores", json={"path": tree.nothing})
    assert answer.status_code == 201, answer.get_json()
    page.open("maintenance")
    page.by_id("maint-check").click()
    page.wait_for_text("maint-summary", "inconsistencies found", timeout=60)
    page.click_first("#maint-categories [data-category='broken_symlinks']")
    page.wait_for_text("maint-fix", "Repair the broken links")
    page.click_first("#maint-categories [data-category='orphan_files']")
    page.wait(lambda _: not page.visible("maint-fix"), message="orphans offered to Repair")
    page.click_first("#maint-categories [data-category='broken_symlinks']")
    page.wait(lambda _: page.visible("maint-fix"), message="broken links not offered to Repair")

    page.by_id("maint-fix").click()
    status = page.wait_for_text("repair-status", "4 broken link(s)", timeout=60)
    assert "1 ignored link(s) left out" in status
    assert tree.nothing not in repair_rows(page)
    assert "was →" in repair_rows(page)[tree.e02]
    page.by_id("repair-accept-all").click()
    page.wait(lambda _: page.visible("repair-accept-dialog"), message="accept all did not ask first")
    page.by_id("repair-accept-yes").click()
    page.wait_for_text("repair-status", "3 link(s) repaired", timeout=60)
    page.wait(lambda _: len(journal(page)) == 3, message="three repairs are not listed")
    assert {state for _, state in journal(page)} == {"repaired"}
