"""The Scanner tab's folder tree from the keyboard alone, in Chromium (issue 10).

The WAI-ARIA tree pattern: one tab stop for the whole tree, the arrows move between the visible
rows and fold them, Space ticks a row, Enter unfolds it; a scan started from there covers exactly
the folders ticked. Run at a desktop's and a phone's window size.
"""

import os
import threading

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from tests.support.api import wait_for_scan
from tests.support.browser import requires_chromium
from tests.support.pages import AWKWARD

pytestmark = requires_chromium

WINDOWS = {"desktop": (1280, 800), "phone": (390, 844)}


def press(page, *keys) -> None:
    """Keys pressed on whatever has the focus, as a person would."""
    actions = ActionChains(page.driver)
    for key in keys:
        actions.send_keys(key)
    actions.perform()


def focused(page) -> dict:
    """What has the focus: its path when it is a row of the tree, else its id."""
    return page.driver.execute_script("""
        const e = document.activeElement;
        const row = e.closest('#tree li.tree-node');
        return {path: row === e ? row.dataset.path : null, id: e.id, inTree: !!e.closest('#tree'),
                role: e.getAttribute('role'), ring: row === e
                  ? getComputedStyle(e.querySelector(':scope > .tree-row')).outlineStyle : null};""")


def wait_focus(page, path: str) -> dict:
    page.wait(lambda _: focused(page)["path"] == path, message=f"the focus never reached the row {path!r}")
    return focused(page)


def tab_stops_in_tree(page) -> list[str]:
    """Every element of the tree that the Tab key would stop at."""
    return page.driver.execute_script("""
        return [...document.querySelectorAll('#tree *')]
          .filter((e) => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length > 0)
          .map((e) => e.tagName + (e.dataset.path !== undefined ? ' ' + e.dataset.path : ''));""")


def row_state(page, path: str, attribute: str) -> str | None:
    return page.tree_node(path).get_attribute(attribute)


