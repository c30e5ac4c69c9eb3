"""`repair-links` and `fix-bad-links`: re-point links at the right source file, asking on a terminal."""

import json
import sys
import threading

import click

from linkdoctor.cli.group import main
from linkdoctor.cli.common import EXIT_CANCELLED, build_app, plain_errors
from linkdoctor.cli.output import finish
from linkdoctor.cli.scan import cli_paths
from linkdoctor.cli.services import followup_of
from linkdoctor.errors import LinkdoctorError
from linkdoctor.library.matching import DEFAULT_MIN_SCORE


class _Quit(Exception):
    """The user typed x."""


def _request(paths: list[str], min_score: float):
    from linkdoctor.config import get_config
    from linkdoctor.library.repair import RepairRequest
    from linkdoctor.library.service import _media_root
    from linkdoctor.paths import checked_paths

    config = get_config()
    root = _media_root(config)
    selected = [resolved for _kind, resolved in
                checked_paths(cli_paths(paths, config.media_path) or [root], config.media_path, config.file_timeout)]
    return RepairRequest(media_root=root, paths=list(dict.fromkeys(selected)), movie_folders=list(config.movie_folders),
                         series_folders=list(config.series_folders), source_roots=list(config.source_roots or []),
                         max_workers=config.max_workers, file_timeout=config.file_timeout, min_score=min_score)


def _ask(proposal, request, settings, command, repaired, skipped, moved_aside) -> None:
    """One link on the terminal: pick a candidate, s skip, q quarantine, x quit."""
    from linkdoctor.library.repair import apply_repair, quarantine_link

    click.echo(f"\n{proposal.path}\n  missing target: {proposal.target}")
    shown = proposal.ranked[:9]
    if not shown:
        click.echo("  no candidate in the source roots")
    for number, candidate in enumerate(shown, 1):
        click.echo(f"  {number}) {candidate.score:5.1f}  {candidate.path}")
    choices = "/".join(str(n) for n in range(1, len(shown) + 1))
    while True:
        answer = click.prompt(f"  pick {choices + ', ' if choices else ''}s skip, q quarantine, x quit",
                              default="s", show_default=False).strip().lower()
        if answer == "x":
            raise _Quit()
        if answer == "s":
            skipped.append({"path": proposal.path, "reason": "skipped by the user"})
            return
        try:
            if answer == "q":
                moved = quarantine_link(proposal.path, proposal.target, request.media_root, settings.data_dir,
                                        settings.quarantine_dir)
                moved_aside.append(moved)
                click.echo(f"  moved to the quarantine (entry #{moved['id']})")
                skipped.append({"path": proposal.path, "reason": "moved to the quarantine"})
                return
            if answer.isdigit() and 1 <= int(answer) <= len(shown):
                best = shown[int(answer) - 1]
                repaired.append(apply_repair(proposal.path, proposal.target, best.path, best.score, request,
                                             settings.data_dir, command))
                click.echo(f"  repaired (#{repaired[-1]['id']}; undo: linkdoctor repair-links --undo "
                           f"{repaired[-1]['id']})")
                return
        except LinkdoctorError as exc:
            click.echo(f"  not done: {exc.message}")
            skipped.append({"path": proposal.path, "reason": exc.message})
            return
        click.echo("  answer with a number, s, q or x")


def _print(document: dict, dry_run: bool, legitimate: list | None = None) -> None:
    prefix = "would repair" if dry_run else "repaired"
    for item in document["repaired"]:
        click.echo(f"{prefix} {item['path']} -> {item['new_target']} (score {item['score']:g})")
    for item in document["ambiguous"]:
        click.echo(f"ambiguous {item['path']}: " + ", ".join(f"{c['path']} ({c['score']:g})" for c in item["candidates"]))
    for item in document["no_candidate"]:
        click.echo(f"no candidate {item['path']} (was -> {item['target']})")
    for item in document["skipped"]:
        click.echo(f"skipped {item['path']}: {item['reason']}")
    for group in legitimate or []:
        click.echo(f"legitimate duplicate (left as it is) {group['target']}: {', '.join(group['links'])}")
    ignored = f", {document['ignored']} ignored (left out)" if document.get("ignored") else ""
    click.echo(f"{len(document['repaired'])} {prefix}, {len(document['ambiguous'])} ambiguous, "
               f"{len(document['no_candidate'])} without candidate, {len(document['skipped'])} skipped{ignored}")
    for warning in document["warnings"]:
        click.echo(f"warning: {warning}", err=True)


