"""Notification targets: an Apprise URL and the events it wants; validated, kept, shown with secrets masked."""

import re

from linkdoctor.errors import NotFoundError, ValidationError
from linkdoctor.models import NotificationTarget, db, utcnow

EVENTS = ("scan_problems", "links_quarantined", "held_back", "source_down", "followup_failed", "job_failed")
EVENT_LABELS = {
    "scan_problems": "a scan finished with problems",
    "links_quarantined": "links were moved to the quarantine",
    "held_back": "an unattended run was held back (its cap or the mount guard)",
    "source_down": "a source looks down",
    "followup_failed": "the Sonarr/Radarr follow-up failed",
    "job_failed": "a job failed",
}
URL_MAX = 2000


def plugin_of(url: str):
    """Apprise's plugin for a URL, or None when Apprise does not recognise it."""
    import apprise  # here, not at the top: see linkdoctor.notify.sender

    try:
        return apprise.Apprise.instantiate(url, suppress_exceptions=True)
    except Exception:  # noqa: BLE001 - an odd URL must be a 400, whatever Apprise raises on it
        return None


def masked_url(url: str) -> str:
    """The URL as Apprise prints it with privacy on: passwords and tokens masked."""
    plugin = plugin_of(url)
    return plugin.url(privacy=True) if plugin is not None else "(not an Apprise URL)"


def redact(text: str, url: str) -> str:
    """`text` with every secret-looking part of `url` (user info, tokens in the path) replaced by ****."""
    shown = masked_url(url)
    for part in sorted(set(re.split(r"[/:@?&=#]+", url)), key=len, reverse=True):
        if len(part) >= 4 and part not in shown:
            text = text.replace(part, "****")
    return text


def parse_target(body) -> dict:
    if not isinstance(body, dict) or set(body) - {"url", "events"}:
        raise ValidationError("send {\"url\": \"<apprise url>\", \"events\": [...]}",
                              fields={k: "unknown field" for k in (set(body) - {"url", "events"})}
                              if isinstance(body, dict) else {})
    errors = {}
    url = body.get("url")
    if not isinstance(url, str) or not url.strip() or len(url) > URL_MAX or any(ord(c) < 32 for c in url):
        errors["url"] = f"an Apprise URL (discord://..., tgram://..., ntfy://..., json://...) of at most {URL_MAX} characters"
    elif plugin_of(url.strip()) is None:
        errors["url"] = "Apprise does not recognise this URL (see the Apprise wiki for each service's form)"
    events = body.get("events", list(EVENTS))
    if not isinstance(events, list) or not events or not all(e in EVENTS for e in events):
        errors["events"] = f"a non-empty list among {', '.join(EVENTS)}"
    if errors:
        raise ValidationError("; ".join(f"{k}: {v}" for k, v in errors.items()), fields=errors)
    return {"url": url.strip(), "events": [e for e in EVENTS if e in events]}


def add_target(body) -> NotificationTarget:
    target = NotificationTarget(**parse_target(body), created_at=utcnow(), last_error="", failures=0)
    db.session.add(target)
    db.session.commit()
    return target


def all_targets() -> list[NotificationTarget]:
    return list(db.session.execute(db.select(NotificationTarget).order_by(NotificationTarget.id)).scalars())


def delete_target(target_id: int) -> None:
    target = db.session.get(NotificationTarget, target_id)
    if target is None:
        raise NotFoundError(f"there is no notification target #{target_id}")
    db.session.delete(target)
    db.session.commit()


def target_to_dict(target: NotificationTarget) -> dict:
    return {"id": target.id, "url": masked_url(target.url), "service": _service(target.url),
            "events": target.events or [], "last_sent_at": target.last_sent_at.isoformat() if target.last_sent_at else None,
            "last_error": target.last_error or "", "failures": target.failures}


def _service(url: str) -> str:
    plugin = plugin_of(url)
    return getattr(plugin, "service_name", None) or url.split(":", 1)[0]
