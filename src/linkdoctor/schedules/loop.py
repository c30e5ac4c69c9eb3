"""The schedule loop of `serve`: fires each schedule when it is due, one run at a time, with an injected clock.

Never started by a CLI command or by create_app: only `serve` calls start(). A run missed while the
server was down is run once at start when it is less than one period late (linkdoctor.schedules.service.
next_run); one found due while another runs waits for it. Time comes from `clock` so that tests can move
it; `wake()` makes the loop look again at once (a schedule added, a test that moved the clock).
"""

import logging
import threading
from datetime import datetime

from linkdoctor.models import Schedule, db
from linkdoctor.schedules import timing
from linkdoctor.schedules.runs import run_schedule
from linkdoctor.schedules.service import next_run

log = logging.getLogger(__name__)
LOOK_EVERY_SECONDS = 30.0  # the longest the loop sleeps: a schedule edited elsewhere (the CLI) is seen by then


class ScheduleLoop:
    """Fires due schedules in its own thread; `tick()` is one look, for the thread and for tests."""

    def __init__(self, app, clock=None):
        self.app = app
        self.clock = clock or (lambda: datetime.now(timing.local_zone()))
        self.stopping = threading.Event()
        self._woken = threading.Event()
        self._thread: threading.Thread | None = None
        self._run_now: list[int] = []  # schedules asked to run at once (run-now), in order
        self._guard = threading.Lock()  # guards _run_now and running
        self.running: int | None = None  # the schedule whose run is under way

    # -- control ------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="schedule-loop", daemon=True)
        self._thread.start()

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout: float = 5.0) -> None:
        self.stopping.set()
        self._woken.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wake(self) -> None:
        self._woken.set()

    def run_now(self, schedule_id: int) -> None:
        """Run this schedule at the next look, whatever its time (POST schedules/<id>/run)."""
        with self._guard:
            self._run_now.append(schedule_id)
        self.wake()

    # -- the loop -----------------------------------------------------------

    def _loop(self) -> None:
        while not self.stopping.is_set():
            try:
                wait = self.tick()
            except Exception:  # a broken schedule must not stop the others
                log.exception("the schedule loop failed; it looks again in %ss", LOOK_EVERY_SECONDS)
                wait = LOOK_EVERY_SECONDS
            self._woken.wait(wait)
            self._woken.clear()

    def due(self) -> list[int]:
        """The schedules to run now (asked for, then due by time), oldest due first."""
        now = self.clock()
        with self._guard:
            asked, self._run_now = self._run_now, []
        with self.app.app_context():
            schedules = db.session.execute(db.select(Schedule).where(Schedule.enabled.is_(True))).scalars()
            by_time = sorted((when, s.id) for s in schedules if (when := next_run(s, now)) is not None and when <= now)
        return list(dict.fromkeys(asked + [schedule_id for _when, schedule_id in by_time]))

    def tick(self) -> float:
        """Run what is due now, one after the other; returns the seconds until the next look."""
        for schedule_id in self.due():
            if self.stopping.is_set():
                break
            with self._guard:
                self.running = schedule_id
            try:
                run_schedule(self.app, schedule_id, self.stopping, fired_at=timing.as_utc(self.clock()))
            finally:
                with self._guard:
                    self.running = None
        return self.seconds_to_next()

    def seconds_to_next(self) -> float:
        now = self.clock()
        with self.app.app_context():
            times = [when for s in db.session.execute(db.select(Schedule)).scalars()
                     if (when := next_run(s, now)) is not None]
        if not times:
            return LOOK_EVERY_SECONDS
        return max(0.05, min(LOOK_EVERY_SECONDS, (min(times) - now).total_seconds()))

    def next_run_at(self) -> datetime | None:
        """The soonest next run of any schedule (health, Dashboard)."""
        now = self.clock()
        with self.app.app_context():
            times = [when for s in db.session.execute(db.select(Schedule)).scalars()
                     if (when := next_run(s, now)) is not None]
        return min(times) if times else None
