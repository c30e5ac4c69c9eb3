"""Notifications through real Apprise to a real local JSON receiver (tests/fakes/webhook.py): what they say,
secrets masked, failures retried without holding anything up."""

import time

import pytest

from tests.support.api import wait_for_scan
from tests.fakes.webhook import FakeWebhook
from tests.support.waiting import wait_until


@pytest.fixture
def webhook():
    fake = FakeWebhook().start()
    yield fake
    fake.stop()


@pytest.fixture
def quick_retries(app):
    """The app's sender with short backoffs, so that a retry is seen in a test (the real ones are minutes)."""
    from linkdoctor.notify.sender import Sender

    app.extensions["linkdoctor.notifier"] = Sender(app, backoff=(0.1, 0.2))
    return app.extensions["linkdoctor.notifier"]


def add_target(client, url, events=None):
    body = {"url": url, **({"events": events} if events is not None else {})}
    answer = client.post("/api/symlink/notifications", json=body)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def test_a_scan_with_problems_sends_its_counts_the_three_worst_and_a_link(client, library, webhook):
    client.post("/api/symlink/config", json={"public_url": "https://linkdoctor.example.org/"})
    add_target(client, webhook.apprise_url(), ["scan_problems"])
    for i in range(4):
        library.broken(f"TV/Show/Season 01/Show.S01E0{i + 1}.mkv")
    library.empty("Films/Tiny (2020)/tiny.mkv")
    library.healthy("Films/Fine (2021)/fine.mkv")
    scan_id = client.post("/api/symlink/scan/start", json={}).get_json()["scan_id"]
    assert wait_for_scan(client, scan_id)["status"] == "completed"
    [message] = webhook.wait_for(1)
    assert message["title"] == f"linkdoctor: scan #{scan_id} found 5 problem(s)"
    body = message["message"]
    assert "6 link(s) scanned: broken 4, small 1." in body
    worst = body.split("Worst: ")[1].splitlines()[0].split("; ")
    assert len(worst) == 3 and all("(broken)" in item and "Show.S01E0" in item for item in worst)
    assert not any(item.startswith("/") for item in worst)  # relative to the media root
    assert f"https://linkdoctor.example.org/#/scanner/scan/{scan_id}" in body


def test_a_clean_scan_sends_nothing_and_events_are_chosen_per_target(client, library, webhook):
    add_target(client, webhook.apprise_url("quarantine-only"), ["links_quarantined"])
    library.healthy("Films/Fine (2021)/fine.mkv")
    library.broken("Films/Gone (2020)/gone.mkv")
    scan_id = client.post("/api/symlink/scan/start", json={"mode": "real"}).get_json()["scan_id"]
    status = wait_for_scan(client, scan_id)
    assert status["status"] == "awaiting_confirmation"
    confirm = client.post(f"/api/symlink/scan/{scan_id}/confirm", json={"token": status["confirmation"]["token"]})
    assert confirm.status_code == 200 and confirm.get_json()["removed"] == 1
    [message] = webhook.wait_for(1)
    assert webhook.paths == ["/quarantine-only"]  # the scan's problems went to nobody: not asked for
    assert message["title"] == "linkdoctor: 1 link(s) moved to the quarantine"
    assert "Films/Gone (2020)/gone.mkv" in message["message"]


def test_secrets_in_apprise_urls_are_masked_in_every_answer_and_log_line(app, client, webhook, quick_retries, env):
    target = add_target(client, f"json://alice:hunter2secret@{webhook.url}/hook", ["job_failed"])
    assert "hunter2secret" not in str(target) and "****" in target["url"]
    listed = client.get("/api/symlink/notifications").get_json()
    assert "hunter2secret" not in str(listed)
    webhook.fail_next = 5
    answer = client.post("/api/symlink/notifications/test", json={})
    [result] = answer.get_json()["results"]
    assert result["ok"] is False and "hunter2secret" not in result["message"]
    assert "hunter2secret" not in str(client.get("/api/symlink/notifications").get_json())
    assert "hunter2secret" not in (env / "linkdoctor.log").read_text()


