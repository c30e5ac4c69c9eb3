"""The Dashboard's Activity block in real headless Chromium, at desktop and phone sizes: the jobs other
than scans, newest first, with what they said; a running one is followed live and can be cancelled."""

import threading

import pytest

from tests.support.api import run_scan, start_endless_followup
from tests.support.browser import requires_chromium
from tests.support.media import do_import

pytestmark = [requires_chromium, pytest.mark.usefixtures("window")]


def rows(page) -> list[tuple[str, str, str]]:
    """(kind, state, text) of each Activity row, read again when a poll redrew the table."""
    return page.wait(lambda _: [(r.get_attribute("data-kind"), r.get_attribute("data-state"), r.text)
                                for r in page.css("#activity-body tr")] or None, message="no activity shown")


def test_jobs_are_listed_followed_live_and_cancelled(page, app, library, screenshot_dir):
    library.healthy("Movies/Ok (2020)/Ok (2020).mkv")
    scan_id = run_scan(app)  # a scan: listed in the history, not here
    page.open("dashboard")
    page.wait(lambda _: page.visible("activity-empty"), message="no empty state before any job")

    do_import(app)
    ctx = start_endless_followup(app, scan_id, prepare=lambda job: setattr(job, "scan_id", scan_id))
    page.by_id("dashboard-refresh").click()
    page.wait(lambda _: [kind for kind, _, _ in rows(page)] == ["arr_followup", "import"], message="jobs not listed")
    kind, state, text = rows(page)[0]
    assert state == "running" and "40 %" in text and "waiting for it to complete" in text
    assert "Import" in rows(page)[1][2] and "1 imported, 0 updated" in rows(page)[1][2]
    assert rows(page)[1][1] == "completed"
    page.screenshot(screenshot_dir, "activity")

    assert page.css("#activity-body tr[data-kind='arr_followup'] a.activity-scan")[0].get_attribute("href").endswith(
        f"#/scanner/scan/{scan_id}")  # the follow-up leads to its scan
    page.click_first("#activity-body tr[data-state='running'] .activity-cancel")
    page.wait(lambda _: rows(page)[0][1] == "cancelled", message="the cancelled job is not shown cancelled")
    assert ctx.done.wait(5)
    assert not page.css("#activity-body .activity-cancel")

    # A job that ends by itself is seen ending without a click: the block polls while one runs.
    gate = threading.Event()

    def followup(ctx):
        gate.wait(20)
        ctx.progress(1.0, "done", "1 link(s): 1 matched, 0 unmatched; 1 rescan(s), 1 search(es) sent")
        return {}

    with app.app_context():
        app.extensions["linkdoctor.jobs"].start("arr_followup", followup, params={"scan_id": 1})
    page.by_id("dashboard-refresh").click()
    page.wait(lambda _: rows(page)[0][1] in ("pending", "running"), message="the new job is not shown")
    gate.set()
    page.wait(lambda _: rows(page)[0][1] == "completed", timeout=15, message="the ended job was not followed")
    assert "1 search(es) sent" in rows(page)[0][2]
