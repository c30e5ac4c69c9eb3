"""Send a notification of one event to the targets that want it; test every target now."""

from concurrent.futures import ThreadPoolExecutor, wait

from linkdoctor.config import get_config
from linkdoctor.models import NotificationTarget, db
from linkdoctor.notify.messages import page_link
from linkdoctor.notify.sender import Sender, deliver
from linkdoctor.notify.targets import EVENTS, all_targets

TEST_SECONDS = 20.0  # the longest the Test button waits for all targets together


def sender_of(app) -> Sender:
    """The app's sender, made at first use (a command that never notifies starts no thread)."""
    return app.extensions.setdefault("linkdoctor.notifier", Sender(app))


def notify(app, event: str, title: str, body: str, link: str | None = None) -> int:
    """Queue a message for each target that wants `event`; returns how many. Never waits on a target."""
    if event not in EVENTS:
        raise ValueError(f"unknown notification event {event!r}")
    targets = [t.id for t in db.session.execute(db.select(NotificationTarget)).scalars() if event in (t.events or [])]
    if not targets:
        return 0
    if link:
        address = page_link(get_config().public_url, link)
        body = f"{body}\n{address}" if address and address not in body else body
    sender_of(app).submit(targets, title, body)
    return len(targets)


def test_targets() -> list[dict]:
    """Send a test message to every target now, in parallel; each target's answer (sent, or why not)."""
    targets = [(t.id, t.url) for t in all_targets()]
    results = {target_id: {"id": target_id, "ok": False, "message": f"no answer within {TEST_SECONDS:g}s"}
               for target_id, _url in targets}
    if not targets:
        return []
    pool = ThreadPoolExecutor(max_workers=min(8, len(targets)), thread_name_prefix="notify-test")
    futures = {pool.submit(deliver, url, "linkdoctor: test notification",
                           "If you can read this, linkdoctor can reach you here."): target_id
               for target_id, url in targets}
    done, _late = wait(futures, timeout=TEST_SECONDS)
    pool.shutdown(wait=False, cancel_futures=True)  # a target that hangs is left behind, not waited for
    for future in done:
        sent, why = future.result()
        results[futures[future]] = {"id": futures[future], "ok": sent, "message": "sent" if sent else why}
    for target_id, answer in results.items():
        target = db.session.get(NotificationTarget, target_id)
        if target is not None and not answer["ok"]:
            target.failures += 1
            target.last_error = answer["message"][:1000]
    db.session.commit()
    return [results[target_id] for target_id, _url in targets]
