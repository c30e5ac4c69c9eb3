"""The repair block of the Maintenance tab in real headless Chromium: list, reject, accept one, accept all."""

import os

import pytest

from tests.support.trees import Tree

from tests.support.browser import Page, requires_chromium

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
    page.click_first(f"#repair-body tr[data-path='{tree.nothing}'] .repair-reject")
    page.wait(lambda _: tree.nothing not in shown(page), message="the rejected link is still listed")
    assert os.path.islink(tree.nothing)

    # Accept the ambiguous link's first candidate: the user chose it.
    page.click_first(f"#repair-body tr[data-path='{tree.intouchables}'] .repair-accept")
    page.wait_for_text("repair-status", "1 link(s) repaired", timeout=60)
    assert os.path.exists(tree.intouchables)

    page.by_id("repair-accept-all").click()
    page.wait_for_text("repair-status", "3 link(s) repaired", timeout=60)
    assert all(os.path.exists(p) for p in (tree.e02, tree.e21, tree.dune))
    page.wait(lambda _: not page.css("#repair-body tr"), message="repaired links are still listed")
    assert not page.visible("repair-followup")  # no Sonarr/Radarr enabled: nothing to say about them


def test_accept_all_says_sonarr_rescans_what_was_repaired(page, tree, app, sonarr):
    show = sonarr.add_series("The Office", "/tv/The Office (US)")
    answer = app.test_client().post("/api/symlink/config", json={
        "sonarr_enabled": True, "sonarr_host": "127.0.0.1", "sonarr_port": sonarr.port,
        "sonarr_api_key": sonarr.api_key,
        "path_mappings": [{"remote": "/tv/The Office (US)", "local": os.path.dirname(tree.e02)}]})
    assert answer.status_code == 200, answer.get_json()
    page.open("maintenance")
    page.by_id("repair-list").click()
    page.wait_for_text("repair-status", "5 broken link(s)", timeout=60)
    page.by_id("repair-accept-all").click()
    page.wait_for_text("repair-status", "3 link(s) repaired", timeout=60)
    page.wait_for_text("repair-followup", "rescan of the repaired items started", timeout=30)
    page.wait(lambda _: {"name": "RescanSeries", "seriesId": show} in sonarr.sent_commands(),
              message="Sonarr was never asked to rescan", timeout=30)
