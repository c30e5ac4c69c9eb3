"""repair-links and fix-bad-links for the web: list the links to re-point with their candidates, apply choices.

Two kinds: "broken" (links whose target is missing, repair-links) and "shared" (links of
a suspicious shared target whose own name says another item, fix-bad-links).

The job runner holds the library lock for the whole job, so the repairs inside do not take it again.
A chosen target is applied only when it is still one of the link's ranked candidates:
the page cannot point a link at an arbitrary file.
"""

from pathlib import Path

from sqlalchemy import select

from linkdoctor.config import get_config
from linkdoctor.errors import ConflictError, LinkdoctorError, NotFoundError, ValidationError
from linkdoctor.jobs.runner import JobContext, JobRunner
from linkdoctor.library.repair import RepairRequest, apply_repair, auto_apply, bad_links, broken_links, repair_run, report
from linkdoctor.library.service import _media_root
from linkdoctor.models import COMPLETED, REPAIRED, Job, RepairEntry, db
from linkdoctor.paths import checked_paths

LINKS_LISTED = 1000  # the job's result stays small enough for the page
GROUPS_LISTED = 100
MAX_ITEMS = 1000
# The page's groups of a listing -> the verdicts in each: ready to accept, a choice to make, nothing to offer.
GROUPS = {"ready": ("repair",), "ambiguous": ("ambiguous", "below_threshold"), "no_candidate": ("no_candidate",)}
# kind -> (what finds the links, the command name journalled with each repair)
KINDS = {"broken": (broken_links, "repair-links"), "shared": (bad_links, "fix-bad-links")}


def _kind(kind) -> str:
    if not isinstance(kind, str) or kind not in KINDS:
        raise ValidationError('kind must be "broken" (missing targets) or "shared" (shared wrong targets)',
                              fields={"kind": "must be broken or shared"})
    return kind


def _resolved(paths: list[str], config) -> list[str]:
    """Each path resolved inside the library, looked at in a worker: a hung folder refuses, never holds the caller."""
    return [resolved for _kind, resolved in checked_paths(paths, config.media_path, config.file_timeout,
                                                           must_exist=False)]


def _request(resolved_paths: list[str] | None) -> RepairRequest:
    config = get_config()
    root = _media_root(config)
    selected = resolved_paths or [root]
    return RepairRequest(media_root=root, paths=list(dict.fromkeys(selected)), movie_folders=list(config.movie_folders),
                         series_folders=list(config.series_folders), source_roots=list(config.source_roots or []),
                         max_workers=config.max_workers, file_timeout=config.file_timeout)


def start_proposals(runner: JobRunner, kind: str = "broken", origin: str = "web") -> JobContext:
    """List every link of this kind with its best candidates (changes nothing)."""
    find = KINDS[_kind(kind)][0]
    request = _request(None)
    if not request.source_roots:
        raise ValidationError("no source_roots configured: set them in Settings so repair knows where to look")

    def work(ctx: JobContext) -> dict:
        looking = "broken links" if kind == "broken" else "targets shared by several links"
        ctx.progress(0.05, "walk", f"looking for {looking} and indexing the source roots")
        findings = find(request, ctx.cancel)
        links = [{"path": p.path, "target": p.target, "verdict": p.verdict, "candidates": p.candidates()}
                 for p in findings.proposals]
        counts = {verdict: sum(1 for p in findings.proposals if p.verdict == verdict)
                  for verdict in ("repair", "ambiguous", "below_threshold", "no_candidate")}
        result = {"action": "propose", "kind": kind, "media_root": request.media_root, "total": len(links),
                  "counts": counts, "links": links[:LINKS_LISTED], "ignored": findings.ignored,
                  "warnings": findings.warnings[:50]}
        if kind == "shared":
            result["legitimate_total"] = len(findings.legitimate)
            result["legitimate"] = findings.legitimate[:GROUPS_LISTED]
        return result

    return runner.start("repair", work, params={"action": "propose", "kind": kind}, origin=origin)


def _choices(items) -> dict[str, str]:
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        raise ValidationError(f"items must be a list of at most {MAX_ITEMS} {{path, target}} objects")
    choices = {}
    for item in items:
        if not isinstance(item, dict) or set(item) != {"path", "target"} or \
                not all(isinstance(item[k], str) and item[k] for k in ("path", "target")):
            raise ValidationError("each item must be {\"path\": link, \"target\": chosen candidate}")
        choices[item["path"]] = item["target"]
    return choices


