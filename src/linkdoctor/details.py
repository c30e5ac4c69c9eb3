"""One finding in full, for the details panel: what the scan saw, the link as it is now, the
mount-health guard's verdict on its source, its ignore rule and quarantine entry, and the
Sonarr series or Radarr movie it belongs to.

The link is read in a killable worker (its target may sit on a dead mount); Sonarr/Radarr
are asked once each, without retries, within the request timeout.
"""

import os

from sqlalchemy import select

from linkdoctor import ignores, scans
from linkdoctor.arr.connections import client_for
from linkdoctor.arr_instances import enabled_instances, to_remote
from linkdoctor.arr.matching import episode_codes, owner_of
from linkdoctor.clients.records import ArrError
from linkdoctor.config import get_config
from linkdoctor.errors import NotFoundError
from linkdoctor.models import Finding, QuarantineEntry, db
from linkdoctor.paths import is_inside, real_root
from linkdoctor.scanner.checks import PHASE1_CATEGORIES

ARR_TIMEOUT = 5.0  # a person is waiting for the panel


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def which_check(finding: Finding) -> str:
    """The check that reported the finding, in words."""
    if finding.category == "corrupted":
        return "media check (phase 2: ffprobe, and ffmpeg's decode when it ran)"
    if finding.category == "timeout" and ("ffprobe" in finding.detail or "decode" in finding.detail):
        return "media check (phase 2)"
    if finding.category in PHASE1_CATEGORIES:
        return "link check (phase 1: the link is followed, its target opened and read)"
    return finding.category


def _not_read(error: str) -> dict:
    """The link's state when it was not read: every fact unknown, and why."""
    return {"exists": None, "is_link": None, "written": None, "resolved": None, "target_exists": None,
            "target_size": None, "error": error}


def link_now(path: str, timeout: float) -> dict:
    """The link as it is now, read in a worker; {"error": ...} when it did not answer."""
    from linkdoctor.errors import LibraryNotAnsweringError
    from linkdoctor.paths import waiting_on_the_library
    from linkdoctor.workers.pool import TIMED_OUT, run_items

    try:
        with waiting_on_the_library():
            outcome = run_items("link", [path], timeout)[path]
    except LibraryNotAnsweringError as exc:
        return _not_read(f"the link was not read: {exc.message}")
    if outcome.failure:
        why = f"did not answer within {timeout:g}s (is its mount down?)" if outcome.failure == TIMED_OUT \
            else f"could not be read ({outcome.failure})"
        return _not_read(f"the link {why}")
    return outcome.result


def guard_of(scan, source: str) -> dict | None:
    """The guard's verdict on the finding's source in this scan, with the source's link counts."""
    verdict = next((dict(g) for g in scan.guard or [] if g.get("source") == source), None)
    stats = (scan.source_stats or {}).get(source)
    if verdict is None and stats is None:
        return None
    if verdict is None:
        verdict = {"source": source, "blocked": False, "reason": "", "proposed": 0, **stats,
                   "evaluated": False}
    else:
        verdict["evaluated"] = True
    return verdict


def arr_owner(path: str, config) -> list[dict]:
    """The series or movie of each enabled Sonarr/Radarr whose folder holds the link."""
    answers = []
    for instance in enabled_instances(config):
        remote = to_remote(path, instance.path_mappings + list(config.path_mappings or []))
        answer = {"instance": instance.label, "kind": instance.kind, "remote_path": remote,
                  "title": None, "id": None, "monitored": None, "episodes": [], "error": None}
        timeout = min(ARR_TIMEOUT, config.arr_request_timeout)
        try:
            with client_for(instance, timeout, retries=0) as client:
                items = client.series() if instance.kind == "sonarr" else client.movies()
        except ArrError as exc:
            answer["error"] = exc.message
            answers.append(answer)
            continue
        owner = owner_of(remote, items)
        if owner is not None:
            year = getattr(owner, "year", None)
            answer.update(title=f"{owner.title} ({year})" if year else owner.title, id=owner.id,
                          monitored=owner.monitored)
            if instance.kind == "sonarr":
                answer["episodes"] = [f"S{s:02}E{e:02}" for s, e in episode_codes(os.path.basename(remote))]
        answers.append(answer)
    return answers


def finding_details(scan_id: int, finding_id: int) -> dict:
    """Everything known about one finding of a scan."""
    scan = scans.get_scan(scan_id)
    finding = db.session.get(Finding, finding_id)
    if finding is None or finding.scan_id != scan_id:
        raise NotFoundError(f"finding {finding_id} of scan {scan_id} not found")
    config = get_config()
    root = real_root(config.media_path)
    if is_inside(finding.path, root):
        now = link_now(finding.path, config.file_timeout)
    else:  # the media root changed since: nothing outside the root is read
        now = _not_read(f"not read: the link is outside the media root {root} (was the root changed?)")
    entry = db.session.execute(
        select(QuarantineEntry).where(QuarantineEntry.scan_id == scan_id,
                                      QuarantineEntry.original_path == finding.path)
        .order_by(QuarantineEntry.id.desc())).scalars().first()
    return {
        **finding.to_dict(),
        "scan": {"scan_id": scan.id, "status": scan.status, "mode": scan.mode,
                 "verification_depth": scan.verification_depth, "scan_date": _iso(scan.scan_date),
                 "finished_at": _iso(scan.finished_at)},
        "check": which_check(finding),
        "checked_at": _iso(scan.finished_at or scan.scan_date),
        "media_root": root,
        "now": now,
        "small_file_threshold": config.small_file_threshold,  # what "too small" means for now.target_size
        "guard": guard_of(scan, finding.source),
        "ignored_by": ignores.rule_for(finding.path, finding.target or None),
        "quarantine": entry.to_dict() if entry is not None else None,
        "arr": arr_owner(finding.path, config),
    }
