"""The TMDB block of the Maintenance tab in real headless Chromium, against the fake TMDB, at desktop and phone sizes."""

import os

import pytest

from tests.fakes.tmdb import AMELIE, API_KEY, FakeTmdb
from tests.support.browser import requires_chromium
from tests.support.media import do_import

pytestmark = [requires_chromium, pytest.mark.usefixtures("window")]  # each test at desktop and phone sizes


@pytest.fixture
def tmdb(app):
    fake = FakeTmdb(retry_after=0.1).start()
    fake.movies.append(AMELIE)
    answer = app.test_client().post("/api/symlink/config", json={"tmdb_base_url": fake.url, "tmdb_api_key": API_KEY})
    assert answer.status_code == 200, answer.get_json()
    yield fake
    fake.stop()


def test_looking_titles_up_shows_what_was_found_and_why_one_failed(page, app, library, tmdb, screenshot_dir):
    for name in ("Le Fabuleux Destin d'Amélie Poulain (2001)", "Inconnu (1999)", "Panne (2003)"):
        library.link(f"Films/{name}/{name}.mkv", library.target(f"{name}.mkv", content=os.urandom(4096)))
    do_import(app)
    tmdb.fail_query = "Panne"  # TMDB answers 500 for it, also after the client's retries
    page.open("maintenance")
    page.by_id("enrich-run").click()
    page.wait_for_text("enrich-summary", "1 enriched, 1 not found, 1 failed (0 already enriched)", timeout=30)
    failures = page.wait_for_text("enrich-failures", "Panne (2003).mkv")
    assert "TMDB answered 500" in failures
    assert not page.visible("enrich-progress") and not page.visible("enrich-cancel")
    assert page.by_id("enrich-run").is_enabled() and not page.visible("error-banner")
    page.screenshot(screenshot_dir, "maintenance-enrich")

    # Run again: what was found is not asked again, the failed item is.
    tmdb.fail_query = ""
    page.by_id("enrich-run").click()
    page.wait_for_text("enrich-summary", "0 enriched, 1 not found, 0 failed (2 already enriched)", timeout=30)
    assert not page.visible("enrich-failures")

    # The Dashboard's Activity says the same of it.
    page.tab("dashboard")
    page.wait_for_text("activity-body", "Titles from TMDB")
    page.wait_for_text("activity-body", "0 enriched, 1 not found, 0 failed (2 already enriched)")


def test_without_a_key_the_block_says_so_and_leads_to_the_key_in_settings(page, screenshot_dir):
    page.open("maintenance")
    page.by_id("enrich-run").click()
    page.wait_for_text("enrich-no-key", "No TMDB API key is set")
    assert not page.visible("error-banner") and page.by_id("enrich-summary").text == ""
    page.screenshot(screenshot_dir, "maintenance-enrich-no-key")
    page.by_id("enrich-open-settings").click()
    page.wait(lambda _: page.visible("panel-settings"), message="Settings never showed")
    page.wait(lambda driver: driver.switch_to.active_element.get_attribute("id") == "cfg-tmdb_api_key",
              message="the TMDB key's field never got the focus")
