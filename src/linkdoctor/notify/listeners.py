"""The notifications' listeners: job_finished and library_changed become messages (linkdoctor.events)."""

from linkdoctor.config import get_config
from linkdoctor.events import JOB_FINISHED, LIBRARY_CHANGED, QUARANTINED, Event, register_listener
from linkdoctor.models import ARR_FOLLOWUP, COMPLETED, Job, SymlinkScan, db
from linkdoctor.notify import messages
from linkdoctor.notify.service import notify

FAILED_STATES = ("error", "interrupted")


def on_job_finished(app, event: Event) -> dict:
    """A scan with problems, a follow-up that failed, any job that failed: tell the targets that want it."""
    payload = event.payload
    job = db.session.get(Job, payload.get("job_id"))
    if job is None:
        return {"state": "none", "message": "the job is gone"}
    config = get_config()
    queued = 0
    if job.kind == ARR_FOLLOWUP:
        text = messages.followup_problems(job, config.public_url)
        if text:
            queued += notify(app, "followup_failed", *text)
    elif job.state in FAILED_STATES:
        queued += notify(app, "job_failed", *messages.job_failed(job, config.public_url))
    if job.kind == "scan" and job.state == COMPLETED and job.scan_id:
        scan = db.session.get(SymlinkScan, job.scan_id)
        text = messages.scan_problems(scan, config.media_path, config.public_url) if scan else None
        if text:
            queued += notify(app, "scan_problems", *text)
    return {"state": "queued" if queued else "none", "messages": queued}


def on_library_changed(app, event: Event) -> dict:
    """Links moved to the quarantine: how many, which."""
    if event.payload.get("action") != QUARANTINED:
        return {"state": "none", "messages": 0}
    config = get_config()
    queued = notify(app, "links_quarantined",
                    *messages.links_changed(QUARANTINED, event.payload.get("links", []), config.media_path,
                                            config.public_url))
    return {"state": "queued" if queued else "none", "messages": queued}


def register_notifications(app) -> None:
    """Subscribe the notifications to the app's events."""
    register_listener(app, JOB_FINISHED, "notifications", lambda event: on_job_finished(app, event))
    register_listener(app, LIBRARY_CHANGED, "notifications", lambda event: on_library_changed(app, event))
