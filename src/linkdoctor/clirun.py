"""`linkdoctor scan`: start a scan through the task manager, wait, print, choose the exit code."""

import json
import signal
import sys

import click

from linkdoctor import quarantine, scans
from linkdoctor.cli import EXIT_CANCELLED, EXIT_CANNOT_RUN, EXIT_OK, EXIT_PROBLEMS, cli_paths, progress_line, wait_for
from linkdoctor.errors import LinkdoctorError
from linkdoctor.models import AWAITING_CONFIRMATION, CANCELLED, ERROR
from linkdoctor.settings import get_config


def _progress_printer():
    if not sys.stderr.isatty():
        return None

    def show(scan_id, snapshot):
        click.echo(f"\r{progress_line(snapshot):<70}", err=True, nl=False)

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
        "findings": [
            {"path": f.path, "target": f.target, "category": f.category, "detail": f.detail}
            for f in scans.all_findings(scan_id)
        ],
    }


def print_report(document: dict) -> None:
    """A plain-text summary and the list of problem links."""
    stats = document["statistics"]
    click.echo(f"Scan #{document['scan_id']} {document['status']} in {document['duration']:.1f}s "
               f"({document['mode']}, {document['verification_depth']})")
    click.echo(f"  analysed {stats['total_analyzed']}: ok {stats['phase1_ok']}, broken {stats['phase1_broken']}, "
               f"inaccessible {stats['phase1_inaccessible']}, small {stats['phase1_small']}, "
               f"io_error {stats['phase1_io_error']}, timeout {stats['phase1_timeout']}")
    if document["verification_depth"] == "full":
        click.echo(f"  probed {stats['phase2_analyzed']} ({stats['phase2_cached']} unchanged since last probe), "
                   f"decoded {stats['phase2_decoded']}: corrupted {stats['phase2_corrupted']}, "
                   f"timeout {stats['phase2_timeout']}, left suspicious {stats['phase2_suspicious']}")
    for warning in document["warnings"]:
        click.echo(f"  warning: {warning}")
    for finding in document["findings"]:
        click.echo(f"  [{finding['category']}] {finding['path']!r} -> {finding['target']!r}: {finding['detail']}")
    if document.get("error_message"):
        click.echo(f"  error: {document['error_message']}")


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
    with app.extensions["linkdoctor.tasks"].exclusive():
        result = quarantine.confirm(scan_id, view["token"], None, force, get_config().media_path,
                                    settings.data_dir, settings.quarantine_dir)
    click.echo(f"Moved {result['removed']} link(s) into the quarantine; `linkdoctor restore {scan_id}` puts them back.",
               file=out)
    for item in result["skipped"]:
        click.echo(f"  kept {item['path']!r}: {item['reason']}", file=out)
    return result


def _cancel_on_sigterm(signum, frame):
    # `docker stop` and `kill` cancel the scan cleanly, like Ctrl-C.
    raise KeyboardInterrupt


def run_scan_command(app, paths: list[str], depth: str, mode: str, workers: int | None, as_json: bool,
                     yes: bool = False, force: bool = False) -> int:
    """Run one scan to its end and return the exit code."""
    signal.signal(signal.SIGTERM, _cancel_on_sigterm)
    with app.app_context():
        manager = app.extensions["linkdoctor.tasks"]
        try:
            scan_id = manager.start_scan(
                cli_paths(paths, get_config().media_path) or None, mode=mode, depth=depth,
                origin="cli", max_workers=workers, on_progress=_progress_printer(),
            )
        except LinkdoctorError as exc:
            click.echo(f"linkdoctor: {exc.message}", err=True)
            return EXIT_CANNOT_RUN
        cancelled = wait_for(manager, scan_id)
        if sys.stderr.isatty():
            click.echo("", err=True)
        removal = None
        if not cancelled and scans.get_scan(scan_id).status == AWAITING_CONFIRMATION:
            try:
                removal = _ask_and_remove(app, scan_id, yes, force, as_json)
            except LinkdoctorError as exc:
                click.echo(f"linkdoctor: {exc.message}", err=True)
                return EXIT_CANNOT_RUN
        document = scan_document(scan_id)
        document["removal"] = removal
    if as_json:
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        print_report(document)
    if document["status"] == CANCELLED:
        return EXIT_CANCELLED
    if document["status"] == ERROR:
        return EXIT_CANNOT_RUN
    return EXIT_PROBLEMS if document["findings"] else EXIT_OK