def test_a_failing_target_is_retried_with_backoff_and_its_failures_recorded(app, client, webhook, quick_retries):
    from linkdoctor.notify.service import notify

    target = add_target(client, webhook.apprise_url(), ["held_back"])
    webhook.fail_next = 2
    with app.app_context():
        assert notify(app, "held_back", "linkdoctor: held back", "over the cap") == 1
    [message] = webhook.wait_for(1)
    assert message["title"] == "linkdoctor: held back" and webhook.attempts == 3
    # The sender records the success just after the receiver has the message.
    shown = wait_until(lambda: next((t for t in client.get("/api/symlink/notifications").get_json()["targets"]
                                     if t["last_sent_at"]), None), 10, message="the success was never recorded")
    assert shown["id"] == target["id"] and shown["failures"] == 2 and shown["last_error"] == ""


def test_a_target_that_never_answers_holds_up_no_job(client, library, webhook, quick_retries):
    add_target(client, webhook.apprise_url(), ["scan_problems"])
    webhook.hang = True
    library.broken("Films/Gone (2020)/gone.mkv")
    started = time.monotonic()
    scan_id = client.post("/api/symlink/scan/start", json={}).get_json()["scan_id"]
    assert wait_for_scan(client, scan_id, timeout=20)["status"] == "completed"
    webhook.wait_for(1, attempts=True)  # it was tried, and hangs
    assert time.monotonic() - started < 20
    # The next scan starts and ends on time as well: the sender's thread is the only one waiting.
    second = client.post("/api/symlink/scan/start", json={}).get_json()["scan_id"]
    assert wait_for_scan(client, second, timeout=20)["status"] == "completed"


@pytest.mark.parametrize("body, field", [
    ({"url": "notaservice://x/y", "events": ["job_failed"]}, "url"),
    ({"url": "", "events": ["job_failed"]}, "url"),
    ({"url": "json://127.0.0.1/x", "events": ["everything"]}, "events"),
    ({"url": "json://127.0.0.1/x", "events": []}, "events"),
    ({"url": "json://127.0.0.1/x", "colour": "red"}, "colour"),
])
def test_a_target_apprise_does_not_know_is_refused_and_nothing_saved(client, body, field):
    answer = client.post("/api/symlink/notifications", json=body)
    assert answer.status_code == 400 and field in answer.get_json()["fields"]
    assert client.get("/api/symlink/notifications").get_json()["targets"] == []


def test_the_test_button_answers_per_target_and_the_cli_says_the_same(client, cli, webhook):
    good = add_target(client, webhook.apprise_url("good"))
    bad = add_target(client, "json://127.0.0.1:9/nobody-listens")
    results = {r["id"]: r for r in client.post("/api/symlink/notifications/test", json={}).get_json()["results"]}
    assert results[good["id"]]["ok"] is True and results[bad["id"]]["ok"] is False
    assert webhook.wait_for(1)[0]["title"] == "linkdoctor: test notification"
    printed = cli("notify", "test")
    assert printed.returncode == 1 and "Traceback" not in printed.stderr
    assert f"#{good['id']}" in printed.stdout and "sent" in printed.stdout and "FAILED" in printed.stdout
    assert cli("notify", "remove", str(bad["id"])).returncode == 0
    assert cli("notify", "test").returncode == 0
    refused = cli("notify", "add", "notaservice://x")
    assert refused.returncode != 0 and "Apprise does not recognise" in refused.stderr and "Traceback" not in refused.stderr


def test_a_failed_sonarr_follow_up_and_a_failed_job_are_told(app, client, world, sonarr, radarr, webhook):
    from tests.support.api import real_scan
    from tests.support.followup import confirm_all, wait_for_followup

    add_target(client, webhook.apprise_url("failures"), ["followup_failed", "job_failed"])
    sonarr.fail_next = 1000  # Sonarr answers 500 to everything: the rescans cannot be sent
    status = real_scan(client)
    confirm_all(client, status)
    wait_for_followup(client, status["scan_id"])
    messages = webhook.wait_for(1)
    [followup] = [m for m in messages if "follow-up" in m["title"]]
    assert followup["title"].startswith("linkdoctor: the Sonarr/Radarr follow-up #") and "failed" in followup["title"]
    assert "problem" in followup["message"]

    # A job that fails (an import of a media root that vanished under it) is told as job_failed.
    runner = app.extensions["linkdoctor.jobs"]

    def broken_work(ctx):
        raise OSError("the media root went away")

    with app.app_context():
        ctx = runner.start("import", broken_work, params={}, origin="web")
    runner.wait(ctx.job_id)
    failed = [m for m in webhook.wait_for(2) if "import job" in m["title"]]
    assert failed and failed[0]["title"] == f"linkdoctor: import job #{ctx.job_id} error"
    assert "the media root went away" in failed[0]["message"]
