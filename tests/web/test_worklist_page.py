"""Maintenance as a worklist and the Quarantine tab (issue 22), in real headless Chromium at a desktop's
1400x900 and a phone's 390x844: 279 broken links listed a page at a time, bulk accept asks first, a
batch undone at once, check results by plain name, import errors opened, the quarantine searched,
filtered, chosen and restored."""

import os

import pytest

from tests.support.api import wait_for_scan
from tests.support.browser import Page, requires_chromium
from tests.support.pages import open_alert

pytestmark = requires_chromium
SHOWS = ["Glass Houses", "Dark Harbor", "Blue Meridian", "Silent Orchard", "Iron Coast", "Paper Lanterns",
         "Quiet Fields", "Red Canyon", "Northern Lights", "Salt Flats", "Winter Garden", "Copper Mill",
         "Night Ferry", "Stone River"]
EPISODES = 20  # 280 season links, one of them healthy: 279 broken
WITH_CANDIDATE = 129



@pytest.fixture
def seasons(app, library, source_dir):
    """279 broken links in season folders of 20 episodes; 129 of them have a release in the source root."""
    from linkdoctor.config import update_config

    links = []
    for show, title in enumerate(SHOWS):
        for episode in range(1, EPISODES + 1):
            name = f"{title.replace(' ', '.')}.S01E{episode:02}.1080p.WEB.mkv"
            rel = f"TV/{title} (2013)/Season 01/{name}"
            if show == 0 and episode == 1:
                library.healthy(rel)
                continue
            links.append(str(library.broken(rel)))
    for link in links[:WITH_CANDIDATE]:
        release = source_dir / "releases" / os.path.basename(link).replace("1080p.WEB", "720p.HDTV")
        release.parent.mkdir(exist_ok=True)
        release.write_bytes(b"\0" * 4096)
    with app.app_context():
        update_config({"source_roots": [str(source_dir)]})
    return links


def targets(links) -> dict:
    return {link: os.readlink(link) for link in links}


def list_broken(page: Page) -> None:
    page.open("maintenance")
    page.by_id("repair-list").click()
    page.wait_for_text("repair-status", "279 broken link(s)", timeout=120)
    page.wait(lambda _: page.css("#repair-groups [data-group='ready'][aria-pressed='true']") and page.css("#repair-body tr"),
              message="the ready links never showed")


def read(page: Page, selector: str, key: str) -> dict:
    """{attribute `key`: text} of the elements at `selector`, read in one script call (a re-render cannot
    leave a stale element between two reads)."""
    return page.driver.execute_script(
        "return Object.fromEntries([...document.querySelectorAll(arguments[0])]"
        ".map((n) => [n.getAttribute(arguments[1]), n.textContent]));", selector, key)


def names_unclipped(page: Page, selector: str) -> list[str]:
    """The file names shown under `selector`, each asserted whole (not cut by its box)."""
    seen = page.driver.execute_script("""
        return [...document.querySelectorAll(arguments[0])].filter((n) => n.getClientRects().length)
          .map((n) => ({text: n.textContent, cut: n.scrollWidth > n.clientWidth + 1}));""", selector)
    assert seen, f"no name shown at {selector}"
    assert not [s["text"] for s in seen if s["cut"]], f"names cut at {selector}"
    return [s["text"] for s in seen]


def test_279_broken_links_show_one_page_of_one_group_with_candidates_by_name(page, seasons, size, screenshot_dir):
    list_broken(page)
    groups = read(page, "#repair-groups button", "data-group")
    # (Another episode of the same show is no candidate: those of Quiet Fields not in the source root have none.)
    assert groups == {"ready": f"Ready ({WITH_CANDIDATE})", "ambiguous": "Ambiguous (0)", "no_candidate": "No candidate (150)"}
    rows = page.css("#repair-body tr")
    assert len(rows) == 25  # one page of one group, never the 279
    assert page.by_id("repair-page").text == f"page 1 of 6 ({WITH_CANDIDATE})"
    # Candidates as choices by file name and score, not inside a <select> that cuts them.
    assert not page.css("#repair-body select")
    names = names_unclipped(page, "#repair-body .repair-choice .named-path-name")
    assert all("720p.HDTV" in name and "S01E" in name for name in names)
    links = names_unclipped(page, "#repair-body .repair-link > .named-path .named-path-name")
    assert len(links) == 25 and all(".S01E" in name for name in links)
    page.screenshot(screenshot_dir, "worklist-ready")

    page.by_id("repair-next").click()
    page.wait_for_text("repair-page", "page 2 of 6")
    assert len(page.css("#repair-body tr")) == 25
    page.click_first("#repair-groups [data-group='no_candidate']")
    page.wait_for_text("repair-page", "page 1 of 6 (150)")
    assert len(page.css("#repair-body tr")) == 25 and not page.css("#repair-body .repair-accept")
    # The journal is collapsed until something is repaired; the help folded: the page stays short.
    assert page.by_id("repairs-block").get_attribute("open") is None


