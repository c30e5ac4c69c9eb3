"""Real mode in the web UI: the "Proposed removals" panel, the guard, confirming and restoring.

Real headless Chromium against the real server and real symlinks in tmp_path; every
removal and restore is checked on the filesystem, not only on the page.

Run: .venv/bin/python -m pytest tests/web/test_confirm_page.py -q
Set LINKDOCTOR_SCREENSHOTS=/some/dir to keep a copy of the screenshots.
"""

import os

from tests.support.api import wait_for_scan
from tests.support.browser import Page, requires_chromium
from tests.support.pages import AWKWARD, confirm, reload, scan, wait_panel

pytestmark = requires_chromium



# -- helpers ---------------------------------------------------------------


def use_source_root(client, library) -> None:
    """Make the library's target folder a configured source root (the guard judges it as one)."""
    response = client.post("/api/symlink/config", json={"source_roots": [str(library.source)]})
    assert response.status_code == 200, response.get_json()


def checkbox(page: Page, path) -> object:
    """The findings table's checkbox of a proposed link, by its full path."""
    wanted = os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))  # not the link's target
    boxes = [b for b in page.css("#findings-body input.propose-check") if b.get_attribute("data-path") == wanted]
    assert boxes, f"no checkbox for {wanted}"
    return boxes[0]


