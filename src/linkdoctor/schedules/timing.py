"""When a schedule fires: APScheduler's triggers (cron in the server's time zone, intervals).

APScheduler 3.x is used for its triggers only: they parse cron expressions and step over DST
changes correctly, which is easy to get wrong by hand. Its scheduler loop is not: ours must take
an injected clock (tests do not wait for a minute to pass), keep the last run in our own
database (a missed run is caught up once at start), and wait for the library lock instead of
failing a run that finds the library busy (linkdoctor.schedules.loop).
"""

from datetime import datetime, timedelta, timezone

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from tzlocal import get_localzone

from linkdoctor.errors import ValidationError


def local_zone():
    """The server's time zone (TZ in a container), in which cron expressions are read."""
    return get_localzone()


def zone_name() -> str:
    return str(local_zone())


def trigger_of(cron: str | None, interval_minutes: int | None, created_at: datetime):
    """The APScheduler trigger of a schedule; ValidationError naming the field when it does not parse."""
    zone = local_zone()
    if cron is not None:
        try:
            return CronTrigger.from_crontab(cron, timezone=zone)
        except (ValueError, TypeError) as exc:
            raise ValidationError(f"cron: {exc} (five fields: minute hour day-of-month month day-of-week)",
                                  fields={"cron": f"not a cron expression: {exc}"}) from None
    start = created_at.replace(tzinfo=timezone.utc)
    return IntervalTrigger(minutes=interval_minutes, start_date=start, timezone=zone)


def next_fire(trigger, after: datetime) -> datetime | None:
    """The first fire time strictly after `after` (aware datetimes)."""
    fire = trigger.get_next_fire_time(None, after + timedelta(microseconds=1))
    return fire


def as_utc(moment: datetime) -> datetime:
    """An aware time as the naive UTC the database keeps."""
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def from_utc(naive: datetime) -> datetime:
    return naive.replace(tzinfo=timezone.utc)


def due_time(trigger, last_run_at: datetime | None, created_at: datetime) -> datetime | None:
    """When the schedule is next due: the first fire time after its last run (or its creation)."""
    return next_fire(trigger, from_utc(last_run_at or created_at))


def period_at(trigger, due: datetime) -> timedelta:
    """How long until the fire after `due`: a run later than that is not caught up (it would be the next one)."""
    following = next_fire(trigger, due)
    return (following - due) if following is not None else timedelta(days=1)
