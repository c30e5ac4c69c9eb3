"""repair-links for the web: list the broken links and their candidates, and apply choices, as jobs.

The job runner holds the library lock for the whole job, so the repairs inside do not take it again.
A chosen target is applied only when it is still one of the link's ranked candidates:
the page cannot point a link at an arbitrary file.
"""

from pathlib import Path

from linkdoctor.config import get_config
from linkdoctor.errors import LinkdoctorError, ValidationError
from linkdoctor.jobs.runner import JobContext, JobRunner
from linkdoctor.library.repair import RepairRequest, apply_repair, auto_apply, broken_links, report
from linkdoctor.library.service import _media_root
from linkdoctor.paths import resolve_in_root

LINKS_LISTED = 1000  # the job's result stays small enough for the page
MAX_ITEMS = 1000


def _request(paths: list[str] | None) -> RepairRequest:
    config = get_config()
    root = _media_root(config)
    selected = [resolve_in_root(p, config.media_path) for p in paths] if paths else [root]
    return RepairRequest(media_root=root, paths=list(dict.fromkeys(selected)), movie_folders=list(config.movie_folders),
                         series_folders=list(config.series_folders), source_roots=list(config.source_roots or []),
                         max_workers=config.max_workers, file_timeout=config.file_timeout)


def start_proposals(runner: JobRunner, origin: str = "web") -> JobContext:
    """List every broken link with its best candidates (changes nothing)."""
    request = _request(None)
    if not request.source_roots:
        raise ValidationError("no source_roots configured: set them in Settings so repair knows where to look")

    def work(ctx: JobContext) -> dict:
        ctx.progress(0.05, "walk", "looking for broken links and indexing the source roots")
        findings = broken_links(request, ctx.cancel)
        links = [{"path": p.path, "target": p.target, "verdict": p.verdict, "candidates": p.candidates()}
                 for p in findings.proposals]
        counts = {verdict: sum(1 for p in findings.proposals if p.verdict == verdict)
                  for verdict in ("repair", "ambiguous", "below_threshold", "no_candidate")}
        return {"action": "propose", "total": len(links), "counts": counts, "links": links[:LINKS_LISTED],
                "warnings": findings.warnings[:50]}

    return runner.start("repair", work, params={"action": "propose"}, origin=origin)


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


def start_apply(runner: JobRunner, data_dir: Path, items=None, unambiguous: bool = False,
                origin: str = "web") -> JobContext:
    """Apply the chosen candidate of each link, or every unambiguous one at the default threshold."""
    if not isinstance(unambiguous, bool):
        raise ValidationError("unambiguous must be true or false")
    choices = _choices(items if items is not None else [])
    if not choices and not unambiguous:
        raise ValidationError("send items to accept, or unambiguous: true")
    request = _request(list(choices) or None)
    if not request.source_roots:
        raise ValidationError("no source_roots configured")

    def work(ctx: JobContext) -> dict:
        ctx.progress(0.05, "walk", "looking at the links again")
        findings = broken_links(request, ctx.cancel)
        ctx.progress(0.8, "repair", "re-pointing links")
        if unambiguous and not choices:
            repaired, skipped = auto_apply(findings.proposals, request, data_dir, False, locked=True)
        else:
            repaired, skipped = [], []
            by_path = {p.path: p for p in findings.proposals}
            for path, target in choices.items():
                proposal = by_path.get(resolve_in_root(path, request.media_root))
                chosen = next((c for c in proposal.ranked if c.path == target), None) if proposal else None
                if chosen is None:
                    skipped.append({"path": path, "reason": "no longer broken, or that target is not a candidate"})
                    continue
                try:
                    repaired.append(apply_repair(proposal.path, proposal.target, chosen.path, chosen.score, request,
                                                 data_dir, locked=True))
                except LinkdoctorError as exc:
                    skipped.append({"path": path, "reason": exc.message})
        return {"action": "apply", **report(findings.proposals, repaired, skipped)}

    def then(result: dict) -> dict | None:
        # Sonarr/Radarr rescan the items whose links point at a file again (no search: they are back).
        from linkdoctor.arr.followup import followup_after

        paths = [item["path"] for item in result.get("repaired", [])]
        return followup_after(runner, 0, paths, "restore", origin) if paths else None

    return runner.start("repair", work, params={"action": "apply", "paths": list(choices), "unambiguous": unambiguous},
                        origin=origin, then=then)