def shoot(page: Page, element_id: str, directory, name: str) -> None:
    """A PNG of one element (kept in $LINKDOCTOR_SCREENSHOTS too, like Page.screenshot)."""
    path = directory / f"{name}.png"
    element = page.by_id(element_id)
    page.driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", element)
    element.screenshot(str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    extra = os.environ.get("LINKDOCTOR_SCREENSHOTS")
    if extra:
        os.makedirs(extra, exist_ok=True)
        with open(os.path.join(extra, path.name), "wb") as copy:
            copy.write(path.read_bytes())


def present(paths) -> list[bool]:
    return [os.path.lexists(p) for p in paths]


def no_markup(page: Page) -> None:
    for block in ("confirm-block", "removal-block", "findings-body"):
        assert not page.css(f"#{block} b"), f"an API string was injected as HTML into #{block}"


# -- tests -------------------------------------------------------------------


def test_confirm_moves_only_the_checked_links(page, client, library, media_root, screenshot_dir):
    broken = [library.broken(f"Films/Bad {i}/bad{i}.mkv") for i in range(2)]
    broken.append(library.broken(f"{AWKWARD}/{AWKWARD}.mkv"))
    healthy = [library.healthy(f"Films/Ok {i}/ok{i}.mkv") for i in range(4)]  # 3 of 7 broken: below the limit
    use_source_root(client, library)

    scan_id = scan(page, "real", "awaiting_confirmation")
    wait_panel(page, scan_id, 3)
    assert "Nothing has been removed" in page.by_id("confirm-text").text
    verdicts = page.css("#confirm-sources .guard-item")
    assert len(verdicts) == 1 and verdicts[0].get_attribute("data-blocked") == "false"
    assert verdicts[0].find_element("css selector", ".guard-source").text == str(library.source)
    assert verdicts[0].find_element("css selector", ".guard-verdict").text == "OK"
    # Every proposed row has a ticked checkbox; the guard is in force; nothing moved yet.
    boxes = page.css("#findings-body input.propose-check")
    assert len(boxes) == 3 and all(b.is_selected() for b in boxes)
    assert not page.by_id("confirm-force").is_selected()
    assert page.by_id("confirm-selected").text == "3 of 3 links selected"
    assert page.by_id("confirm-move").text == "Move 3 links to quarantine"
    assert "restore them" in page.by_id("confirm-move-note").text
    assert all(present(broken + healthy))

    # Select none / all drive the table's checkboxes and the button.
    page.by_id("confirm-select-none").click()
    assert not any(b.is_selected() for b in page.css("#findings-body input.propose-check"))
    assert not page.by_id("confirm-move").is_enabled()
    page.by_id("confirm-select-all").click()
    assert all(b.is_selected() for b in page.css("#findings-body input.propose-check"))

    checkbox(page, broken[1]).click()  # keep this one
    kept_row = checkbox(page, broken[1]).find_element("xpath", "ancestor::tr")
    # The marks are short words (issue 22: the detail stays readable), their meaning in the tooltip.
    kept_mark = kept_row.find_element("css selector", ".tag-unticked")
    assert kept_mark.text == "kept" and kept_mark.get_attribute("title") == "unticked: will be kept"
    assert "to remove" not in kept_row.text
    ticked_row = checkbox(page, broken[0]).find_element("xpath", "ancestor::tr")
    ticked_mark = ticked_row.find_element("css selector", ".tag-proposed")
    assert ticked_mark.text == "to remove" and "proposed for removal" in ticked_mark.get_attribute("title")
    assert not ticked_row.find_element("css selector", ".tag-unticked").is_displayed()
    assert page.by_id("confirm-selected").text == "2 of 3 links selected"
    assert page.by_id("confirm-move").text == "Move 2 links to quarantine"
    shoot(page, "confirm-block", screenshot_dir, "confirm-panel")
    page.screenshot(screenshot_dir, "confirm-page")

    # The second step can be backed out of: nothing happens.
    page.by_id("confirm-move").click()
    page.wait_for_text("confirm-step-text", "Are you sure? This moves 2 links into the quarantine")
    shoot(page, "confirm-step", screenshot_dir, "confirm-step")
    page.by_id("confirm-no").click()
    assert not page.visible("confirm-step") and all(present(broken))

    confirm(page, "This moves 2 links", "Yes, move 2 links")
    page.wait_for_text("removal-summary", "Moved 2 links into the quarantine.")
    assert present(broken) == [False, True, False], "only the checked links may leave the library"
    assert all(present(healthy))
    page.wait(lambda _: not page.visible("confirm-block"), message="the panel stayed after confirming")
    assert page.by_id("findings-status").get_attribute("data-status") == "completed"
    assert page.by_id("progress-status").get_attribute("data-status") == "completed"
    page.wait_for_text("removal-quarantine", "2 links of this scan are in the quarantine")
    assert page.by_id("restore-button").text == "Restore these 2 links"
    # The table tells which links went where; none has a checkbox any more.
    page.wait(lambda _: len(page.css("#findings-body .tag-state-quarantined")) == 2,
              message="the rows never showed their quarantine state")
    assert len(page.css("#findings-body .tag-kept")) == 1 and not page.css("#findings-body input.propose-check")
    no_markup(page)
    page.screenshot(screenshot_dir, "confirm-done")
    assert not page.visible("error-banner")
    status = client.get(f"/api/symlink/scan/status/{scan_id}").get_json()
    assert status["statistics"]["files_deleted"] == 2


def test_the_selection_spans_the_table_pages(page, client, library):
    broken = [library.broken(f"Films/B{i:02}/b.mkv") for i in range(12)]
    for i in range(13):  # 12 of 25 broken: below the guard's limit
        library.healthy(f"Films/ok{i:02}/ok.mkv")
    use_source_root(client, library)
    scan_id = scan(page, "real", "awaiting_confirmation")
    wait_panel(page, scan_id, 12)

    page.select("findings-per-page", "10")
    page.wait_findings(10)
    page.by_id("confirm-select-none").click()
    assert page.by_id("confirm-selected").text == "0 of 12 links selected"
    first = page.css("#findings-body input.propose-check")[0]
    picked = [first.get_attribute("data-path")]
    first.click()
    page.by_id("findings-next").click()
    page.wait_findings(2)
    boxes = page.css("#findings-body input.propose-check")
    assert not any(b.is_selected() for b in boxes)  # "none" holds on the next page too
    picked.append(boxes[1].get_attribute("data-path"))
    boxes[1].click()
    page.by_id("findings-prev").click()
    page.wait_findings(10)
    assert page.css("#findings-body input.propose-check")[0].is_selected()  # and the tick survived paging
    assert page.by_id("confirm-selected").text == "2 of 12 links selected"

    confirm(page, "This moves 2 links", "Yes, move 2 links")
    page.wait_for_text("removal-summary", "Moved 2 links into the quarantine.")
    gone = {os.path.join(os.path.realpath(os.path.dirname(p)), os.path.basename(p)) for p in broken if not os.path.lexists(p)}
    assert gone == set(picked)


def test_the_guard_blocks_until_overridden(page, client, library, screenshot_dir):
    broken = [library.broken(f"Films/B{i}/b{i}.mkv") for i in range(3)]
    healthy = library.healthy("Films/ok/ok.mkv")
    use_source_root(client, library)
    source = str(library.source)

    scan_id = scan(page, "real", "awaiting_confirmation")
    wait_panel(page, scan_id, 3)
    blocked = page.css("#confirm-sources .guard-blocked")
    assert len(blocked) == 1 and blocked[0].get_attribute("data-source") == source
    reason = blocked[0].find_element("css selector", ".guard-reason").text
    assert reason == f"3 of 4 links into {source} are broken (75%, above the 50% limit)"
    assert blocked[0].find_element("css selector", ".guard-verdict").text.lower() == "blocked"
    assert not page.by_id("confirm-force").is_selected()
    assert "3 links of the selection point into blocked sources" in page.by_id("confirm-force-note").text
    assert page.by_id("confirm-move").text == "Move 0 links to quarantine"
    assert "btn-danger" not in page.by_id("confirm-move").get_attribute("class")  # red only when it moves links
    assert len(page.css("#findings-body .tag-blocked")) == 3
    shoot(page, "confirm-block", screenshot_dir, "confirm-guard-blocked")

    # Confirming without the override moves nothing and says why, link by link.
    confirm(page, "Nothing will be moved", "move nothing")
    page.wait_for_text("removal-summary", "Moved 0 links into the quarantine. 3 links left in place.")
    assert page.by_id("removal-heading").text == f"Confirmation of scan #{scan_id}"
    skipped = page.css("#removal-skipped li")
    assert len(skipped) == 3 and all("source blocked: 3 of 4 links" in li.text for li in skipped)
    assert all(present(broken + [healthy]))
    assert not page.visible("restore-button")
    page.screenshot(screenshot_dir, "confirm-guard-skipped")

    # A new real scan, this time with the override ticked, removes them.
    scan_id = scan(page, "real", "awaiting_confirmation")
    wait_panel(page, scan_id, 3)
    assert not page.by_id("confirm-force").is_selected()  # never carried over
    page.by_id("confirm-force").click()
    assert "is-on" in page.by_id("confirm-force").find_element("xpath", "..").get_attribute("class")
    assert page.by_id("confirm-move").text == "Move 3 links to quarantine"
    assert "the guard is overridden" in page.by_id("confirm-force-note").text.lower()
    shoot(page, "confirm-block", screenshot_dir, "confirm-guard-override")
    text = confirm(page, "This moves 3 links", "Yes, move 3 links")
    assert "the guard is overridden" in text
    page.wait_for_text("removal-summary", "Moved 3 links into the quarantine, overriding the guard.")
    assert not any(present(broken)) and os.path.islink(healthy)


def test_restore_puts_the_links_back(page, client, library, screenshot_dir):
    broken = [library.broken(f"Shows/S{i}/e{i}.mkv") for i in range(2)]
    for i in range(3):
        library.healthy(f"Shows/ok{i}/ok.mkv")
    use_source_root(client, library)
    targets = [os.readlink(p) for p in broken]

    scan_id = scan(page, "real", "awaiting_confirmation")
    wait_panel(page, scan_id, 2)
    confirm(page, "This moves 2 links", "Yes, move 2 links")
    page.wait_for_text("removal-summary", "Moved 2 links into the quarantine.")
    assert not any(present(broken))

    # Something now sits where one link was: that one is refused, the other comes back.
    broken[0].parent.mkdir(parents=True, exist_ok=True)
    broken[0].write_text("the user put a file here")
    page.by_id("restore-button").click()
    page.wait_for_text("restore-result", "Restored 1 link to the library.")
    conflicts = page.css("#restore-conflicts li")
    assert len(conflicts) == 1 and "something now occupies this path" in conflicts[0].text
    assert conflicts[0].find_element("css selector", ".path").text == "Shows/S0/e0.mkv"
    assert os.path.islink(broken[1]) and os.readlink(broken[1]) == targets[1]
    assert broken[0].read_text() == "the user put a file here"
    page.wait_for_text("removal-quarantine", "1 link of this scan is in the quarantine")
    assert page.by_id("restore-button").text == "Restore this link"
    page.screenshot(screenshot_dir, "restore-conflict")

    # Later, from the Dashboard's history: the scan shows its quarantine and restores the rest.
    broken[0].unlink()
    reload(page, "dashboard")
    page.click_first(f"#history-body tr[data-scan-id='{scan_id}']")
    page.wait(lambda _: page.visible("panel-scanner"), message="the history row did not open the Scanner tab")
    page.wait_for_text("removal-scan-id", f"#{scan_id}")
    page.wait_for_text("removal-summary", "This scan moved 2 links into the quarantine.")
    page.wait_for_text("removal-quarantine", "1 link restored")
    assert not page.visible("confirm-block")
    page.by_id("restore-button").click()
    page.wait_for_text("restore-result", "Restored 1 link to the library.")
    assert os.path.islink(broken[0]) and os.readlink(broken[0]) == targets[0]
    page.wait_for_text("removal-quarantine", "Nothing of this scan is left in the quarantine")
    assert not page.visible("restore-button")
    page.wait(lambda _: len(page.css("#findings-body .tag-state-restored")) == 2,
              message="the rows never showed they were restored")
    shoot(page, "removal-block", screenshot_dir, "restore-done")
    assert not page.visible("error-banner")


def test_dry_run_scans_never_show_the_panel(page, client, library):
    broken = [library.broken(f"Films/B{i}/b{i}.mkv") for i in range(2)]
    for i in range(3):
        library.healthy(f"Films/ok{i}/ok.mkv")
    use_source_root(client, library)

    real_id = scan(page, "real", "awaiting_confirmation")
    wait_panel(page, real_id, 2)

    dry_id = scan(page, "dry-run", "completed")
    assert len(page.wait_findings(2)) == 2
    assert not page.visible("confirm-block") and not page.visible("removal-block")
    assert not page.css("#findings-body input.propose-check") and not page.css("#findings-body .tag")
    assert all(present(broken))

    # Going back and forth in the history shows the panel only for the real scan.
    for scan_id, shown in ((real_id, True), (dry_id, False), (real_id, True)):
        page.tab("dashboard")
        page.click_first(f"#history-body tr[data-scan-id='{scan_id}']")
        page.wait_for_text("findings-scan-id", f"#{scan_id}")
        page.wait_findings(2)
        page.wait(lambda _: page.visible("confirm-block") == shown, message=f"panel shown={shown} for #{scan_id}")
        assert bool(page.css("#findings-body input.propose-check")) == shown
        assert not page.visible("removal-block")
    assert all(present(broken))


def test_a_stale_token_shows_the_message_and_reloads(page, app, client, library):
    broken = [library.broken(f"Films/B{i}/b{i}.mkv") for i in range(2)]
    for i in range(3):
        library.healthy(f"Films/ok{i}/ok.mkv")
    use_source_root(client, library)
    scan_id = scan(page, "real", "awaiting_confirmation")
    wait_panel(page, scan_id, 2)

    from linkdoctor.models import SymlinkScan, db

    with app.app_context():  # the list changed behind the page's back
        db.session.get(SymlinkScan, scan_id).confirm_token = "f" * 32
        db.session.commit()
    confirm(page, "This moves 2 links", "Yes, move 2 links")
    page.wait_for_text("confirm-message", "the confirmation token does not match this scan's list")
    assert all(present(broken))
    assert page.visible("confirm-block") and not page.visible("removal-block")

    # The page reloaded the status: confirming again uses the current token.
    confirm(page, "This moves 2 links", "Yes, move 2 links")
    page.wait_for_text("removal-summary", "Moved 2 links into the quarantine.")
    assert not any(present(broken))
    page.wait(lambda _: not page.visible("confirm-block"), message="the panel stayed after confirming")


def test_the_panel_fits_a_phone(page, client, library, screenshot_dir):
    for i in range(3):
        library.broken(f"Films/B{i}/b{i}.mkv")
    library.healthy("Films/ok/ok.mkv")
    use_source_root(client, library)
    page.driver.set_window_size(420, 900)
    try:
        scan_id = scan(page, "real", "awaiting_confirmation")
        wait_panel(page, scan_id, 3)
        overflow = page.driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
        page.screenshot(screenshot_dir, "confirm-narrow")
        shoot(page, "confirm-block", screenshot_dir, "confirm-panel-narrow")
    finally:
        page.driver.set_window_size(1280, 1000)


def test_the_scanner_tab_first_shows_the_quarantine_of_the_newest_scan(page, client, library):
    broken = [library.broken(f"Shows/S{i}/e{i}.mkv") for i in range(2)]
    for i in range(3):
        library.healthy(f"Shows/ok{i}/ok.mkv")
    use_source_root(client, library)
    answer = client.post("/api/symlink/scan/start", json={"mode": "real"}).get_json()
    scan_id = answer["scan_id"]
    token = wait_for_scan(client, scan_id)["confirmation"]["token"]
    moved = client.post(f"/api/symlink/scan/{scan_id}/confirm", json={"token": token}).get_json()
    assert moved["removed"] == 2 and not any(present(broken))

    page.open("scanner")  # no scan chosen: the newest one, with its quarantine
    page.wait_for_text("progress-scan-id", f"#{scan_id}")
    page.wait_for_text("removal-summary", "This scan moved 2 links into the quarantine.")
    assert page.by_id("removal-heading").text == f"Quarantine of scan #{scan_id}"
    assert page.by_id("restore-button").text == "Restore these 2 links"
    assert page.by_id("progress-status").get_attribute("data-status") == "completed"
    assert not page.visible("confirm-block")
    page.wait(lambda _: len(page.css("#findings-body .tag-state-quarantined")) == 2,
              message="the rows never showed their quarantine state")
    page.by_id("restore-button").click()
    page.wait_for_text("restore-result", "Restored 2 links to the library.")
    assert all(present(broken))
