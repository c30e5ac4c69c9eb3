"""`import`, `pending`, `check`, `enrich`: the inventory, its integrity, its TMDB titles; jobs like the web's."""

import json
import signal
import sys

import click

from linkdoctor.cli.group import main
from linkdoctor.cli.common import EXIT_CANCELLED, EXIT_CANNOT_RUN, build_app, plain_errors, service_command
from linkdoctor.cli.output import ProgressPrinter, cancel_on_sigterm, finish
from linkdoctor.cli.scan import cli_paths
from linkdoctor.models import CANCELLED, COMPLETED

BAR_WIDTH = 30


def _show_progress(printer: ProgressPrinter, runner, job_id: int) -> None:
    status = runner.status(job_id)
    filled = int(BAR_WIDTH * status["progress"] / 100)
    progress = f"{status['progress']:5.1f}% {status['phase']}: {status['message']}"
    printer.show(f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {progress}",
                 log_line=f"linkdoctor: {status['kind']} {progress}")


def run_job(app, start) -> dict:
    """Start a job with `start(runner)`, wait; Ctrl-C cancels it.

    Its progress (with the rate and ETA the job's message gives) goes to stderr: a bar on a terminal,
    otherwise a line every PROGRESS_LINE_SECONDS (cli/output.py).
    """
    signal.signal(signal.SIGTERM, cancel_on_sigterm)
    runner = app.extensions["linkdoctor.jobs"]
    ctx = start(runner)
    printer = ProgressPrinter(width=110)
    cancelled = False
    while True:
        try:
            if printer.due():  # off a terminal the job's status is read only when a line is written
                _show_progress(printer, runner, ctx.job_id)
            if ctx.done.wait(0.2):
                break
        except KeyboardInterrupt:
            if not cancelled:
                click.echo("\nlinkdoctor: cancelling…", err=True)
                cancelled = True
                ctx.cancel.set()
    if printer.on_terminal:
        _show_progress(printer, runner, ctx.job_id)
    printer.end()
    return runner.status(ctx.job_id)


def _exit_for(status: dict) -> int | None:
    if status["state"] == CANCELLED:
        return EXIT_CANCELLED
    if status["state"] != COMPLETED:
        click.echo(f"linkdoctor: {status['kind']} failed: {status['message']}", err=True)
        return EXIT_CANNOT_RUN
    return None


