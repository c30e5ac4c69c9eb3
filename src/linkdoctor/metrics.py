"""What `GET /metrics` tells Prometheus, read from the database at each scrape (prometheus-client's text format).

A custom collector rather than counters kept in memory: the figures live in the database already
(scans, jobs, quarantine, notification failures), survive a restart, and include what the CLI did.
"""

from prometheus_client.core import CollectorRegistry, CounterMetricFamily, GaugeMetricFamily

from linkdoctor.models import (
    ARR_FOLLOWUP, FINISHED_STATES, QUARANTINED, Job, NotificationTarget, QuarantineEntry, SymlinkScan, db,
)

CATEGORY_COLUMNS = {"ok": "phase1_ok", "broken": "phase1_broken", "inaccessible": "phase1_inaccessible",
                    "small": "phase1_small", "io_error": "phase1_io_error", "timeout": "phase1_timeout",
                    "corrupted": "phase2_corrupted", "ignored": "ignored"}


class LibraryCollector:
    """Reads the figures when Prometheus scrapes (inside the request's app context)."""

    def collect(self):
        last = db.session.execute(db.select(SymlinkScan).where(SymlinkScan.status.in_(FINISHED_STATES))
                                  .order_by(SymlinkScan.id.desc()).limit(1)).scalars().first()
        links = GaugeMetricFamily("linkdoctor_links", "Links of the last finished scan, by category", labels=["category"])
        duration = GaugeMetricFamily("linkdoctor_last_scan_duration_seconds", "How long the last finished scan took")
        finished = GaugeMetricFamily("linkdoctor_last_scan_timestamp_seconds", "When the last finished scan ended")
        scanned = GaugeMetricFamily("linkdoctor_last_scan_links", "Links the last finished scan looked at")
        if last is not None:
            for category, column in CATEGORY_COLUMNS.items():
                links.add_metric([category], getattr(last, column) or 0)
            duration.add_metric([], last.duration or 0.0)
            scanned.add_metric([], last.total_analyzed or 0)
            if last.finished_at is not None:
                finished.add_metric([], last.finished_at.timestamp())
        yield from (links, duration, finished, scanned)

        durations = GaugeMetricFamily("linkdoctor_scan_duration_seconds", "Duration of each kept scan",
                                      labels=["scan_id", "depth", "status"])
        for scan in db.session.execute(db.select(SymlinkScan).order_by(SymlinkScan.id)).scalars():
            durations.add_metric([str(scan.id), scan.verification_depth, scan.status], scan.duration or 0.0)
        yield durations

        quarantine = GaugeMetricFamily("linkdoctor_quarantine_links", "Links in the quarantine now")
        quarantine.add_metric([], db.session.execute(db.select(db.func.count()).select_from(QuarantineEntry)
                                                     .where(QuarantineEntry.state == QUARANTINED)).scalar_one())
        yield quarantine

        jobs = GaugeMetricFamily("linkdoctor_jobs", "Jobs kept, by kind and state", labels=["kind", "state"])
        for kind, state, count in db.session.execute(db.select(Job.kind, Job.state, db.func.count())
                                                     .group_by(Job.kind, Job.state)):
            jobs.add_metric([kind, state], count)
        yield jobs

        followups = CounterMetricFamily("linkdoctor_arr_followups", "Sonarr/Radarr follow-ups by outcome",
                                        labels=["outcome"])
        sent = failed = 0
        for state, result in db.session.execute(db.select(Job.state, Job.result).where(Job.kind == ARR_FOLLOWUP)):
            if state == "completed" and (result or {}).get("ok", True):
                sent += 1
            elif state in ("completed", "with_problems", "error", "interrupted"):
                failed += 1
        followups.add_metric(["sent"], sent)
        followups.add_metric(["failed"], failed)
        yield followups

        failures = CounterMetricFamily("linkdoctor_notification_failures", "Notification sends that failed")
        failures.add_metric([], db.session.execute(db.select(db.func.coalesce(db.func.sum(NotificationTarget.failures), 0))
                                                   ).scalar_one())
        yield failures


def registry() -> CollectorRegistry:
    """A registry of linkdoctor's figures only (not the process's: several apps may live in one test process)."""
    collected = CollectorRegistry(auto_describe=False)
    collected.register(LibraryCollector())
    return collected
