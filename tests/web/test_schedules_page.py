"""Issue 20 in Chromium: Settings > Schedules and Notifications add, list, test and remove, at both sizes;
the Dashboard says the next scheduled run in the server's time zone."""

import pytest

from tests.fakes.webhook import FakeWebhook
from tests.support.browser import requires_chromium

pytestmark = requires_chromium

SIZES = {"desktop": (1280, 800, False), "phone": (390, 844, True)}


@pytest.fixture
def webhook():
    fake = FakeWebhook().start()
    yield fake
    fake.stop()


def open_settings(page, size, section="schedules"):
    width, height, phone = SIZES[size]
    page.viewport(width, height, phone)
    page.open("settings")
    page.settings_section("schedules")
    page.wait(lambda _: page.visible("schedules-table") or page.visible("schedules-empty"),
              message="the schedules never loaded")
    page.settings_section(section)


@pytest.mark.parametrize("size", SIZES)
def test_add_a_schedule_see_its_next_run_and_remove_it(page, client, screenshot_dir, size):
    open_settings(page, size)
    assert page.visible("schedules-stopped")  # the test server is not `serve`: the page says schedules do not run
    page.by_id("schedule-add-details").click()
    page.fill("schedule-name", "nightly")
    page.fill("schedule-cron", "30 4 * * *")
    page.by_id("schedule-then-check").click()
    page.by_id("schedule-add").click()
    page.wait_for_text("schedules-result", 'Schedule "nightly" added; next run')
    [row] = page.css("#schedules-body tr")
    assert "cron 30 4 * * *" in row.text and "then check" in row.text and "04:30" in row.text
    stored = client.get("/api/symlink/schedules").get_json()
    assert [(s["name"], s["cron"], s["then"]) for s in stored["schedules"]] == [("nightly", "30 4 * * *", ["check"])]
    assert page.by_id("schedules-zone").text == stored["timezone"]
    page.screenshot(screenshot_dir, f"settings-schedules-{size}")

    # Real mode without the opt-in: refused, the field named, nothing stored.
    page.fill("schedule-name", "reckless")
    page.select("schedule-mode", "real")
    page.by_id("schedule-add").click()
    page.wait_for_text("schedules-result", "allow_real")
    assert len(client.get("/api/symlink/schedules").get_json()["schedules"]) == 1

    page.tab("dashboard")
    page.wait_for_text("schedule-next", "Next scheduled run: nightly")
    assert stored["timezone"] in page.by_id("schedule-next").text

    page.tab("settings")
    page.wait(lambda _: page.css("#schedules-body tr"), message="schedules listed again")
    page.driver.execute_script("window.confirm = () => true;")
    page.click_first("#schedules-body tr button:nth-of-type(2)")
    page.wait_for_text("schedules-result", 'Schedule "nightly" removed.')
    assert client.get("/api/symlink/schedules").get_json()["schedules"] == []


@pytest.mark.parametrize("size", SIZES)
def test_add_and_test_a_notification_target_with_its_secret_masked(page, client, webhook, screenshot_dir, size):
    open_settings(page, size, "notifications")
    page.by_id("notification-add-details").click()
    page.wait(lambda _: page.css("#notification-events input"), message="the events never loaded")
    page.fill("notification-url", f"json://bob:s3cretvalue@{webhook.url}/hook")
    page.by_id("notification-add").click()
    page.wait_for_text("notifications-result", "Target added")
    assert "s3cretvalue" not in page.driver.page_source
    page.by_id("notifications-test").click()
    page.wait_for_text("notifications-result", "Sent to 1 target(s).")
    assert webhook.wait_for(1)[0]["title"] == "linkdoctor: test notification"
    page.screenshot(screenshot_dir, f"settings-notifications-{size}")
    page.fill("notification-url", "notaservice://nope")
    page.by_id("notification-add").click()
    page.wait_for_text("notifications-result", "Apprise does not recognise")
    assert len(client.get("/api/symlink/notifications").get_json()["targets"]) == 1
