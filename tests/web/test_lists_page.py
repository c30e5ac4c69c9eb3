"""Issue 22 in Chromium at 1400x900 and 390x844: the findings list at library size (the name first,
two-line rows and the Filter button on a phone, rows per page in the address, the "all" chip), the
proposal (Discard, whole categories), the tree's partial state, and the details panel (an empty
target, a broad ignore that asks first with its count).

Every test runs against real symlinks and a real scan; what the page claims is checked on disk or
through the API too. Screenshots go to the test's folder (and $LINKDOCTOR_SCREENSHOTS when set).
"""

import os
import re

import pytest

from tests.support.api import run_scan
from tests.support.browser import requires_chromium
from tests.support.pages import open_alert

pytestmark = requires_chromium

SHOW = "TV/Glass Houses (2013)"
EPISODE = "Glass.Houses.S01E{:02}.1080p.WEB.h264-NTb.mkv"
EPISODES = 14



@pytest.fixture
def season(app, library):
    """A season of 14 episodes whose targets on the mount `zurg` went away, 3 empty targets, and
    enough healthy links into the mount that the guard lets the broken ones be removed."""
    mount = library.source / "zurg"
    mount.mkdir()
    links = [library.link(f"{SHOW}/Season 01/{EPISODE.format(n)}", mount / f"gone-{n}.mkv")
             for n in range(1, EPISODES + 1)]
    empty = [library.empty(f"Movies/Tiny {n} (200{n})/Tiny.{n}.200{n}.mkv") for n in range(3)]
    for n in range(20):
        target = mount / f"fine-{n}.mkv"
        target.write_bytes(b"linkdoctor" * 500)
        library.link(f"TV/Fine Show/Season 02/Fine.Show.S02E{n:02}.mkv", target)
    answer = app.test_client().post("/api/symlink/config", json={"source_roots": [str(library.source)]})
    assert answer.status_code == 200, answer.get_json()
    return {"mount": mount, "links": links, "empty": empty}


def real(link) -> str:
    """A link's path as the scan records it: its folder resolved, the link itself not followed."""
    return os.path.join(os.path.realpath(link.parent), link.name)


def open_scan(page, scan_id, query=""):
    page.driver.get(f"{page.base_url}/#/scanner/scan/{scan_id}{'?' + query if query else ''}")
    page.wait_for_text("findings-scan-id", f"#{scan_id}")
    return page.wait_findings()


def name_cells(page, selector=".finding-path"):
    """Each row's name in the cell `selector`: its text, whether it is shown whole, and whether it stays in its cell."""
    return page.driver.execute_script("""
        return [...document.querySelectorAll('#findings-body tr.finding-row ' + arguments[0])].map((cell) => {
          const name = cell.querySelector('.named-path-name');
          const box = name.getBoundingClientRect(), inCell = cell.getBoundingClientRect();
          return {text: name.textContent, title: cell.title, whole: name.scrollWidth <= name.clientWidth,
                  inside: box.left >= inCell.left - 1 && box.right <= inCell.right + 1 && box.width > 0};
        });""", selector)


def test_every_episode_of_a_season_shows_its_sxxeyy(page, app, library, season, screenshot_dir, size):
    scan_id = run_scan(app, mode="real")
    rows = open_scan(page, scan_id, "q=Glass")
    page.screenshot(screenshot_dir, "lists-season")
    assert len(rows) == EPISODES
    names = name_cells(page)
    codes = sorted(re.search(r"S01E\d\d", cell["text"]).group(0) for cell in names)
    assert codes == [f"S01E{n:02}" for n in range(1, EPISODES + 1)]
    assert all(cell["whole"] and cell["inside"] for cell in names), names
    # The full path is the tooltip; the folder is shortened, never the name.
    assert {cell["title"] for cell in names} == {real(link) for link in season["links"]}
    # Real mode: the marks and the detail are both readable, not "targ…".
    details = page.driver.execute_script("""
        return [...document.querySelectorAll('#findings-body .finding-detail')].map((cell) => {
          const text = cell.querySelector('.finding-detail-text');
          const mark = cell.querySelector('.tag-proposed');
          const box = text.getBoundingClientRect();
          return {text: text.textContent, whole: box.right <= cell.getBoundingClientRect().right + 1,
                  shown: Math.min(box.right, cell.getBoundingClientRect().right) - box.left,
                  mark: mark.textContent, title: mark.title};
        });""")
    assert all(d["text"].startswith("target missing") for d in details), details
    # Whole on a desktop; on a phone at least its first words beside the marks (the rest in the tooltip).
    assert all(d["whole"] if size == "desktop" else d["shown"] >= 100 for d in details), details
    assert all(d["mark"] == "to remove" and "proposed for removal" in d["title"] for d in details)
    heights = [row.size["height"] for row in page.css("#findings-body tr.finding-row")]
    if size == "desktop":
        # One line a finding, and the target's name shown whole too.
        assert max(heights) == min(heights) and max(heights) < 44, heights
        targets = name_cells(page, ".finding-target")
        assert all(cell["whole"] and cell["inside"] and cell["text"].startswith("gone-") for cell in targets), targets
    else:
        # Two lines a finding: the name, then the category and detail; the target is in the details panel.
        lines = page.driver.execute_script("""
            return [...document.querySelectorAll('#findings-body tr.finding-row')].map((row) => {
              const top = (sel) => row.querySelector(sel).getBoundingClientRect().top;
              return {name: top('.named-path-name'), category: top('.finding-category .category'),
                      detail: top('.finding-detail-text'), target: row.querySelector('.finding-target').offsetHeight};
            });""")
        assert all(line["name"] < line["category"] and abs(line["category"] - line["detail"]) < 12
                   and line["target"] == 0 for line in lines), lines
        assert max(heights) < 90, heights
    assert page.driver.execute_script("return document.scrollingElement.scrollWidth <= window.innerWidth + 1")


