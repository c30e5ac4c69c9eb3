"""Fixtures of the web tests: the window sizes a page is shown at, a library for the pages, a quarantined link,
the repair's tree of links that lost their releases.

The browser itself (live_server, browser, page, screenshot_dir) is in tests/support/browser.py,
registered for the whole suite by tests/conftest.py (tests/jobs uses it too)."""

import pytest

from tests.support.api import wait_for_scan
from tests.support.pages import AWKWARD, VIEWPORTS, lay_out
from tests.support.trees import Tree

# The page at a desktop's and a phone's window size: a module's tests run at both with
#     pytestmark = [requires_chromium, pytest.mark.usefixtures("window")]
# and their screenshots are named after the size.
SIZES = {"desktop": (1280, 1000), "phone": (390, 844)}


@pytest.fixture(params=list(SIZES), ids=list(SIZES))
def window(request, page):
    page.driver.set_window_size(*SIZES[request.param])
    page.size_name = request.param
    return request.param


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def size(request, page):
    """The page laid out at a desktop's or a phone's size (before any page is opened: media queries read at start)."""
    lay_out(page, request.param)
    return request.param


@pytest.fixture
def web_library(library):
    """17 links: 3 healthy, 13 broken (one with an awkward name), 1 to an empty file."""
    library.healthy("Movies/Alpha (2020)/alpha.mkv", size=4096)
    library.broken("Movies/Beta (2021)/beta.mkv")
    library.empty("Movies/Gamma (2022)/gamma.mkv")
    library.healthy("Shows/Show X/Season 1/e01.mkv", size=4096)
    library.healthy("Shows/Show X/Season 1/e02.mkv", size=4096)
    library.broken(f"{AWKWARD}/{AWKWARD}.mkv")
    for i in range(1, 12):
        library.broken(f"Extras/b{i:02}.mkv")
    return library


@pytest.fixture
def configured_source(app, source_dir):
    """The source root the repair looks for releases in, set in the config."""
    from linkdoctor.config import update_config

    with app.app_context():
        update_config({"source_roots": [str(source_dir)]})
    return source_dir


@pytest.fixture
def tree(library, configured_source):
    """The repair's Tree (tests/support/trees.py): releases in the source root, links that lost them."""
    return Tree(library, configured_source)


@pytest.fixture
def quarantined(client, library, env):
    """A real scan whose one broken link was confirmed into the quarantine, through the JSON API."""
    link = library.broken("Movies/Gone/Gone.mkv")
    library.healthy("Movies/Here/Here.mkv")
    scan_id = client.post("/api/symlink/scan/start", json={"mode": "real"}).get_json()["scan_id"]
    status = wait_for_scan(client, scan_id)
    result = client.post(f"/api/symlink/scan/{scan_id}/confirm", json={"token": status["confirmation"]["token"]})
    assert result.get_json()["removed"] == 1
    return scan_id, link, env / "trash" / "orphans" / "Movies/Gone/Gone.mkv"
