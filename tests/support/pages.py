"""What a user does on particular panels of the page (Scanner, confirmation, dialogs), shared by the browser tests."""

from tests.support.browser import Page

# A folder and file name with markup, a quote and an accent: shown as text, never as HTML.
AWKWARD = 'Odd <b>quote" é'

# Issue 22's sizes: a desktop at 1400x900 and a phone at 390x844 emulated as one (mobile viewport, touch).
VIEWPORTS = {"desktop": (1400, 900, False), "phone": (390, 844, True)}


def lay_out(page: Page, size: str) -> None:
    """The page laid out at VIEWPORTS[size], its screenshots named after it (tests/web/conftest.py's `size`)."""
    width, height, phone = VIEWPORTS[size]
    page.viewport(width, height, phone)
    page.size_name = size


def scan(page: Page, mode: str, status: str) -> int:
    """Open the Scanner tab afresh, run a whole-library scan in `mode`, wait for `status`; its id."""
    reload(page, "scanner")
    page.wait_tree_loaded()
    page.select("scan-mode", mode)
    before = page.by_id("progress-scan-id").text
    page.by_id("scan-start").click()

    def started(_):
        # A proposal still waiting makes Start ask first (issue 10): keep it waiting, as before.
        if page.visible("waiting-dialog"):
            page.by_id("waiting-keep").click()
            return False
        return page.visible("progress-block") and page.by_id("progress-scan-id").text not in ("", before)

    page.wait(started, message="no new scan shown after Start")
    page.wait_scan_finished(status)
    scan_id = int(page.by_id("progress-scan-id").text.lstrip("#"))
    page.wait_findings()
    return scan_id


def reload(page: Page, tab: str) -> None:
    """A real page load (open() alone only changes the address's hash when the page is already shown)."""
    page.driver.get("about:blank")
    page.open(tab)


def wait_panel(page: Page, scan_id: int, proposed: int) -> None:
    """The confirmation panel shows this scan and this many proposed links."""
    page.wait_for_text("confirm-scan-id", f"#{scan_id}")
    page.wait_for_text("confirm-count", f"{proposed} link{'s' if proposed != 1 else ''} proposed")


def confirm(page: Page, step_text: str, yes_text: str) -> str:
    """Press "Move …", check the second step says `step_text`, press its yes button; the step's text."""
    page.by_id("confirm-move").click()
    text = page.wait_for_text("confirm-step-text", step_text)
    assert yes_text in page.by_id("confirm-yes").text
    page.by_id("confirm-yes").click()
    return text


def open_alert(driver):
    """The alert the page shows, or False when there is none."""
    from selenium.common.exceptions import NoAlertPresentException

    try:
        alert = driver.switch_to.alert
        alert.text  # noqa: B018  (raises while there is none)
        return alert
    except NoAlertPresentException:
        return False


def open_findings_toolbar(page: Page) -> None:
    """On a phone the findings' toolbar is folded behind its Filter button (issue 22): open it."""
    toggle = page.by_id("findings-filter")
    if toggle.is_displayed() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
        page.wait(lambda _: page.visible("findings-q"), message="Filter did not open the toolbar")