def test_the_toolbar_folds_behind_filter_on_a_phone(page, app, library, season, screenshot_dir, size):
    scan_id = run_scan(app)
    open_scan(page, scan_id)
    toggle = page.by_id("findings-filter")
    if size == "desktop":
        assert not toggle.is_displayed() and page.visible("findings-q")
        return
    assert toggle.is_displayed() and not page.visible("findings-q") and not page.visible("findings-sort")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    page.wait(lambda _: page.visible("findings-q"), message="Filter did not open the toolbar")
    assert toggle.get_attribute("aria-expanded") == "true"
    page.fill("findings-q", "Glass")
    page.wait(lambda _: len(page.findings_rows()) == EPISODES, message="the search did not narrow")
    page.screenshot(screenshot_dir, "lists-filter-open")
    toggle.click()
    page.wait(lambda _: not page.visible("findings-q"), message="Filter did not fold the toolbar")
    # Folded, the button still says that a choice is on.
    assert page.by_id("findings-filter-count").text == "1"


def test_rows_per_page_are_kept_in_the_address(page, app, library, season, size):
    scan_id = run_scan(app)
    open_scan(page, scan_id)
    if page.by_id("findings-filter").is_displayed():
        page.by_id("findings-filter").click()
    page.select("findings-per-page", "10")
    page.wait(lambda _: len(page.findings_rows()) == 10, message="10 rows per page")
    page.wait(lambda _: page.driver.current_url.endswith(f"#/scanner/scan/{scan_id}?per_page=10"),
              message="per_page is not in the address")
    page.by_id("findings-next").click()
    page.wait(lambda _: "page=2&per_page=10" in page.driver.current_url, message="page 2 not in the address")
    page.driver.refresh()
    page.wait_for_text("findings-page", "page 2 of 2")
    assert len(page.wait_findings(7)) == 7  # 17 findings, 10 a page
    assert page.by_id("findings-per-page").get_attribute("value") == "10"


def test_the_all_chip_stays_usable_once_a_category_is_chosen(page, app, library, season, size):
    scan_id = run_scan(app)
    open_scan(page, scan_id)
    chip = lambda key: page.css(f'#findings-counts button[data-category="{key}"]')[0]  # noqa: E731
    chip("small").click()
    page.wait(lambda _: [r["category"] for r in page.findings_rows()] == ["small"] * 3, message="small only")
    assert chip("").is_enabled() and chip("").get_attribute("aria-pressed") == "false"
    chip("").click()
    page.wait(lambda _: len(page.findings_rows()) == EPISODES + 3, message="the all chip did not show every category")
    assert chip("").get_attribute("aria-pressed") == "true" and "category=" not in page.driver.current_url


def present(paths) -> list[bool]:
    return [os.path.lexists(p) for p in paths]


