"""Schedules: validate, keep, list and remove them; what the API and the CLI show of each."""

from datetime import datetime

from sqlalchemy.exc import IntegrityError

from linkdoctor.errors import ConflictError, NotFoundError, ValidationError
from linkdoctor.models import DEPTHS, MODES, Schedule, db, utcnow
from linkdoctor.schedules import timing

FOLLOW_UPS = ("import", "check")
MAX_REMOVALS_DEFAULT = 50
MAX_REMOVALS_LIMIT = 10_000
REAL_SHARE_LIMIT = 0.10  # an unattended run never removes more than this share of the links it scanned
FIELDS = {"name", "cron", "interval_minutes", "paths", "depth", "mode", "allow_real", "max_removals", "then",
          "enabled"}


def _text(value, field: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{field} must be non-empty text", fields={field: "required"})
    if len(value) > limit or any(ord(c) < 32 for c in value):
        raise ValidationError(f"{field} must be one line of at most {limit} characters", fields={field: "too long"})
    return value.strip()


def _whole(value, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(f"{field} must be a whole number from {low} to {high}",
                              fields={field: f"a whole number from {low} to {high}"})
    return value


def parse_schedule(body: dict) -> dict:
    """A schedule's fields from an API or CLI body, every rule checked; ValidationError with `fields` otherwise."""
    if not isinstance(body, dict):
        raise ValidationError("send a JSON object")
    unknown = set(body) - FIELDS
    if unknown:
        raise ValidationError(f"unknown field(s): {', '.join(sorted(unknown))}",
                              fields={name: "unknown field" for name in unknown})
    errors, parsed = {}, {}

    def check(field, parse):
        try:
            parsed[field] = parse()
        except ValidationError as exc:
            errors.update(exc.extra.get("fields") or {field: exc.message})

    check("name", lambda: _text(body.get("name"), "name", 100))
    cron, interval = body.get("cron"), body.get("interval_minutes")
    if (cron is None) == (interval is None):
        errors["cron"] = "give either cron (\"m h dom mon dow\") or interval_minutes, not both or neither"
    elif cron is not None:
        check("cron", lambda: _text(cron, "cron", 100))
        if "cron" in parsed:
            check("cron", lambda: (timing.trigger_of(parsed["cron"], None, utcnow()), parsed["cron"])[1])
        parsed["interval_minutes"] = None
    else:
        check("interval_minutes", lambda: _whole(interval, "interval_minutes", 1, 60 * 24 * 366))
        parsed["cron"] = None
    check("paths", lambda: _paths(body.get("paths", [])))
    check("depth", lambda: _choice(body.get("depth", "basic"), "depth", DEPTHS))
    check("mode", lambda: _choice(body.get("mode", "dry-run"), "mode", MODES))
    check("allow_real", lambda: _flag(body.get("allow_real", False), "allow_real"))
    check("enabled", lambda: _flag(body.get("enabled", True), "enabled"))
    check("max_removals", lambda: _whole(body.get("max_removals", MAX_REMOVALS_DEFAULT), "max_removals", 1,
                                         MAX_REMOVALS_LIMIT))
    check("then", lambda: _then(body.get("then", [])))
    if parsed.get("mode") == "real" and parsed.get("allow_real") is not True:
        errors["allow_real"] = ("a schedule in real mode removes links while nobody watches: "
                                "set allow_real true on it to mean that")
    if errors:
        raise ValidationError("; ".join(f"{k}: {v}" for k, v in errors.items()), fields=errors)
    return parsed


def _choice(value, field: str, choices) -> str:
    if value not in choices:
        raise ValidationError(f"{field} must be one of {', '.join(choices)}",
                              fields={field: f"one of {', '.join(choices)}"})
    return value


def _flag(value, field: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(f"{field} must be true or false", fields={field: "true or false"})
    return value


def _paths(value) -> list[str]:
    if not isinstance(value, list) or len(value) > 100 or \
            not all(isinstance(p, str) and p.strip() and "\x00" not in p for p in value):
        raise ValidationError("paths must be a list of folders of the library ([] for the whole library)",
                              fields={"paths": "a list of folders ([] for the whole library)"})
    return [p.strip() for p in value]


def _then(value) -> list[str]:
    if not isinstance(value, list) or not all(v in FOLLOW_UPS for v in value):
        raise ValidationError(f"then must list jobs among {', '.join(FOLLOW_UPS)}",
                              fields={"then": f"a list of {', '.join(FOLLOW_UPS)}"})
    return [job for job in FOLLOW_UPS if job in value]  # in the order they make sense


def create_schedule(body: dict) -> Schedule:
    """Keep a new schedule; its first run is counted from now."""
    schedule = Schedule(**parse_schedule(body), created_at=utcnow(), last_outcome="")
    db.session.add(schedule)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ConflictError(f"a schedule named {schedule.name!r} exists already",
                            fields={"name": "taken"}) from None
    return schedule


def get_schedule(schedule_id: int) -> Schedule:
    schedule = db.session.get(Schedule, schedule_id)
    if schedule is None:
        raise NotFoundError(f"there is no schedule #{schedule_id}")
    return schedule


def all_schedules() -> list[Schedule]:
    return list(db.session.execute(db.select(Schedule).order_by(Schedule.id)).scalars())


def delete_schedule(schedule_id: int) -> None:
    db.session.delete(get_schedule(schedule_id))
    db.session.commit()


def next_run(schedule: Schedule, now: datetime | None = None) -> datetime | None:
    """When the schedule fires next (aware, the server's zone); None when disabled."""
    if not schedule.enabled:
        return None
    trigger = timing.trigger_of(schedule.cron, schedule.interval_minutes, schedule.created_at)
    due = timing.due_time(trigger, schedule.last_run_at, schedule.created_at)
    if due is None:
        return None
    now = now or datetime.now(timing.local_zone())
    # One that is overdue fires at the next look (a missed run less than one period late), else at
    # its first time after now.
    if due < now and now - due >= timing.period_at(trigger, due):
        due = timing.next_fire(trigger, now)
    return due


def schedule_to_dict(schedule: Schedule, now: datetime | None = None) -> dict:
    upcoming = next_run(schedule, now)
    return {
        "id": schedule.id, "name": schedule.name, "cron": schedule.cron, "interval_minutes": schedule.interval_minutes,
        "paths": schedule.paths or [], "depth": schedule.depth, "mode": schedule.mode,
        "allow_real": schedule.allow_real, "max_removals": schedule.max_removals, "then": schedule.then or [],
        "enabled": schedule.enabled, "next_run": upcoming.isoformat() if upcoming else None,
        "timezone": timing.zone_name(),
        "last_run_at": timing.from_utc(schedule.last_run_at).isoformat() if schedule.last_run_at else None,
        "last_scan_id": schedule.last_scan_id, "last_outcome": schedule.last_outcome or "",
        "created_at": timing.from_utc(schedule.created_at).isoformat(),
    }