def test_accept_all_asks_with_the_count_and_a_preview_and_changes_nothing_before_the_answer(page, seasons, size,
                                                                                         screenshot_dir):
    before = targets(seasons)
    list_broken(page)
    page.by_id("repair-accept-all").click()
    page.wait(lambda _: page.visible("repair-accept-dialog"), message="accept all did not ask first")
    assert f"Re-point {WITH_CANDIDATE} link(s)" in page.by_id("repair-accept-text").text
    assert page.by_id("repair-accept-yes").text == f"Re-point {WITH_CANDIDATE} link(s)"
    preview = names_unclipped(page, "#repair-accept-preview .named-path-name")
    assert len(page.css("#repair-accept-preview li")) == 5 and any("720p.HDTV" in name for name in preview)
    assert page.by_id("repair-accept-more").text.startswith(f"… and {WITH_CANDIDATE - 5} more")
    page.screenshot(screenshot_dir, "worklist-accept-question")
    page.by_id("repair-accept-no").click()
    page.wait(lambda _: not page.visible("repair-accept-dialog"), message="the question stayed open")
    assert targets(seasons) == before  # dismissed: no link changed on disk
    # Escape dismisses it too.
    page.by_id("repair-accept-all").click()
    page.wait(lambda _: page.visible("repair-accept-dialog"), message="accept all did not ask again")
    page.driver.find_element("css selector", "body").send_keys("\ue00c")
    page.wait(lambda _: not page.visible("repair-accept-dialog"), message="Escape left the question open")
    assert targets(seasons) == before

    page.by_id("repair-accept-all").click()
    page.wait(lambda _: page.visible("repair-accept-dialog"), message="accept all did not ask again")
    page.by_id("repair-accept-yes").click()
    page.wait_for_text("repair-status", f"{WITH_CANDIDATE} link(s) repaired", timeout=120)
    after = targets(seasons)
    changed = [link for link in seasons if after[link] != before[link]]
    assert changed == seasons[:WITH_CANDIDATE] and all(os.path.exists(link) for link in changed)
    page.wait_for_text("repair-groups", "Ready (0)")