def test_the_proposal_can_be_discarded_and_nothing_moves(page, app, client, library, season, screenshot_dir, size):
    scan_id = run_scan(app, mode="real")
    open_scan(page, scan_id)
    page.wait_for_text("confirm-count", f"{EPISODES + 3} links proposed")
    page.by_id("confirm-discard").click()
    text = page.wait_for_text("confirm-step-text", "Discard this proposal? Nothing is removed")
    assert f"all {EPISODES + 3} links stay" in text
    page.screenshot(screenshot_dir, "lists-discard-question")
    # Backing out keeps the proposal waiting.
    page.by_id("confirm-no").click()
    assert not page.visible("confirm-step")
    assert client.get(f"/api/symlink/scan/status/{scan_id}").get_json()["status"] == "awaiting_confirmation"
    page.by_id("confirm-discard").click()
    page.wait_for_text("confirm-yes", "Yes, discard (remove nothing)")
    page.by_id("confirm-yes").click()
    page.wait(lambda _: not page.visible("confirm-block"), message="the proposal stayed after Discard")
    page.wait(lambda _: page.by_id("findings-status").get_attribute("data-status") == "discarded",
              message="the findings' status never said discarded")
    status = client.get(f"/api/symlink/scan/status/{scan_id}").get_json()
    assert status["status"] == "discarded" and status["statistics"]["files_deleted"] == 0
    assert all(present(season["links"] + season["empty"])), "Discard must move nothing"
    assert not os.path.exists(library.root.parent / "trash") or not any((library.root.parent / "trash").rglob("*.mkv"))
    # A new scan may start at once: nothing waits any more.
    assert client.get("/api/symlink/scans/history").get_json()["scans"][0]["status"] == "discarded"


def test_a_whole_category_is_unticked_and_ticked_in_one_click(page, app, client, library, season, screenshot_dir, size):
    scan_id = run_scan(app, mode="real")
    open_scan(page, scan_id, "per_page=10")  # the 14 broken links span two pages
    page.wait_for_text("confirm-selected", f"{EPISODES + 3} of {EPISODES + 3} links selected")
    broken = page.wait(lambda _: page.css("#confirm-category-broken"), message="no box for the broken category")[0]
    page.wait_for_text("confirm-categories", f"{EPISODES} of {EPISODES}")
    broken.click()
    page.wait_for_text("confirm-selected", f"3 of {EPISODES + 3} links selected")
    boxes = {b.get_attribute("data-path"): b.is_selected() for b in page.css("#findings-body input.propose-check")}
    assert boxes and all(not ticked for path, ticked in boxes.items() if "Glass.Houses" in path)
    assert page.by_id("confirm-category-small").is_selected()
    page.screenshot(screenshot_dir, "lists-category-unticked")
    # One episode ticked again: the category box is partial; a click ticks the whole category.
    page.click_first('#findings-body tr[data-category="broken"] input.propose-check')
    page.wait(lambda _: page.driver.execute_script("return document.getElementById('confirm-category-broken').indeterminate"),
              message="the category box is not partial")
    page.by_id("confirm-category-broken").click()
    page.wait_for_text("confirm-selected", f"{EPISODES + 3} of {EPISODES + 3} links selected")
    # Unticked again, then confirmed: only the small ones move, every episode stays.
    page.by_id("confirm-category-broken").click()
    page.wait_for_text("confirm-selected", f"3 of {EPISODES + 3} links selected")
    page.by_id("confirm-move").click()
    page.wait_for_text("confirm-step-text", "This moves 3 links")
    page.by_id("confirm-yes").click()
    page.wait_for_text("removal-summary", "Moved 3 links into the quarantine.")
    assert all(present(season["links"])) and not any(present(season["empty"]))


def test_a_tree_parent_shows_a_partial_state(page, library, season, screenshot_dir, size):
    page.open("scanner")
    page.wait_tree_loaded()
    tv = page.tree_node("TV")
    tv.find_element("css selector", ".tree-toggle").click() if tv.get_attribute("aria-expanded") == "false" else None
    show = page.tree_node(SHOW)
    show.find_element("css selector", "input[type=checkbox]").click()
    page.wait(lambda _: page.tree_node("TV").get_attribute("aria-checked") == "mixed", message="TV is not partial")
    assert page.driver.execute_script("return arguments[0].indeterminate",
                                      page.tree_node("TV").find_element("css selector", "input[type=checkbox]"))
    assert page.tree_node(".").get_attribute("aria-checked") == "mixed"  # the whole library above it too
    assert page.tree_node(SHOW).get_attribute("aria-checked") == "true"
    page.screenshot(screenshot_dir, "lists-tree-partial")
    page.tree_node(SHOW).find_element("css selector", "input[type=checkbox]").click()
    page.wait(lambda _: page.tree_node("TV").get_attribute("aria-checked") == "false", message="TV stayed partial")
    # Ticking the partial parent ticks it whole (and covers its sub-folders).
    page.tree_node(SHOW).find_element("css selector", "input[type=checkbox]").click()
    page.tree_node("TV").find_element("css selector", "input[type=checkbox]").click()
    page.wait(lambda _: page.tree_node("TV").get_attribute("aria-checked") == "true", message="TV not ticked")
    assert page.tree_node(SHOW).get_attribute("aria-checked") == "true"
    assert re.fullmatch(r"Scope: 1 folder, [\d,]+ links?: TV", page.by_id("selection-summary").text)


