"""Real mode's proposal: which links a scan proposes to remove, the guard's verdicts, the token."""

import collections
import hashlib
from pathlib import Path

from sqlalchemy import select

from linkdoctor.errors import ConflictError
from linkdoctor.jobs.lock import library_lock
from linkdoctor.models import AWAITING_CONFIRMATION, DISCARDED, Finding, SymlinkConfig, SymlinkScan, db
from linkdoctor.repairlog import repair_log
from linkdoctor.scans import get_scan
from linkdoctor.scanner.checks import BROKEN, CORRUPTED, SMALL
from linkdoctor.scanner.guard import evaluate_sources

# Categories a user may remove. Timeouts, permission and I/O errors are symptoms of
# a sick source, not of a dead link: they are shown, never proposed.
REMOVABLE = (BROKEN, SMALL, CORRUPTED)


def proposal_token(scan_id: int, paths: list[str]) -> str:
    """A token naming exactly this list: a stale page cannot confirm a different one."""
    digest = hashlib.sha256(f"{scan_id}\0".encode())
    for path in sorted(paths):
        digest.update(path.encode("utf-8", "surrogateescape") + b"\0")
    return digest.hexdigest()[:32]


def proposed_findings(scan_id: int) -> list[Finding]:
    return list(db.session.execute(
        select(Finding).where(Finding.scan_id == scan_id, Finding.proposed.is_(True)).order_by(Finding.id)
    ).scalars())


def guard_verdicts(findings: list[Finding], scan: SymlinkScan, config: SymlinkConfig) -> list[dict]:
    proposed = collections.Counter(f.source for f in findings)
    verdicts = evaluate_sources(proposed, scan.source_stats or {}, config.broken_share_limit, config.file_timeout)
    return [v.to_dict() for v in verdicts]


def prepare_confirmation(scan: SymlinkScan, config: SymlinkConfig) -> None:
    """At the end of a real-mode scan: mark the proposals, run the guard, set the token."""
    db.session.execute(
        db.update(Finding).where(Finding.scan_id == scan.id, Finding.category.in_(REMOVABLE)).values(proposed=True)
    )
    findings = proposed_findings(scan.id)
    scan.guard = guard_verdicts(findings, scan, config)
    scan.warnings = list(scan.warnings or []) + [
        f"not removing {v['proposed']} link(s) into {v['source']}: {v['reason']}" for v in scan.guard if v["blocked"]
    ]
    scan.confirm_token = proposal_token(scan.id, [f.path for f in findings])


def confirmation_view(scan: SymlinkScan) -> dict | None:
    """What the status shows of a scan waiting for confirmation."""
    if scan.status != AWAITING_CONFIRMATION:
        return None
    blocked = sum(v["proposed"] for v in scan.guard or [] if v["blocked"])
    proposed = db.session.execute(
        select(db.func.count()).where(Finding.scan_id == scan.id, Finding.proposed.is_(True))
    ).scalar_one()
    return {"token": scan.confirm_token, "proposed": proposed, "blocked": blocked,
            "sources": scan.guard or []}


def discard(scan_id: int, data_dir: Path) -> dict:
    """Close a waiting proposal without removing anything; the scan and its findings stay in history."""
    with library_lock(data_dir):
        scan = get_scan(scan_id)
        if scan.status != AWAITING_CONFIRMATION:
            raise ConflictError(f"scan {scan_id} is not waiting for confirmation (status {scan.status})")
        db.session.execute(db.update(Finding).where(Finding.scan_id == scan_id).values(proposed=False))
        scan.status, scan.confirm_token = DISCARDED, None
        db.session.commit()
    repair_log(data_dir, "discard", f"scan {scan_id}: proposal discarded, nothing removed")
    return {"scan_id": scan_id, "status": DISCARDED}
