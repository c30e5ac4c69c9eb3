"""Sends notifications in its own thread: a target that fails is retried with backoff, and nothing waits on it.

Apprise's own log lines can carry a target's URL with its secrets: they are kept out of linkdoctor's
log (captured per send, redacted, and stored as the target's last error instead).
"""

import collections
import logging
import threading
import time
from dataclasses import dataclass, field

from linkdoctor.models import NotificationTarget, db, utcnow
from linkdoctor.notify.targets import redact

log = logging.getLogger(__name__)
BACKOFF_SECONDS = (10.0, 60.0, 300.0)  # waits before the 2nd, 3rd and 4th try; then the message is dropped
IDLE_SECONDS = 60.0  # an idle sender thread ends; the next message starts a new one
# Apprise's lines may hold secrets: captured per send instead. (Apprise itself, ~0.1 s to import, is imported
# where a message is sent or a URL checked: a CLI scan or a server that sends nothing never pays for it.)
logging.getLogger("apprise").propagate = False


@dataclass(order=True)
class Outgoing:
    not_before: float
    target_id: int = field(compare=False)
    title: str = field(compare=False)
    body: str = field(compare=False)
    attempt: int = field(compare=False, default=0)


def deliver(url: str, title: str, body: str) -> tuple[bool, str]:
    """One try through Apprise (its plugins' own socket timeouts bound it); (sent, why not, redacted)."""
    import apprise

    sender = apprise.Apprise()
    if not sender.add(url):
        return False, "Apprise does not recognise this URL"
    with apprise.LogCapture(level=logging.WARNING) as captured:
        try:
            sent = bool(sender.notify(title=title, body=body))
        except Exception as exc:  # noqa: BLE001 - a plugin's own failure is this target's error, not ours
            sent, extra = False, f"{type(exc).__name__}: {exc}"
        else:
            extra = ""
    lines = [line.strip() for line in (captured.getvalue().splitlines() + [extra]) if line.strip()]
    why = "" if sent else (lines[-1] if lines else "the service did not accept the message")
    return sent, redact(why, url)[:500]


class Sender:
    """A queue of messages per target, sent by one thread; failures are recorded on the target."""

    def __init__(self, app, backoff: tuple[float, ...] = BACKOFF_SECONDS):
        self.app = app
        self.backoff = backoff
        self._queue: collections.deque[Outgoing] = collections.deque()
        self._wake = threading.Condition()  # guards _queue and _thread
        self._thread: threading.Thread | None = None
        self.failures = 0  # sends that failed, in this process (for /metrics)
        self.sent = 0

    def submit(self, target_ids: list[int], title: str, body: str) -> None:
        with self._wake:
            for target_id in target_ids:
                self._queue.append(Outgoing(0.0, target_id, title, body))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="notifier", daemon=True)
                self._thread.start()
            self._wake.notify_all()

    def pending(self) -> int:
        with self._wake:
            return len(self._queue)

    def _next(self) -> Outgoing | None:
        with self._wake:
            deadline = time.monotonic() + IDLE_SECONDS
            while True:
                now = time.monotonic()
                ready = [item for item in self._queue if item.not_before <= now]
                if ready:
                    item = min(ready)
                    self._queue.remove(item)
                    return item
                if not self._queue and now >= deadline:
                    self._thread = None
                    return None
                soonest = min((item.not_before for item in self._queue), default=now + IDLE_SECONDS)
                self._wake.wait(max(0.01, min(soonest, deadline) - now))

    def _loop(self) -> None:
        while (item := self._next()) is not None:
            try:
                with self.app.app_context():
                    self._send(item)
            except Exception:
                log.exception("a notification could not be sent")

    def _send(self, item: Outgoing) -> None:
        target = db.session.get(NotificationTarget, item.target_id)
        if target is None:
            return  # removed meanwhile
        sent, why = deliver(target.url, item.title, item.body)
        if sent:
            self.sent += 1
            target.last_sent_at, target.last_error = utcnow(), ""
            db.session.commit()
            return
        self.failures += 1
        target.failures += 1
        target.last_error = why
        db.session.commit()
        if item.attempt < len(self.backoff):
            wait = self.backoff[item.attempt]
            log.warning("notification target #%s failed (%s); trying again in %gs", target.id, why, wait)
            with self._wake:
                self._queue.append(Outgoing(time.monotonic() + wait, item.target_id, item.title, item.body,
                                            item.attempt + 1))
        else:
            log.warning("notification target #%s failed %s times; message dropped: %s", target.id,
                        item.attempt + 1, why)
