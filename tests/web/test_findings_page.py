"""Issue 10 in Chromium: findings searched and sorted on the server, paged with numbers, kept in the address."""

import re

import pytest

from tests.support.api import run_scan
from tests.support.browser import requires_chromium
from tests.support.pages import open_findings_toolbar

pytestmark = [requires_chromium, pytest.mark.usefixtures("window")]  # each test at desktop and phone sizes


def many_findings(library, count=30):
    for i in range(count):
        library.broken(f"Movies/Film {i:02} ({2000 + i})/film{i:02}.mkv")
    library.broken("Movies/Dune (2021)/dune.mkv")
    library.empty("Series/Dark/S01E01.mkv")


def paths(page):
    return [row["path"] for row in page.findings_rows()]


def open_scan(page, scan_id, query=""):
    page.driver.get(f"{page.base_url}/#/scanner/scan/{scan_id}{'?' + query if query else ''}")
    page.wait_for_text("findings-scan-id", f"#{scan_id}")
    page.wait(lambda _: page.by_id("findings-block").get_attribute("aria-busy") == "false", message="no findings")
    open_findings_toolbar(page)


def test_search_sort_and_page_numbers_are_answered_by_the_server(page, app, library, screenshot_dir):
    many_findings(library)
    scan_id = run_scan(app)
    open_scan(page, scan_id)
    page.select("findings-per-page", "10")
    page.wait(lambda _: len(page.findings_rows()) == 10, message="10 rows per page")
    page.fill("findings-q", "dune")
    page.wait(lambda _: paths(page) == ["Movies/Dune (2021)/dune.mkv"], message="the search did not narrow")
    from selenium.webdriver.common.keys import Keys

    page.by_id("findings-q").send_keys(Keys.CONTROL + "a", Keys.DELETE)  # as a person empties it
    page.select("findings-sort", "path")
    page.select("findings-order", "desc")
    page.wait(lambda _: paths(page)[:1] == ["Series/Dark/S01E01.mkv"], message="not sorted by link, descending")
    page.by_id("findings-last").click()
    page.wait(lambda _: page.by_id("findings-page").text == "page 4 of 4", message="Last did not go to the end")
    page.click_first('#findings-pages button[data-page="2"]')
    page.wait(lambda _: page.by_id("findings-page").text == "page 2 of 4", message="page 2 not shown")
    assert re.search(rf"#/scanner/scan/{scan_id}\?page=2&per_page=10&sort=path&order=desc$", page.driver.current_url)
    page.screenshot(screenshot_dir, "findings-sorted")


def test_the_address_brings_the_same_view_after_a_reload_and_back(page, app, library):
    many_findings(library)
    scan_id = run_scan(app)
    open_scan(page, scan_id, "category=small")
    page.wait(lambda _: paths(page) == ["Series/Dark/S01E01.mkv"], message="the category from the address")
    assert page.by_id("findings-category").get_attribute("value") == "small"
    page.select("findings-category", "broken")
    # Not only "of 1": the small finding's own view already says "page 1 of 1" before the broken ones come.
    page.wait(lambda _: paths(page) != ["Series/Dark/S01E01.mkv"]
              and (len(page.findings_rows()) == 31 or page.by_id("findings-page").text.endswith("of 1")),
              message="broken findings not shown")
    assert "category=broken" in page.driver.current_url
    page.driver.back()
    page.wait(lambda _: paths(page) == ["Series/Dark/S01E01.mkv"], message="Back did not bring the small ones")
    page.driver.refresh()
    page.wait_for_text("findings-scan-id", f"#{scan_id}")
    page.wait(lambda _: paths(page) == ["Series/Dark/S01E01.mkv"], message="a reload lost the view")