def test_the_journal_groups_a_batch_and_undo_this_batch_puts_it_back(page, seasons, size, screenshot_dir):
    before = targets(seasons)
    list_broken(page)
    first = page.css("#repair-body tr")[0].get_attribute("data-path")
    # One link accepted alone, then every ready one: two batches.
    page.click_first(f"#repair-body tr[data-path='{first}'] .repair-accept")
    page.wait_for_text("repair-status", "1 link(s) repaired", timeout=120)
    page.by_id("repair-accept-all").click()
    page.wait(lambda _: page.visible("repair-accept-dialog"), message="accept all did not ask first")
    page.by_id("repair-accept-yes").click()
    page.wait_for_text("repair-status", f"{WITH_CANDIDATE - 1} link(s) repaired", timeout=120)
    page.wait_for_text("repairs-total", f"({WITH_CANDIDATE})")
    page.click_first("#repairs-block > summary")
    batches = page.wait(lambda _: {job: text for job, text in read(page, "#repairs-body tr.repair-batch", "data-job-id").items()
                                   if "128 repair(s)" in text} or None, message="no batch of 128 to undo")
    ((job_id, batch),) = batches.items()
    assert "128 standing" in batch and "Undo this batch" in batch
    assert len(page.css("#repairs-body tr[data-state] .repair-undo")) == 20  # one page; each row keeps its Undo
    names_unclipped(page, "#repairs-body tr[data-state] td:nth-child(2) .named-path-name")
    page.screenshot(screenshot_dir, "worklist-journal")

    # Asked first; dismissed, nothing moves.
    page.click_first(f"#repairs-body tr.repair-batch[data-job-id='{job_id}'] .repair-undo-batch")
    alert = page.wait(lambda driver: open_alert(driver), message="Undo this batch did not ask")
    assert f"job #{job_id}" in alert.text and "128" in alert.text
    alert.dismiss()
    assert sum(os.path.exists(link) for link in seasons) == WITH_CANDIDATE  # nothing undone
    page.click_first(f"#repairs-body tr.repair-batch[data-job-id='{job_id}'] .repair-undo-batch")
    page.wait(lambda driver: open_alert(driver), message="Undo this batch did not ask").accept()
    result = page.wait_for_text("repairs-message", f"Job #{job_id}: 128 repair(s) undone", timeout=60)
    assert "left" not in result
    page.wait(lambda _: "128 repair(s) undone" in read(page, "#repairs-body tr.repair-batch", "data-job-id").get(job_id, ""),
              message="the batch's result is not shown beside it")
    after = targets(seasons)
    assert all(after[link] == before[link] for link in seasons if link != first)  # the batch points back
    assert os.path.exists(first)  # the other batch stands
    assert not page.css(f"#repairs-body tr.repair-batch[data-job-id='{job_id}'] .repair-undo-batch")


def test_check_results_by_plain_name_with_their_date_and_a_fix_button_and_import_errors_open(page, app, library,
                                                                                           source_dir, size,
                                                                                           screenshot_dir):
    from linkdoctor.config import update_config

    with app.app_context():
        update_config({"source_roots": [str(source_dir)]})
    library.healthy("TV/Glass Houses (2013)/Season 01/Glass.Houses.S01E01.mkv")
    broken = [library.broken(f"TV/Glass Houses (2013)/Season 01/Glass.Houses.S01E{e:02}.mkv") for e in (2, 3)]
    (source_dir / "Glass.Houses.S01E02.720p.mkv").write_bytes(b"\0" * 4096)
    page.open("maintenance")
    page.by_id("maint-import").click()
    page.wait_for_text("maint-summary", "2 errors", timeout=60)
    # The errors open: each with its path and its reason.
    heading = page.wait_for_text("maint-errors-heading", "2 error(s)")
    assert heading.startswith("Import #")
    page.click_first("#maint-errors > summary")
    page.wait(lambda _: page.visible("maint-errors-list"), message="the import errors did not open")
    items = {item.find_element("css selector", ".named-path").get_attribute("title"):
             item.find_element("css selector", ".result-reason").text for item in page.css("#maint-errors-list li")}
    assert set(items) == {str(link) for link in broken} and all("target missing" in r for r in items.values())
    names_unclipped(page, "#maint-errors-list .named-path-name")

    page.by_id("maint-check").click()
    page.wait_for_text("maint-summary", "inconsistencies found", timeout=60)
    page.wait(lambda _: page.visible("maint-results"), message="no results after the check")
    labels = read(page, "#maint-categories button", "data-category")
    assert labels["broken_symlinks"] == "Broken links (2)" and labels["orphan_files"] == "Files no link points to (1)"
    assert not [text for text in labels.values() if "_" in text]
    assert page.by_id("maint-check-date").text.startswith("· made ")
    page.click_first("#maint-categories [data-category='broken_symlinks']")
    page.wait_for_text("maint-fix", "Repair the broken links")
    assert "linkdoctor" not in page.by_id("maint-action").text  # the fix is the button, not a command
    page.screenshot(screenshot_dir, "worklist-check")
    page.by_id("maint-fix").click()  # starts the fix: the broken links listed in Repair
    page.wait_for_text("repair-status", "2 broken link(s)", timeout=60)