def start_apply(runner: JobRunner, data_dir: Path, items=None, unambiguous: bool = False, kind: str = "broken",
                origin: str = "web") -> JobContext:
    """Apply the chosen candidate of each link, or every unambiguous one at the default threshold."""
    find, command = KINDS[_kind(kind)]
    if not isinstance(unambiguous, bool):
        raise ValidationError("unambiguous must be true or false")
    choices = _choices(items if items is not None else [])
    if not choices and not unambiguous:
        raise ValidationError("send items to accept, or unambiguous: true")
    # Each chosen link by its resolved path, refused before the job when outside the library.
    resolved = dict(zip(choices, _resolved(list(choices), get_config()))) if choices else {}
    # A shared target is only seen as shared with all its links: that kind always looks at the whole library.
    request = _request(list(resolved.values()) if kind == "broken" else None)
    if not request.source_roots:
        raise ValidationError("no source_roots configured")

    def work(ctx: JobContext) -> dict:
        ctx.progress(0.05, "walk", "looking at the links again")
        findings = find(request, ctx.cancel)
        ctx.progress(0.8, "repair", "re-pointing links")
        # One library_changed for the run: Sonarr/Radarr rescan what it re-pointed (its listener).
        with repair_run(origin, command, job_id=ctx.job_id) as run:
            if unambiguous and not choices:
                repaired, skipped = auto_apply(findings.proposals, request, data_dir, False, command, locked=True,
                                                origin=origin)
            else:
                repaired, skipped = [], []
                by_path = {p.path: p for p in findings.proposals}
                for path, target in choices.items():
                    proposal = by_path.get(resolved[path])
                    chosen = next((c for c in proposal.ranked if c.path == target), None) if proposal else None
                    if chosen is None:
                        skipped.append({"path": path, "reason": f"no longer {'broken' if kind == 'broken' else 'sharing a wrong target'}"
                                                                ", or that target is not a candidate"})
                        continue
                    try:
                        repaired.append(apply_repair(proposal.path, proposal.target, chosen.path, chosen.score, request,
                                                     data_dir, command, locked=True, origin=origin))
                    except LinkdoctorError as exc:
                        skipped.append({"path": path, "reason": exc.message})
        return {"action": "apply", "kind": kind, **report(findings.proposals, repaired, skipped),
                "event_id": run.event_id}

    return runner.start("repair", work, params={"action": "apply", "kind": kind, "paths": list(choices),
                                                     "unambiguous": unambiguous},
                        origin=origin)


def _listing(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None or job.kind != "repair" or (job.params or {}).get("action") != "propose":
        raise NotFoundError(f"job {job_id} is not a listing of links to repair")
    if job.state != COMPLETED:
        raise ConflictError(f"the listing of job {job_id} is {job.state}, not completed: nothing to page")
    return job


def proposals_page(job_id: int, group: str, page: int, per_page: int) -> dict:
    """A page of one group (ready, ambiguous, no_candidate) of a completed listing, with every group's count.

    Links repaired since the listing (from the page or elsewhere) are left out: the list stays a worklist.
    """
    if group not in GROUPS:
        raise ValidationError(f"group must be one of {', '.join(GROUPS)}", field="group",
                              fields={"group": f"must be one of {', '.join(GROUPS)}"})
    job = _listing(job_id)
    result = job.result or {}
    links = result.get("links", [])
    repaired = set(db.session.execute(select(RepairEntry.path).where(
        RepairEntry.state == REPAIRED, RepairEntry.created_at >= job.created_at)).scalars())
    left = [link for link in links if link["path"] not in repaired]
    counts = {name: sum(1 for link in left if link["verdict"] in verdicts) for name, verdicts in GROUPS.items()}
    chosen = [link for link in left if link["verdict"] in GROUPS[group]]
    start = (page - 1) * per_page
    return {"job_id": job.id, "kind": result.get("kind", "broken"), "media_root": result.get("media_root", ""),
            "group": group, "counts": counts, "total": len(chosen), "page": page, "per_page": per_page,
            "pages": (len(chosen) + per_page - 1) // per_page, "items": chosen[start:start + per_page],
            "listed_at": job.finished_at.isoformat() if job.finished_at else None,
            "truncated": result.get("total", 0) > len(links)}
