"""`scan` and `history`: start a scan through the task manager, wait, print, choose the exit code."""

import json
import os
import signal
import sys
import time

from typing import Iterator

import click
from sqlalchemy import select

from linkdoctor import quarantine, scans
from linkdoctor.cli.group import main
from linkdoctor.cli.common import (
    EXIT_CANCELLED, EXIT_CANNOT_RUN, EXIT_OK, EXIT_PROBLEMS, build_app, plain_errors, service_command,
)
from linkdoctor.arr.followup import followup_view
from linkdoctor.arr_instances import enabled_instances
from linkdoctor.cli.output import ProgressPrinter, cancel_on_sigterm
from linkdoctor.cli.services import followup_of, print_followup, print_media_refresh
from linkdoctor.config import get_config
from linkdoctor.errors import LinkdoctorError
from linkdoctor.media.refresh import media_refresh_view
from linkdoctor.models import AWAITING_CONFIRMATION, CANCELLED, ERROR, Finding, db


@main.command()
@click.argument("paths", nargs=-1)
@click.option("--depth", type=click.Choice(["basic", "full"]), default="basic", show_default=True,
              help="basic: links only (phase 1); full: also probe media with ffprobe (phase 2).")
@click.option("--mode", type=click.Choice(["dry-run", "real"]), default="dry-run", show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Worker processes (default: setting).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.option("--yes", is_flag=True, help="Real mode: confirm the proposed removals without asking.")
@click.option("--force", is_flag=True, help="Real mode: remove even links into sources the guard blocked.")
def scan(paths, depth, mode, workers, as_json, yes, force):
    """Scan PATHS (default: the whole media root). Exit 0: no problem, 1: problems, 2: could not run, 130: cancelled.

    In real mode the problem links are proposed for removal and moved into the
    quarantine only once confirmed (asked here, or --yes); `linkdoctor restore` puts them back.
    """
    sys.exit(run_scan_command(build_app(recover=True), list(paths), depth, mode, workers, as_json, yes, force))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@service_command(recover=True)
def history(app, as_json):
    """List the kept scans, newest first."""
    from linkdoctor import scans

    rows = scans.history()
    if as_json:
        click.echo(json.dumps({"scans": rows}, indent=2))
        return
    if not rows:
        click.echo("No scans yet.")
    for row in rows:
        stats = row["statistics"]
        click.echo(f"#{row['scan_id']:<4} {row['scan_date'][:19]}  {row['status']:<22} {row['mode']:<7} "
                   f"{row['verification_depth']:<5} {stats['total_analyzed']:>7} links  {stats['healthy']:>7} healthy")



def cli_paths(paths: list[str], media_root: str) -> list[str]:
    """Relative CLI paths are taken from the working folder, else from the media root."""
    resolved = []
    for path in paths:
        if not os.path.isabs(path) and os.path.lexists(path):
            path = os.path.abspath(path)
        resolved.append(path)
    return resolved


FINDINGS_READ = 1000  # findings read from the database at a time while they are printed


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes}m{seconds:02}s" if minutes < 60 else f"{minutes // 60}h{minutes % 60:02}m"


def progress_line(snapshot) -> str:
    """One line of a running scan's progress: counts, rate, ETA ("~" while the walk still finds links)."""
    eta = ""
    if snapshot.eta is not None:
        eta = f", ETA {'' if snapshot.walk_done or snapshot.phase != 'phase1' else '~'}{_duration(snapshot.eta)}"
    if snapshot.phase == "phase2":
        decoded = f", decoded {snapshot.decoded:,}/{snapshot.to_decode:,}" if snapshot.to_decode else ""
        return f"phase 2: probed {snapshot.probed:,}/{snapshot.to_probe:,}{decoded}{eta}"
    checked = snapshot.counters["total_analyzed"]
    rate = f", {checked / snapshot.elapsed:,.0f} links/s" if snapshot.elapsed > 0 and checked else ""
    found = f"{snapshot.discovered:,}" + ("" if snapshot.walk_done else "+")
    return f"phase 1: checked {checked:,}/{found} links{rate}{eta}"


def wait_for(manager, scan_id: int) -> bool:
    """Wait for a scan; Ctrl-C cancels it cleanly. True when it was cancelled by the user."""
    cancelled = False
    while True:
        try:
            if manager.wait(scan_id, 0.2):
                return cancelled
        except KeyboardInterrupt:
            if not cancelled:
                click.echo("\nlinkdoctor: cancelling the scan…", err=True)
                cancelled = True
                try:
                    manager.cancel(scan_id)
                except LinkdoctorError:
                    pass
            time.sleep(0.05)


def _progress_printer(printer: ProgressPrinter, as_json: bool):
    """The scan's progress through `printer` (cli/output.py); none into a log with --json."""
    if as_json and not printer.on_terminal:
        return None

    def show(scan_id, snapshot):
        if printer.on_terminal or (printer.due() and snapshot.phase != "done"):
            printer.show(progress_line(snapshot))
    return show


def scan_document(scan_id: int) -> dict:
    """The scan's result as the single JSON document `scan --json` prints."""
    scan = scans.get_scan(scan_id)
    summary = scans.scan_summary(scan)
    return {
        "scan_id": scan_id,
        "status": scan.status,
        "mode": scan.mode,
        "verification_depth": scan.verification_depth,
        "duration": summary["duration"],
        "statistics": summary["statistics"],
        "warnings": summary["warnings"],
        "error_message": scan.error_message,
        "confirmation": quarantine.confirmation_view(scan),
    }


def scan_findings(scan_id: int) -> Iterator[dict]:
    """The scan's findings in discovery order, read from the database as they are printed: a scan of a
    million links may have tens of thousands, which need not all be in memory at once."""
    rows = db.session.execute(
        select(Finding.path, Finding.target, Finding.category, Finding.detail)
        .where(Finding.scan_id == scan_id).order_by(Finding.id).execution_options(yield_per=FINDINGS_READ)
    )
    for path, target, category, detail in rows:
        yield {"path": path, "target": target, "category": category, "detail": detail}


def print_json(document: dict, findings: Iterator[dict]) -> None:
    """The one JSON document of `scan --json`, its findings written one by one."""
    head = json.dumps(document, indent=2, ensure_ascii=False)
    click.echo(head[:-2] + ',\n  "findings": [', nl=False)
    separator = "\n    "
    for finding in findings:
        click.echo(separator + json.dumps(finding, ensure_ascii=False), nl=False)
        separator = ",\n    "
    click.echo("\n  ]\n}" if separator != "\n    " else "]\n}")


def print_report(document: dict, findings: Iterator[dict]) -> None:
    """A plain-text summary and the list of problem links."""
    stats = document["statistics"]
    click.echo(f"Scan #{document['scan_id']} {document['status']} in {document['duration']:.1f}s "
               f"({document['mode']}, {document['verification_depth']})")
    click.echo(f"  analysed {stats['total_analyzed']}: ok {stats['phase1_ok']}, broken {stats['phase1_broken']}, "
               f"inaccessible {stats['phase1_inaccessible']}, small {stats['phase1_small']}, "
               f"io_error {stats['phase1_io_error']}, timeout {stats['phase1_timeout']}")
    if stats.get("ignored"):
        click.echo(f"  ignored {stats['ignored']} (ignore rules: linkdoctor ignore list)")
    if document["verification_depth"] == "full":
        click.echo(f"  probed {stats['phase2_analyzed']} ({stats['phase2_cached']} unchanged since last probe), "
                   f"decoded {stats['phase2_decoded']}: corrupted {stats['phase2_corrupted']}, "
                   f"timeout {stats['phase2_timeout']}, left suspicious {stats['phase2_suspicious']}")
    click.echo(f"  healthy {stats['healthy']} (passed every check asked for)")
    for warning in document["warnings"]:
        click.echo(f"  warning: {warning}")
    for finding in findings:
        click.echo(f"  [{finding['category']}] {finding['path']!r} -> {finding['target']!r}: {finding['detail']}")
    if document.get("error_message"):
        click.echo(f"  error: {document['error_message']}")
    if document.get("services"):
        print_followup(document["services"])
    print_media_refresh(document.get("media_servers") or [])


def _ask_and_remove(app, scan_id: int, yes: bool, force: bool, as_json: bool) -> dict | None:
    """Show the proposed removals, ask (unless --yes), and move the confirmed links."""
    view = quarantine.confirmation_view(scans.get_scan(scan_id))
    out = sys.stderr if as_json else sys.stdout
    click.echo(f"{view['proposed']} link(s) proposed for removal (moved into the quarantine, restorable).", file=out)
    for source in view["sources"]:
        if source["blocked"]:
            click.echo(f"  guard: {source['proposed']} link(s) into {source['source']} will be kept: "
                       f"{source['reason']}{' (--force removes them anyway)' if not force else ' (overridden by --force)'}",
                       file=out)
    if not yes:
        if not sys.stdin.isatty():
            click.echo("Not confirmed: nothing removed (run with --yes to confirm without a prompt).", file=out)
            return None
        if not click.confirm("Move them into the quarantine now?", default=False, err=as_json):
            click.echo("Nothing removed.", file=out)
            return None
    settings = app.config["LINKDOCTOR_SETTINGS"]
    result = quarantine.confirm(scan_id, view["token"], None, force, get_config().media_path,
                                settings.data_dir, settings.quarantine_dir, origin="cli")
    click.echo(f"Moved {result['removed']} link(s) into the quarantine; `linkdoctor restore {scan_id}` puts them back.",
               file=out)
    for item in result["skipped"]:
        click.echo(f"  kept {item['path']!r}: {item['reason']}", file=out)
    if result.get("event_id") is not None and enabled_instances(get_config()):
        click.echo("Telling Sonarr/Radarr (rescan, then search what was removed)…", file=out)
    result["services"] = followup_of(app, result)
    return result


def run_scan_command(app, paths: list[str], depth: str, mode: str, workers: int | None, as_json: bool,
                     yes: bool = False, force: bool = False) -> int:
    """Run one scan to its end and return the exit code."""
    signal.signal(signal.SIGTERM, cancel_on_sigterm)
    printer = ProgressPrinter(width=78)
    with app.app_context(), plain_errors(app):
        manager = app.extensions["linkdoctor.tasks"]
        try:
            scan_id = manager.start_scan(
                cli_paths(paths, get_config().media_path) or None, mode=mode, depth=depth,
                origin="cli", max_workers=workers, on_progress=_progress_printer(printer, as_json),
            )
        except LinkdoctorError as exc:
            click.echo(f"linkdoctor: {exc.message}", err=True)
            return EXIT_CANNOT_RUN
        cancelled = wait_for(manager, scan_id)
        printer.end()
        removal = None
        if not cancelled and scans.get_scan(scan_id).status == AWAITING_CONFIRMATION:
            try:
                removal = _ask_and_remove(app, scan_id, yes, force, as_json)
            except LinkdoctorError as exc:
                click.echo(f"linkdoctor: {exc.message}", err=True)
                return EXIT_CANNOT_RUN
        document = scan_document(scan_id)
        document["removal"] = removal
        document["services"] = followup_view(scan_id)
        document.update(media_refresh_view(scan_id))  # media_refresh, media_servers
        problems = db.session.execute(select(Finding.id).where(Finding.scan_id == scan_id).limit(1)).first()
        if as_json:
            print_json(document, scan_findings(scan_id))
        else:
            print_report(document, scan_findings(scan_id))
    if document["status"] == CANCELLED:
        return EXIT_CANCELLED
    if document["status"] == ERROR:
        return EXIT_CANNOT_RUN
    return EXIT_PROBLEMS if problems else EXIT_OK
