"""What a notification says: counts, the three worst items, and a link to the page when public_url is set.

Pure functions of the event and the rows it names; the listeners and the scheduler send what they return.
"""

import os

from linkdoctor.models import Finding, Job, SymlinkScan, db

# Worst first: what a user should look at before anything else.
SEVERITY = ("corrupted", "broken", "io_error", "inaccessible", "timeout", "small")
PROBLEM_COUNTERS = {"broken": "phase1_broken", "inaccessible": "phase1_inaccessible", "small": "phase1_small",
                    "io_error": "phase1_io_error", "timeout": "phase1_timeout", "corrupted": "phase2_corrupted"}
WORST_SHOWN = 3


def page_link(public_url: str, fragment: str) -> str:
    """The page's address for this view, or "" when public_url is not set."""
    return f"{public_url.rstrip('/')}/{fragment}" if public_url else ""


def _relative(path: str, root: str) -> str:
    try:
        relative = os.path.relpath(path, root)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative


def _lines(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def scan_problems(scan: SymlinkScan, media_root: str, public_url: str) -> tuple[str, str] | None:
    """(title, body) for a finished scan with problems; None when it found none."""
    counts = {name: getattr(scan, column) or 0 for name, column in PROBLEM_COUNTERS.items()}
    total = sum(counts.values())
    if total == 0:
        return None
    worst = []
    for category in SEVERITY:
        if len(worst) >= WORST_SHOWN or not counts[category]:
            continue
        rows = db.session.execute(db.select(Finding.path).where(Finding.scan_id == scan.id, Finding.category == category)
                                  .order_by(Finding.id).limit(WORST_SHOWN - len(worst))).scalars()
        worst += [f"{_relative(path, media_root)} ({category})" for path in rows]
    origin = "scheduled " if scan.origin == "schedule" else ""
    title = f"linkdoctor: {origin}scan #{scan.id} found {total} problem(s)"
    counted = ", ".join(f"{name} {count}" for name, count in counts.items() if count)
    waiting = " Waiting for your confirmation to remove them." if scan.status == "awaiting_confirmation" else ""
    body = _lines(f"{scan.total_analyzed} link(s) scanned: {counted}.{waiting}",
                  "Worst: " + "; ".join(worst) if worst else "",
                  page_link(public_url, f"#/scanner/scan/{scan.id}"))
    return title, body


def links_changed(action: str, links: list[dict], media_root: str, public_url: str) -> tuple[str, str]:
    """(title, body) for links moved to the quarantine."""
    shown = "; ".join(_relative(link["path"], media_root) for link in links[:WORST_SHOWN])
    more = f" and {len(links) - WORST_SHOWN} more" if len(links) > WORST_SHOWN else ""
    title = f"linkdoctor: {len(links)} link(s) moved to the quarantine"
    body = _lines(f"{shown}{more}.", "They can be restored from the Quarantine view.",
                  page_link(public_url, "#dashboard"))
    return title, body


def job_failed(job: Job, public_url: str) -> tuple[str, str]:
    what = {"arr_followup": "Sonarr/Radarr follow-up"}.get(job.kind, job.kind)
    title = f"linkdoctor: {what} job #{job.id} {job.state}"
    body = _lines(job.message or (job.result or {}).get("summary") or "", page_link(public_url, "#dashboard"))
    return title, body


def followup_problems(job: Job, public_url: str) -> tuple[str, str] | None:
    """(title, body) for a follow-up that failed or ended with problems; None when all went through."""
    result = job.result or {}
    if job.state == "completed" and result.get("ok", True):
        return None
    errors = [str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in result.get("errors", [])]
    failed = [f"{c.get('name')}: {c.get('status')}" for c in result.get("commands", [])
              if c.get("status") not in ("completed", "queued", "started")]
    title = f"linkdoctor: the Sonarr/Radarr follow-up #{job.id} failed"
    body = _lines(result.get("summary") or job.message or "", "; ".join((errors + failed)[:WORST_SHOWN]),
                  page_link(public_url, "#dashboard"))
    return title, body