@main.command("import")
@click.argument("paths", nargs=-1)
@click.option("--dry-run", is_flag=True, help="Tell what would change, record nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
def import_command(paths, dry_run, as_json):
    """Record every media link and file of the library (or of PATHS) in the inventory.

    Exit 0: done, 1: some items failed (counted in errors), 2: could not run, 130: cancelled.
    """
    from linkdoctor.config import get_config
    from linkdoctor.library.inventory import SUMMARY_KEYS
    from linkdoctor.library.service import start_import

    app = build_app(recover=True)
    with app.app_context(), plain_errors(app):
        selected = cli_paths(list(paths), get_config().media_path) or None
        status = run_job(app, lambda runner: start_import(runner, selected, dry_run, origin="cli"))
    code = _exit_for(status)
    if code is not None:
        sys.exit(code)
    result = status["result"]
    finish({key: result[key] for key in SUMMARY_KEYS}, as_json, lambda: _print_import(status, dry_run),
           problems=result["errors"])


def _print_import(status: dict, dry_run: bool) -> None:
    result = status["result"]
    click.echo(f"Import #{status['job_id']}{' (dry run: nothing recorded)' if dry_run else ''}: "
               f"{result['imported']} imported, {result['updated']} updated ({result['moved']} moved), "
               f"{result['skipped']} unchanged, {result['forgotten']} forgotten, "
               f"{result['errors']} errors; {result['pending']} pending identification")
    for failure in result["failures"]:
        click.echo(f"  error: {failure['path']}: {failure['reason']}")
    if result["errors"] > len(result["failures"]):
        click.echo(f"  … and {result['errors'] - len(result['failures'])} more in the log")
    if result["pending"]:
        click.echo("  `linkdoctor pending` lists the items to identify by hand")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@service_command()
def pending(app, as_json):
    """List the items the import could not identify (to rename by hand, then import again)."""
    from linkdoctor.library.inventory import pending_items

    items = []
    page = 1
    while True:
        data = pending_items(page, 500)
        items += data["items"]
        if len(items) >= data["total"] or not data["items"]:
            break
        page += 1
    if as_json:
        click.echo(json.dumps({"total": len(items), "items": items}, indent=2, ensure_ascii=False))
        return
    if not items:
        click.echo("Nothing pending: every item is identified.")
        return
    click.echo(f"{len(items)} item(s) to identify by hand ({items[0]['action']}):")
    for item in items:
        click.echo(f"  {item['path']}" + (f" -> {item['target']}" if item["target"] else ""))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.option("--verify-hash", is_flag=True, help="Also re-read every inventoried target and compare its hash.")
def check(as_json, verify_hash):
    """Report every inconsistency between the inventory, the library and the source roots; change nothing.

    Exit 0: consistent, 1: not consistent, 2: could not run, 130: cancelled.
    """
    from linkdoctor.library.integrity import CATEGORIES, all_results
    from linkdoctor.library.service import start_check

    app = build_app(recover=True)
    with app.app_context(), plain_errors(app):
        status = run_job(app, lambda runner: start_check(runner, verify_hash, origin="cli"))
        code = _exit_for(status)
        if code is not None:
            sys.exit(code)
        result = status["result"]
        document = {"job_id": status["job_id"], "consistent": result["consistent"], "verify_hash": verify_hash,
                    "counts": result["counts"], "warnings": result["warnings"], **all_results(status["job_id"])}
    finish(document, as_json, lambda: _print_check(document, CATEGORIES), problems=not document["consistent"])


def _print_check(document: dict, categories) -> None:
    total = sum(document["counts"].values())
    click.echo(f"Check #{document['job_id']}: " + ("consistent" if not total else f"{total} inconsistencies")
               + (" (hashes verified)" if document["verify_hash"] else ""))
    for name in categories:
        entries = document[name]
        if not entries:
            continue
        click.echo(f"{name} ({len(entries)}):")
        for entry in entries:
            if name == "duplicate_targets":
                click.echo(f"  [{entry['verdict']}] {entry['target']}  ({entry['detail']})")
                for link in entry["links"]:
                    click.echo(f"      <- {link}")
            else:
                click.echo(f"  {entry['path']}" + (f" -> {entry['target']}" if entry["target"] else "")
                           + f"  ({entry['detail']})")
            click.echo(f"      fix: {entry['action']}")
    for warning in document["warnings"]:
        click.echo(f"warning: {warning}")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
def enrich(as_json):
    """Look inventory items up on TMDB (oldest first) and keep their titles for repair-links.

    Exit 0: done, 1: some items failed (tried again next run), 2: could not run, 130: cancelled.
    """
    from linkdoctor.library.service import start_enrich

    app = build_app(recover=True)
    with app.app_context(), plain_errors(app):
        status = run_job(app, lambda runner: start_enrich(runner, origin="cli"))
    code = _exit_for(status)
    if code == EXIT_CANCELLED:
        click.echo("linkdoctor: cancelled", err=True)  # what was found until then is kept
    if code is not None:
        sys.exit(code)
    summary = status["result"]
    finish(summary, as_json, lambda: _print_enrich(summary), problems=summary["failed"])


def _print_enrich(summary: dict) -> None:
    click.echo(f"{summary['enriched']} enriched, {summary['not_found']} not found, {summary['failed']} failed "
               f"({summary['already']} already enriched)")
    for failure in summary["failures"]:
        click.echo(f"  failed: {failure['path']}: {failure['reason']}")
