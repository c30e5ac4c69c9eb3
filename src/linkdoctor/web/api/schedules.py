"""Schedules (scans that run by themselves inside `serve`) and notification targets."""

from flask import jsonify

from linkdoctor.notify import service as notifications
from linkdoctor.notify.targets import EVENT_LABELS, EVENTS, add_target, all_targets, delete_target, target_to_dict
from linkdoctor.schedules import timing
from linkdoctor.schedules.service import (
    all_schedules, create_schedule, delete_schedule, get_schedule, schedule_to_dict,
)
from linkdoctor.web.api.blueprint import bp
from linkdoctor.web.api.inputs import json_body, positive_id, schedule_loop


@bp.get("/schedules")
def list_schedules():
    """Every schedule with its next run (the server's time zone), and whether this server runs them."""
    loop = schedule_loop()
    return jsonify({"schedules": [schedule_to_dict(s) for s in all_schedules()], "timezone": timing.zone_name(),
                    "scheduler_running": bool(loop and loop.is_running()),
                    "running": loop.running if loop else None})


@bp.post("/schedules")
def add_schedule():
    """Add a schedule: {name, cron | interval_minutes, paths, depth, mode, allow_real, max_removals, then}."""
    schedule = create_schedule(json_body())
    if (loop := schedule_loop()) is not None:
        loop.wake()
    return jsonify(schedule_to_dict(schedule)), 201


@bp.delete("/schedules/<schedule_id>")
def remove_schedule(schedule_id):
    """Remove a schedule (a run under way finishes)."""
    delete_schedule(positive_id(schedule_id, "schedule id"))
    return jsonify({"deleted": True})


@bp.post("/schedules/<schedule_id>/run")
def run_schedule_now(schedule_id):
    """Run a schedule now, as when it fires (after a run under way): {}."""
    json_body(set())
    schedule = get_schedule(positive_id(schedule_id, "schedule id"))
    loop = schedule_loop()
    if loop is None or not loop.is_running():
        from linkdoctor.errors import ConflictError

        raise ConflictError("schedules run only inside `linkdoctor serve`; this server does not run them")
    loop.run_now(schedule.id)
    return jsonify({"id": schedule.id, "state": "queued"}), 202


@bp.get("/notifications")
def list_notification_targets():
    """Every notification target (URL masked) and the events one can choose."""
    return jsonify({"targets": [target_to_dict(t) for t in all_targets()],
                    "events": [{"name": name, "label": EVENT_LABELS[name]} for name in EVENTS]})


@bp.post("/notifications")
def add_notification_target():
    """Add a target: {url: an Apprise URL, events: [...]}."""
    return jsonify(target_to_dict(add_target(json_body({"url", "events"})))), 201


@bp.delete("/notifications/<target_id>")
def remove_notification_target(target_id):
    delete_target(positive_id(target_id, "notification target id"))
    return jsonify({"deleted": True})


@bp.post("/notifications/test")
def test_notification_targets():
    """Send a test message to every target now; each target's answer."""
    json_body(set())
    return jsonify({"results": notifications.test_targets()})
