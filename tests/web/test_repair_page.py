"""The repair block of the Maintenance tab in real headless Chromium: list, reject, accept one, accept all."""

import os

from tests.support.browser import Page, requires_chromium

pytestmark = requires_chromium


def shown(page: Page) -> dict:
    return page.wait(lambda _: {row.get_attribute("data-path"): row.get_attribute("data-verdict")
                                for row in page.css("#repair-body tr")} or None, message="no repair rows")


def open_group(page: Page, group: str) -> None:
    page.click_first(f"#repair-groups [data-group='{group}']")
    page.wait(lambda _: page.css(f"#repair-groups [data-group='{group}'][aria-pressed='true']"),
              message=f"the group {group} never showed")


def accept_all(page: Page) -> None:
    """Accept all unambiguous, then answer the question it asks first."""
    page.by_id("repair-accept-all").click()
    page.wait(lambda _: page.visible("repair-accept-dialog"), message="accept all did not ask first")
    page.by_id("repair-accept-yes").click()


def test_list_reject_accept_one_and_accept_all(page, tree):
    page.open("maintenance")
    page.by_id("repair-list").click()
    page.wait_for_text("repair-status", "5 broken link(s)", timeout=60)
    # The listing opens on "Ready": the links with one clear candidate, and the count of each group.
    assert shown(page) == {tree.e02: "repair", tree.e21: "repair", tree.dune: "repair"}
    groups = {b.get_attribute("data-group"): b.text for b in page.css("#repair-groups button")}
    assert groups == {"ready": "Ready (3)", "ambiguous": "Ambiguous (1)", "no_candidate": "No candidate (1)"}
    open_group(page, "no_candidate")
    assert shown(page) == {tree.nothing: "no_candidate"}

    # Reject the one without candidate: it leaves the list, nothing changes on disk.
    page.click_first(f"#repair-body tr[data-path='{tree.nothing}'] .repair-reject")
    page.wait(lambda _: not page.css("#repair-body tr"), message="the rejected link is still listed")
    assert os.path.islink(tree.nothing)

    # Accept the ambiguous link's first candidate: the user chose it.
    open_group(page, "ambiguous")
    assert shown(page) == {tree.intouchables: "ambiguous"}
    page.click_first(f"#repair-body tr[data-path='{tree.intouchables}'] .repair-accept")
    page.wait_for_text("repair-status", "1 link(s) repaired", timeout=60)
    assert os.path.exists(tree.intouchables)

    open_group(page, "ready")
    accept_all(page)
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
    accept_all(page)
    page.wait_for_text("repair-status", "3 link(s) repaired", timeout=60)
    page.wait_for_text("repair-followup", "rescan of the repaired items started", timeout=30)
    page.wait(lambda _: {"name": "RescanSeries", "seriesId": show} in sonarr.sent_commands(),
              message="Sonarr was never asked to rescan", timeout=30)