def open_details(page, text):
    row = next(r for r in page.css("#findings-body tr.finding-row") if text in r.get_attribute("textContent"))
    row.find_element("css selector", "button.finding-open").click()
    page.wait(lambda _: page.visible("finding-dialog") and not page.visible("finding-dialog-loading"),
              message="the details panel never loaded")
    return page.by_id("finding-dialog")


def test_details_say_an_empty_target_is_empty_not_reachable_in_green(page, app, library, season, screenshot_dir, size):
    scan_id = run_scan(app)
    open_scan(page, scan_id, "category=small")
    dialog = open_details(page, "Tiny.1.2001.mkv")
    assert page.by_id("finding-dialog-title").text.endswith("Tiny.1.2001.mkv")  # the name, whole
    now = dialog.find_element("xpath", ".//dt[.='Now']/following-sibling::dd[1]")
    assert "empty (0 bytes)" in now.text and "can be reached" not in now.text
    assert now.find_elements("css selector", ".warn-text") and not now.find_elements("css selector", ".ok-text")
    green = page.driver.execute_script("return getComputedStyle(arguments[0]).color",
                                       now.find_element("css selector", ".warn-text"))
    assert green == "rgb(232, 180, 67)"  # --warn, not --ok
    page.screenshot(screenshot_dir, "lists-details-empty")


def test_a_broad_ignore_asks_first_with_its_count(page, app, client, library, season, screenshot_dir, size):
    scan_id = run_scan(app)
    open_scan(page, scan_id, "q=Glass")
    open_details(page, EPISODE.format(5))
    page.by_id("finding-ignore-source").click()
    question = page.wait_for_text("finding-ignore-question", "links now")
    # Every link into the source root: the 14 episodes, the 20 healthy ones and the 3 empty targets.
    assert f"every link into {library.source}" in question and "37 links now" in question
    assert page.by_id("finding-ignore-yes").text == "Yes, ignore 37 links"
    assert client.get("/api/symlink/ignores").get_json()["ignores"] == []  # nothing before the answer
    page.screenshot(screenshot_dir, "lists-ignore-question")
    page.by_id("finding-ignore-no").click()
    assert not page.css("#finding-ignore-step") and client.get("/api/symlink/ignores").get_json()["ignores"] == []
    # The folder: the 14 episodes of the season; this time answered yes.
    page.by_id("finding-ignore-folder").click()
    page.wait_for_text("finding-ignore-question", f"{EPISODES} links now")
    page.by_id("finding-ignore-yes").click()
    page.wait_for_text("finding-ignore-message", "Ignored from the next scan on")
    rules = client.get("/api/symlink/ignores").get_json()["ignores"]
    assert [(r["kind"], r["value"]) for r in rules] == [("folder", os.path.realpath(season["links"][0].parent))]
    assert client.get(f"/api/symlink/scan/status/{run_scan(app)}").get_json()["statistics"]["ignored"] == EPISODES


def test_settings_ask_before_a_prefix_that_hides_many_links(page, client, library, season, size):
    page.open("settings")
    page.settings_section("ignores")
    page.wait(lambda _: page.visible("ignore-prefix"), message="no ignore form")
    page.fill("ignore-prefix", str(season["mount"]))
    page.by_id("ignore-add").click()
    alert = page.wait(lambda driver: open_alert(driver), message="a prefix hiding 34 links did not ask")
    assert "34 links" in alert.text  # 14 broken episodes and 20 healthy links into the mount
    alert.dismiss()
    assert client.get("/api/symlink/ignores").get_json()["ignores"] == []
    page.by_id("ignore-add").click()
    page.wait(lambda driver: open_alert(driver), message="asked only once").accept()
    page.wait(lambda _: len(page.css("#ignores-list li")) == 1, message="the rule never showed")
    assert [r["value"] for r in client.get("/api/symlink/ignores").get_json()["ignores"]] == [str(season["mount"])]