@pytest.mark.parametrize("window", WINDOWS)
def test_the_tree_is_one_tab_stop_driven_by_the_arrows_and_scans_what_space_ticked(
        page, app, web_library, screenshot_dir, window):
    page.driver.set_window_size(*WINDOWS[window])
    page.open("scanner")
    page.wait_tree_loaded()
    assert page.by_id("tree").find_element("css selector", "ul").get_attribute("role") == "tree"

    # Tab from the button before the tree lands on one row; one more Tab leaves the tree.
    page.driver.execute_script("document.getElementById('tree-reload').focus()")
    press(page, Keys.TAB)
    row = wait_focus(page, ".")
    assert row["role"] == "treeitem" and row["ring"] == "solid"  # the focus is shown
    assert page.accessible_name('#tree li.tree-node[data-path="."]') == "Whole library 17 links"  # a screen reader's
    assert tab_stops_in_tree(page) == ["LI ."]
    press(page, Keys.TAB)
    assert not focused(page)["inTree"] and focused(page)["id"] == "scan-mode"
    ActionChains(page.driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
    wait_focus(page, ".")

    # Down and Up go through the visible rows; the first folders are shown folded.
    assert row_state(page, ".", "aria-expanded") == "true" and row_state(page, ".", "aria-level") == "1"
    press(page, Keys.ARROW_DOWN)
    wait_focus(page, "Extras")
    press(page, Keys.ARROW_DOWN)
    wait_focus(page, "Movies")
    assert row_state(page, "Movies", "aria-expanded") == "false" and row_state(page, "Movies", "aria-level") == "2"
    press(page, Keys.ARROW_UP)
    wait_focus(page, "Extras")
    press(page, Keys.ARROW_DOWN)

    # Right unfolds, then moves to the first sub-folder; Left goes back to the parent, then folds it.
    press(page, Keys.ARROW_RIGHT)
    page.wait(lambda _: row_state(page, "Movies", "aria-expanded") == "true", message="Right did not unfold Movies")
    assert page.tree_node("Movies/Alpha (2020)").is_displayed()
    press(page, Keys.ARROW_RIGHT)
    wait_focus(page, "Movies/Alpha (2020)")
    assert row_state(page, "Movies/Alpha (2020)", "aria-level") == "3"
    press(page, Keys.ARROW_LEFT)
    wait_focus(page, "Movies")
    press(page, Keys.ARROW_LEFT)
    page.wait(lambda _: row_state(page, "Movies", "aria-expanded") == "false", message="Left did not fold Movies")
    assert not page.css("#tree li[data-path='Movies/Alpha (2020)']")[0].is_displayed()
    assert tab_stops_in_tree(page) == ["LI Movies"]  # the tab stop moved with the focus

    # Below the first answer's depth, unfolding asks the server, as a click does (Enter here).
    press(page, Keys.ARROW_DOWN, Keys.ARROW_DOWN)
    wait_focus(page, "Shows")
    press(page, Keys.ARROW_RIGHT)
    page.wait(lambda _: row_state(page, "Shows", "aria-expanded") == "true", message="Right did not unfold Shows")
    press(page, Keys.ARROW_DOWN)
    wait_focus(page, "Shows/Show X")
    assert page.css("li[data-path='Shows/Show X'] li") == []  # not loaded yet
    press(page, Keys.ENTER)
    page.tree_node("Shows/Show X/Season 1")
    assert row_state(page, "Shows/Show X", "aria-expanded") == "true"
    assert row_state(page, "Shows/Show X/Season 1", "aria-expanded") is None  # no sub-folders: a leaf

    # End and Home: the last and first visible rows.
    press(page, Keys.END)
    wait_focus(page, "Shows/Show X/Season 1")
    press(page, Keys.HOME)
    wait_focus(page, ".")
    press(page, Keys.END)
    wait_focus(page, "Shows/Show X/Season 1")

    # Space ticks the focused row, the same selection the checkboxes make.
    press(page, Keys.SPACE)
    assert row_state(page, "Shows/Show X/Season 1", "aria-checked") == "true"
    season_box = page.tree_node("Shows/Show X/Season 1").find_element("css selector", "input[type='checkbox']")
    assert season_box.is_selected()
    press(page, Keys.ARROW_UP, Keys.ARROW_UP, Keys.ARROW_UP, Keys.ARROW_UP)
    wait_focus(page, "Movies")  # its folded sub-folders are skipped
    press(page, Keys.SPACE)
    assert row_state(page, "Movies", "aria-checked") == "true"
    press(page, Keys.ARROW_UP)
    wait_focus(page, "Extras")
    press(page, Keys.SPACE, Keys.SPACE)  # ticked, then unticked again
    assert row_state(page, "Extras", "aria-checked") == "false"
    summary = page.by_id("selection-summary").text
    assert "2 folders" in summary and "Movies" in summary and "Shows/Show X/Season 1" in summary
    page.screenshot(screenshot_dir, f"tree-keyboard-{window}")

    # Start the scan from the keyboard: Tab out of the tree to the Start button, Enter.
    press(page, Keys.TAB)
    for _ in range(10):
        if focused(page)["id"] == "scan-start":
            break
        press(page, Keys.TAB)
    assert focused(page)["id"] == "scan-start"
    press(page, Keys.ENTER)
    page.wait(lambda _: page.visible("progress-block"), message="no progress shown after Enter on Start")
    page.wait_scan_finished()

    client = app.test_client()
    scan_id = int(page.by_id("progress-scan-id").text.lstrip("#"))
    status = wait_for_scan(client, scan_id)
    root = os.path.realpath(web_library.root)
    assert sorted(os.path.relpath(p, root) for p in status["selected_paths"]) == ["Movies", "Shows/Show X/Season 1"]
    assert status["statistics"]["total_analyzed"] == 3 + 2  # Movies' three links, Season 1's two


def test_a_click_moves_the_tab_stop_and_folding_a_parent_keeps_the_focus_in_view(page, web_library):
    page.open("scanner")
    page.wait_tree_loaded()
    page.tree_node("Movies").find_element("css selector", ":scope > .tree-row .tree-toggle").click()
    page.tree_node("Movies/Gamma (2022)").find_element("css selector", ":scope > .tree-row input").click()
    assert row_state(page, "Movies/Gamma (2022)", "aria-checked") == "true"
    assert tab_stops_in_tree(page) == ["LI Movies/Gamma (2022)"]
    wait_focus(page, "Movies/Gamma (2022)")
    press(page, Keys.ARROW_UP)
    wait_focus(page, "Movies/Beta (2021)")
    # Folding Movies with the mouse hides the focused row: the tab stop goes to Movies.
    page.tree_node("Movies").find_element("css selector", ":scope > .tree-row .tree-toggle").click()
    assert tab_stops_in_tree(page) == ["LI Movies"]
    press(page, Keys.ARROW_DOWN)
    wait_focus(page, AWKWARD)


def test_counts_cut_short_read_at_least_until_the_full_counts_come(page, web_library, monkeypatch):
    """A big library: the first answer comes before everything is counted (here: nothing below the root),
    the rows say so, then the page asks for the full counts; a folder not listed in time lists when opened."""
    from linkdoctor.web import tree as tree_module
    from linkdoctor.web.api import config as config_api

    monkeypatch.setattr(config_api, "QUICK_SECONDS", 0.0)
    monkeypatch.setattr(tree_module, "MIN_COUNT_SECONDS", -1.0)
    full_asked, full_may_answer = threading.Event(), threading.Event()

    def held_when_full(*args, seconds, offset):
        if seconds is None:  # ?full=1
            full_asked.set()
            full_may_answer.wait(30)
        return tree_module.directory_tree(*args, seconds=seconds, offset=offset)

    monkeypatch.setattr(config_api, "directory_tree", held_when_full)
    page.open("scanner")
    page.wait_tree_loaded()
    root = '#tree li.tree-node[data-path="."]'
    assert page.accessible_name(root) == "Whole library at least 0 links, counting…"
    assert page.tree_node("Movies").find_element("css selector", ".tree-count").text == "at least 0 links, counting…"
    assert full_asked.wait(30)
    full_may_answer.set()
    page.wait(lambda _: page.accessible_name(root) == "Whole library 17 links", message="the full counts never came")
    assert page.tree_node("Movies").find_element("css selector", ".tree-count").text == "3 links"
    page.tree_node("Movies").find_element("css selector", ":scope > .tree-row .tree-toggle").click()
    page.wait(lambda _: page.tree_node("Movies/Gamma (2022)").is_displayed(), message="Movies never listed")


def test_a_folder_with_more_sub_folders_than_listed_shows_the_next_ones_from_its_last_row(page, web_library,
                                                                                        monkeypatch):
    """The server lists a folder's sub-folders a thousand at a time; the next ones come from a "show more"
    row at the end of the folder, a row of the tree like the others (the arrows reach it, Enter lists)."""
    from linkdoctor.web import tree as tree_module
    from tests.web.test_accessibility import described, serious_violations

    monkeypatch.setattr(tree_module, "SHOWN_SUBDIRS", 2)  # of the asked folder: here the library's own four
    page.open("scanner")
    page.wait_tree_loaded()
    listed = lambda: [n.get_attribute("data-path") for n in page.css('#tree li.tree-node[aria-level="2"]')]
    assert listed() == ["Extras", "Movies"]
    more = page.wait(lambda _: page.css("#tree li.tree-more-item"), message="no show-more row")[0]
    assert (more.text, more.get_attribute("role"), more.get_attribute("aria-level")) == (
        "Show 2 more sub-folders", "treeitem", "2")
    assert page.accessible_name("#tree li.tree-more-item") == "Show 2 more sub-folders"
    violations = serious_violations(page)
    assert not violations, f"axe-core on the tree with a show-more row:\n{described(violations)}"

    # Tick the whole library first: what comes later is covered too.
    page.driver.execute_script("document.getElementById('tree-reload').focus()")
    press(page, Keys.TAB, Keys.SPACE, Keys.END)
    page.wait(lambda _: page.driver.execute_script(
        "return document.activeElement.classList.contains('tree-more-item')"), message="End never reached the row")
    assert tab_stops_in_tree(page) == ["LI"]  # the row holds the tree's one tab stop
    press(page, Keys.ENTER)
    page.wait(lambda _: len(listed()) == 4, message="the next sub-folders never came")
    assert listed() == ["Extras", "Movies", AWKWARD, "Shows"]  # by name, whatever the case
    assert not page.css("#tree li.tree-more-item")  # nothing more to list
    wait_focus(page, AWKWARD)  # the keyboard goes on from the first new row
    assert row_state(page, "Shows", "aria-checked") == "true" and row_state(page, "Shows", "aria-disabled") == "true"
    press(page, Keys.ARROW_DOWN)
    wait_focus(page, "Shows")


def test_the_scope_line_names_five_folders_and_counts_the_rest_with_their_links(page, web_library):
    page.open("scanner")
    page.wait_tree_loaded()
    page.tree_node("Movies").find_element("css selector", ":scope > .tree-row .tree-toggle").click()
    for path in ("Extras", "Movies/Alpha (2020)", "Movies/Beta (2021)", "Movies/Gamma (2022)", "Shows", AWKWARD):
        page.tree_node(path).find_element("css selector", ":scope > .tree-row input").click()
    # 11 + 1 + 1 + 1 + 2 + 1 links; the sixth folder is counted, not named.
    page.wait(lambda _: page.by_id("selection-summary").text.endswith("and 1 more"), message="not summed up")
    summary = page.by_id("selection-summary").text
    assert summary.startswith("Scope: 6 folders, 17 links: ") and summary.count(", ") == 5, summary
