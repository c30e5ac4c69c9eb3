"""The Maintenance tab in real headless Chromium: import and check as jobs, results paged from the server.

Set LINKDOCTOR_SCREENSHOTS=/some/dir to keep a copy of the screenshots.
"""

import os
import time

import pytest

from tests.support.media import Media, do_check

from tests.support.browser import Page, requires_chromium

pytestmark = requires_chromium
ORPHANS = 30_000


def rows(page: Page) -> list[list[str]]:
    """The results table as the user reads it (read again if a re-render replaced it meanwhile)."""
    def read(_):
        return [[cell.get_attribute("textContent") for cell in row.find_elements("css selector", "td")]
                for row in page.css("#maint-body tr")] or [[]]
    found = page.wait(read, message="the results table could not be read")
    return [] if found == [[]] else found


def open_category(page: Page, category: str) -> None:
    page.click_first(f"#maint-categories [data-category='{category}']")
    page.wait(lambda _: page.css(f"#maint-categories [data-category='{category}'][aria-pressed='true']")
              and all(r.get_attribute("data-category") == category for r in page.css("#maint-body tr")),
              message=f"category {category} never showed")


@pytest.fixture
def web_media(library, app, source_dir):
    from linkdoctor.config import update_config

    with app.app_context():
        update_config({"source_roots": [str(source_dir)]})
    return Media(library)


def test_import_then_check_from_the_tab(page, web_media, screenshot_dir):
    page.open("maintenance")
    page.by_id("maint-import").click()
    summary = page.wait_for_text("maint-summary", f"{Media.MEDIA_ITEMS} imported", timeout=60)
    assert "1 pending identification" in summary
    # Pending identification is collapsed, its count in the heading; opened, it lists the item.
    page.wait_for_text("maint-pending-total", "(1)")
    assert not page.visible("maint-pending-list")
    page.click_first("#maint-pending > summary")
    page.wait_for_text("maint-pending-list", os.path.basename(web_media.unknown))
    assert str(web_media.unknown) == page.css("#maint-pending-list .named-path")[0].get_attribute("title")
    page.by_id("maint-check").click()
    page.wait_for_text("maint-summary", "inconsistencies found", timeout=60)
    page.wait(lambda _: page.visible("maint-results"), message="no results after the check")
    counts = page.wait(lambda _: {b.get_attribute("data-category"): b.text for b in page.css("#maint-categories button")},
                       message="no category buttons")
    # Plain names, not the keys; the check's date in the heading.
    assert counts["orphan_files"] == "Files no link points to (1)"
    assert counts["duplicate_targets"] == "Files shared by several links (2)"
    assert page.by_id("maint-check-date").text.startswith("· made ")
    open_category(page, "orphan_files")
    (orphan,) = rows(page)
    # No fix linkdoctor can start for an orphan: no button, the words say what to do.
    assert orphan[0] == str(web_media.orphan) and not page.visible("maint-fix")
    assert "What to do: linkdoctor import" in page.by_id("maint-action").text
    open_category(page, "duplicate_targets")
    verdicts = sorted(r[2].split(":")[0] for r in rows(page))
    assert verdicts == ["legitimate", "suspicious"]
    suspicious = next(r for r in rows(page) if r[2].startswith("suspicious"))
    assert str(web_media.e03) in suspicious[0] and page.by_id("maint-fix").text == "Repair the shared wrong targets"
    open_category(page, "unidentified")
    assert rows(page)[0][0] == str(web_media.unknown) and page.by_id("maint-fix").text == "Show the items to rename"
    page.screenshot(screenshot_dir, "maintenance")


def test_30000_orphans_load_a_page_at_a_time(page, app, library, source_dir, capsys):
    from linkdoctor.config import update_config

    for i in range(ORPHANS):
        (source_dir / f"orphan {i:05}.mkv").touch()
    library.link("Films/Dune (2021)/Dune (2021).mkv", library.target("dune.mkv", content=os.urandom(4096)))
    with app.app_context():
        update_config({"source_roots": [str(source_dir)]})
    report = do_check(app)
    assert report["counts"]["orphan_files"] == ORPHANS
    page.open("dashboard")

    def shown(text):  # one script call per poll, so the measure is the page's time, not selenium's
        return lambda _: page.driver.execute_script(
            "const p = document.getElementById('maint-page'); "
            "return document.querySelectorAll('#maint-body tr').length === 50 && p.textContent.startsWith(arguments[0]);",
            text)

    started = time.monotonic()
    page.tab("maintenance")
    page.wait(shown("page 1 of 600 (30000)"), message="the first page of orphans never showed")
    first_page = time.monotonic() - started
    # The tab opens on the first category with entries; the orphans are the ones.
    assert page.css("#maint-categories [aria-pressed='true']")[0].get_attribute("data-category") == "orphan_files"
    started = time.monotonic()
    page.by_id("maint-next").click()
    page.wait(shown("page 2 of 600"), message="page 2 never showed")
    next_page = time.monotonic() - started
    assert rows(page)[0][0] == str(source_dir / "orphan 00050.mkv")
    started = time.monotonic()
    page.click_first("#maint-categories [data-category='duplicate_targets']")
    page.wait(lambda _: page.by_id("maint-page").text == "page 1 of 1 (0)", message="the empty category never showed")
    category = time.monotonic() - started
    with capsys.disabled():
        print(f"\n30,000 orphans: tab opened with its first page in {first_page:.2f}s, another category "
              f"{category:.2f}s, next page {next_page:.2f}s (server fetch {page.driver.find_element('css selector', 'body').get_attribute('data-maint-load-ms')} ms)")
    assert first_page < 5 and category < 5 and next_page < 5  # generous: measured well under a second
