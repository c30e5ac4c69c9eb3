"""The check of the links an import touched: phase 1 and phase 2 on exactly those links, as an `import_check` job.

An import is when a full check is worth its cost: the file is checked before Plex analyses it.
A bad link is reported (its job's `findings`, a `scan_problems` notification) but never removed
here: removal is only ever the usual confirmation of a scan.
"""

from flask import current_app

from linkdoctor import ignores
from linkdoctor.config import get_config
from linkdoctor.models import IMPORT_CHECK
from linkdoctor.notify.service import notify
from linkdoctor.scanner.engine import FindingRecord, ScanEngine, ScanProgress, ScanRequest


class _Findings:
    """The engine's sink: keeps the findings, reports the progress to the job."""

    def __init__(self, ctx):
        self.ctx, self.found = ctx, []

    def finding(self, record: FindingRecord) -> None:
        self.found.append({"path": record.path, "category": record.category, "detail": record.detail,
                           "target": record.target})

    def progress(self, snapshot: ScanProgress) -> None:
        self.ctx.progress(snapshot.progress, snapshot.phase)


def check_links(ctx, links: list[str], event: dict) -> dict:
    """The job's work: both phases on these links; the findings, notified when there are any."""
    config = get_config()
    request = ScanRequest(paths=links, verification_depth="full", max_workers=min(config.max_workers, len(links)),
                          small_threshold=config.small_file_threshold, file_timeout=config.file_timeout,
                          probe_timeout=config.probe_timeout, include_regular_files=False,
                          source_roots=list(config.source_roots or []), phase2_decode=config.phase2_decode,
                          decode_timeout=config.decode_timeout, ignores=ignores.scan_rules())
    sink = _Findings(ctx)
    counters = ScanEngine(request, sink, None, ctx.cancel).run()
    found = sorted(sink.found, key=lambda f: f["path"])
    what = f"{event['app']} import of {event['item'] or 'a file'}"
    summary = f"{what}: {len(links)} link(s) checked, {len(found)} problem(s)"
    if found:
        body = "\n".join(f"{f['path']} ({f['category']}): {f['detail']}" for f in found[:3])
        notify(current_app._get_current_object(), "scan_problems", f"linkdoctor: {summary}",
               body + "\nNothing was removed: a scan of these links proposes them for your confirmation.")
    ctx.progress(1.0, "done", summary)
    return {"links": links, "findings": found, "healthy": counters.get("healthy", 0), "summary": summary,
            "event": event}


def start_import_check(runner, links: list[str], event: dict) -> int:
    """Start the check of these links (a job holding the library lock, as a scan reading it does)."""
    ctx = runner.start(IMPORT_CHECK, lambda ctx: check_links(ctx, links, event), params={"links": links, **event},
                       origin="webhook")
    return ctx.job_id