def _run(command: str, paths, auto, dry_run, min_score, as_json) -> None:
    from linkdoctor.library.repair import auto_apply, bad_links, broken_links, repair_run, report

    app = build_app(recover=True)
    settings = app.config["LINKDOCTOR_SETTINGS"]
    interactive = not auto and not as_json and not dry_run and sys.stdin.isatty() and sys.stdout.isatty()
    with app.app_context(), plain_errors(app):
        try:
            request = _request(list(paths), min_score)
            find = broken_links if command == "repair-links" else bad_links
            findings = find(request, threading.Event())
            repaired, skipped, moved_aside = [], [], []
            # One library_changed for the run (repair_run): Sonarr/Radarr rescan what it re-pointed.
            with repair_run("cli", command) as run:
                if auto:
                    repaired, skipped = auto_apply(findings.proposals, request, settings.data_dir, dry_run, command)
                elif interactive:
                    try:
                        for proposal in findings.proposals:
                            _ask(proposal, request, settings, command, repaired, skipped, moved_aside)
                    except _Quit:
                        click.echo("  stopped: the links not yet seen are left as they are")
                else:
                    for proposal in findings.proposals:
                        if proposal.verdict in ("repair", "below_threshold"):
                            reason = ("listed only: run with --auto, or on a terminal, to repair" if not dry_run
                                      else "dry run")
                            skipped.append({"path": proposal.path, "reason": reason,
                                            "candidates": proposal.candidates()})
        except KeyboardInterrupt:
            click.echo("\nlinkdoctor: cancelled", err=True)
            sys.exit(EXIT_CANCELLED)
        document = report(findings.proposals, repaired, skipped)
        if command == "fix-bad-links":
            document["legitimate"] = findings.legitimate
        document["warnings"] = findings.warnings
        document["ignored"] = findings.ignored
        if run.event_id is not None:
            document["followup"] = followup_of(app, {"event_id": run.event_id})
        for moved in moved_aside:  # a link moved aside: Sonarr/Radarr hear of it like a confirmed removal
            followup_of(app, moved)
    finish(document, as_json, lambda: _print(document, dry_run, findings.legitimate),
           problems=document["ambiguous"] or document["no_candidate"] or document["skipped"])


@main.command("repair-links")
@click.argument("paths", nargs=-1)
@click.option("--auto", is_flag=True, help="Apply every unambiguous candidate at or above --min-score.")
@click.option("--dry-run", is_flag=True, help="Say what would be done, change nothing.")
@click.option("--min-score", type=click.FloatRange(0, 100), default=DEFAULT_MIN_SCORE, show_default=True,
              help="The lowest score --auto applies.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.option("--undo", "undo_id", type=click.IntRange(min=1), help="Put back the link of repair REPAIR_ID.",
              metavar="REPAIR_ID")
@click.option("--undo-job", "undo_job", type=click.IntRange(min=1), metavar="JOB_ID",
              help="Put back every link the apply job JOB_ID re-pointed (a batch of the web page).")
def repair_links(paths, auto, dry_run, min_score, as_json, undo_id, undo_job):
    """Re-point broken links at a healthy file of the source roots (interactive on a terminal).

    Exit 0: nothing left to repair, 1: some links were left, 2: could not run, 130: cancelled.
    """
    if undo_id is not None:
        _undo(undo_id, as_json)
        return
    if undo_job is not None:
        _undo_job(undo_job, as_json)
        return
    _run("repair-links", paths, auto, dry_run, min_score, as_json)


def _undo(repair_id: int, as_json: bool) -> None:
    from linkdoctor.library.repair import undo_repair

    app = build_app(recover=True)
    with app.app_context(), plain_errors(app):
        from linkdoctor.config import get_config

        entry = undo_repair(repair_id, get_config().media_path, app.config["LINKDOCTOR_SETTINGS"].data_dir,
                            origin="cli")
        followup = followup_of(app, entry)
    if as_json:
        click.echo(json.dumps({"undone": entry, "followup": followup}, indent=2, ensure_ascii=False))
    else:
        click.echo(f"undone #{repair_id}: {entry['path']} -> {entry['old_target']} again")


def _undo_job(job_id: int, as_json: bool) -> None:
    from linkdoctor.library.repair import undo_batch

    app = build_app(recover=True)
    with app.app_context(), plain_errors(app):
        from linkdoctor.config import get_config

        result = undo_batch(job_id, get_config().media_path, app.config["LINKDOCTOR_SETTINGS"].data_dir, origin="cli")
        result["followup"] = followup_of(app, result)
    finish(result, as_json, lambda: _print_undone_job(job_id, result), problems=result["skipped"])


def _print_undone_job(job_id: int, result: dict) -> None:
    click.echo(f"job #{job_id}: {len(result['undone'])} repair(s) undone, {len(result['skipped'])} left "
               f"({result['already_undone']} were undone before)")
    for skipped in result["skipped"]:
        click.echo(f"  left: {skipped['path']}: {skipped['reason']}")


@main.command("fix-bad-links")
@click.option("--auto", is_flag=True, help="Apply every unambiguous candidate at or above the threshold.")
@click.option("--dry-run", is_flag=True, help="Say what would be done, change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
def fix_bad_links(auto, dry_run, as_json):
    """Re-point the links of suspicious shared targets (names saying different items, one file).

    Legitimate duplicates (the same item linked from two folders) are reported apart and left alone.
    Exit 0: nothing left, 1: some links were left, 2: could not run, 130: cancelled.
    """
    _run("fix-bad-links", (), auto, dry_run, DEFAULT_MIN_SCORE, as_json)

