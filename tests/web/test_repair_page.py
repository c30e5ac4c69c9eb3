"""The repair block of the Maintenance tab in real headless Chromium: list, reject, accept one, accept all."""

import os

import pytest

from tests.library.test_repair import Tree

from .browser import Page, browser, live_server, page, requires_chromium, screenshot_dir  # noqa: F401

pytestmark = requires_chromium


@pytest.fixture
def tree(library, app, source_dir):
    from linkdoctor.config import update_config

    with app.app_context():
        update_config({"source_roots": [str(source_dir)]})
    return Tree(library, source_dir)


def shown(page: Page) -> dict:
    return page.wait(lambda _: {row.get_attribute("data-path"): row.get_attribute("data-verdict")
                                for row in page.css("#repair-body tr")} or None, message="no repair rows")


def test_list_reject_accept_one_and_accept_all(page, tree):
    page.open("maintenance")
    page.by_id("repair-list").click()
    page.wait_for_text("repair-status", "5 broken link(s)", timeout=60)
    rows = shown(page)
    assert rows[tree.intouchables] == "ambiguous" and rows[tree.e02] == "repair" and rows[tree.nothing] == "no_candidate"

    # Reject the one without candidate: it leaves the list, nothing changes on disk.
    page.css(f"#repair-body tr[data-path='{tree.nothing}'] .repair-reject")[0].click()
    page.wait(lambda _: tree.nothing not in shown(page), message="the rejected link is still listed")
    assert os.path.islink(tree.nothing)

    # Accept the ambiguous link's first candidate: the user chose it.
    page.css(f"#repair-body tr[data-path='{tree.intouchables}'] .repair-accept")[0].click()
    page.wait_for_text("repair-status", "1 link(s) repaired", timeout=60)
    assert os.path.exists(tree.intouchables)

    page.by_id("repair-accept-all").click()
    page.wait_for_text("repair-status", "3 link(s) repaired", timeout=60)
    assert all(os.path.exists(p) for p in (tree.e02, tree.e21, tree.dune))
    page.wait(lambda _: not page.css("#repair-body tr"), message="repaired links are still listed")