@pytest.fixture
def quarantine(app, client, library):
    """Links of two scans and two categories in the quarantine, in season folders."""
    def confirm(**body):
        scan_id = client.post("/api/symlink/scan/start", json={"mode": "real", **body}).get_json()["scan_id"]
        status = wait_for_scan(client, scan_id)
        answer = client.post(f"/api/symlink/scan/{scan_id}/confirm",
                             json={"token": status["confirmation"]["token"], "force": True})
        assert answer.status_code == 200, answer.get_json()
        assert app.extensions["linkdoctor.tasks"].wait(scan_id, 30)
        return scan_id

    assert client.post("/api/symlink/config", json={"small_file_threshold": 1024}).status_code == 200
    library.healthy("Movies/Ok (2020)/Ok (2020).mkv")
    for episode in range(1, 13):
        library.broken(f"TV/Glass Houses (2013)/Season 01/Glass.Houses.S01E{episode:02}.1080p.mkv")
    library.empty("TV/Glass Houses (2013)/Season 01/Glass.Houses.S01E13.1080p.mkv")
    first = confirm()
    for episode in range(1, 4):
        library.broken(f"TV/Other Show (2020)/Season 02/Other.Show.S02E{episode:02}.mkv")
    second = confirm()
    return first, second


def test_the_quarantine_tab_searches_filters_chooses_all_that_match_and_restores(page, quarantine, library, size,
                                                                                screenshot_dir):
    first, second = quarantine
    page.open("quarantine")
    page.wait(lambda _: len(page.css("#qv-body tr")) == 16, message="the quarantine was not listed")
    page.wait_for_text("qv-count", "(16)")
    # Paths relative to the media root, the episode's name whole.
    names = names_unclipped(page, "#qv-body .named-path-name")
    assert any(name.startswith("Glass.Houses.S01E") for name in names)
    assert page.css("#qv-body .named-path")[0].get_attribute("textContent").startswith(("TV/", "Movies/"))
    scans = read(page, "#qv-scan option", "value")
    assert scans == {"": "All scans", str(first): f"Scan #{first} (13)", str(second): f"Scan #{second} (3)"}
    categories = read(page, "#qv-category option", "value")
    assert categories == {"": "All categories", "broken": "broken (15)", "small": "small (1)"}

    # Filter by scan and category, then search: the rows follow, "choose all" takes what matches.
    page.select("qv-scan", str(first))
    page.wait(lambda _: len(page.css("#qv-body tr")) == 13, message="the scan filter did nothing")
    page.select("qv-category", "broken")
    page.wait(lambda _: len(page.css("#qv-body tr")) == 12, message="the category filter did nothing")
    page.fill("qv-search", "S01E1")
    page.wait(lambda _: len(page.css("#qv-body tr")) == 3, message="the search did nothing")  # E10, E11, E12
    page.wait_for_text("qv-select-all-label", "Choose all 3 that match")
    page.driver.execute_script("""
        window.__changes = [];
        window.addEventListener("linkdoctor:library-changed", (e) => window.__changes.push(e.detail));""")
    page.by_id("qv-select-all").click()
    page.wait_for_text("qv-chosen", "3 of 3 chosen")
    assert page.driver.execute_script(
        "return [...document.querySelectorAll('#qv-body input.quarantine-pick')].every((box) => box.checked)")
    page.screenshot(screenshot_dir, "worklist-quarantine")
    page.by_id("qv-restore").click()
    # The result beside the action: right under the buttons, not at the top of the page.
    result = page.wait_for_text("qv-result", "Restored 3 link(s)")
    assert "Not restored" not in result
    actions = page.by_id("qv-restore").rect
    shown = page.by_id("qv-result").rect
    assert 0 <= shown["y"] - (actions["y"] + actions["height"]) < 120
    for episode in (10, 11, 12):
        assert os.path.islink(library.root / f"TV/Glass Houses (2013)/Season 01/Glass.Houses.S01E{episode}.1080p.mkv")
    page.wait(lambda _: not page.css("#qv-body tr"), message="the restored links stayed listed")
    assert page.driver.execute_script("return window.__changes") == [{"action": "restored", "count": 3}]
    page.fill("qv-search", "")
    page.select("qv-scan", "")
    page.select("qv-category", "")
    page.wait(lambda _: len(page.css("#qv-body tr")) == 13, message="the rest of the quarantine was not listed")
    page.wait_for_text("qv-count", "(13)")
