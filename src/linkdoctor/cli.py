"""The command line: the same services as the web routes, with plain messages and exit codes."""

import json
import os
import sys
import time

import click

from linkdoctor.errors import LinkdoctorError

EXIT_OK, EXIT_PROBLEMS, EXIT_CANNOT_RUN, EXIT_CANCELLED = 0, 1, 2, 130


class CliError(click.ClickException):
    """A plain message on stderr and exit code 2."""

    exit_code = EXIT_CANNOT_RUN

    def show(self, file=None):
        click.echo(f"linkdoctor: {self.message}", err=True)


def _app():
    from linkdoctor import create_app

    try:
        return create_app()
    except (OSError, ValueError) as exc:
        raise CliError(str(exc)) from exc


def _services(func):
    """Run a command inside an app context; the project's errors become plain messages."""

    def wrapper(*args, **kwargs):
        app = _app()
        with app.app_context():
            try:
                return func(app, *args, **kwargs)
            except LinkdoctorError as exc:
                raise CliError(exc.message) from exc

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main():
    """linkdoctor: find and fix broken symlinks in a media library."""


@main.command()
@click.option("--host", default=None, help="Address to listen on (default LINKDOCTOR_HOST or 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (default LINKDOCTOR_PORT or 8642).")
def serve(host, port):
    """Serve the web app with waitress (one process: the task manager lives in it)."""
    import waitress

    app = _app()
    settings = app.config["LINKDOCTOR_SETTINGS"]
    host, port = host or settings.host, port or settings.port
    click.echo(f"linkdoctor: serving http://{host}:{port}/ (media root {_media_root(app)})", err=True)
    waitress.serve(app, host=host, port=port, threads=8, ident="linkdoctor")


def _media_root(app) -> str:
    from linkdoctor.settings import get_config

    with app.app_context():
        return get_config().media_path


@main.command()
@click.option("--force", is_flag=True, help="Add the demo folders even if the media root is not empty.")
@_services
def demo(app, force):
    """Write a small demo library (healthy, broken, empty and corrupted links) into the media root."""
    from linkdoctor.demo import write_demo_library
    from linkdoctor.settings import get_config

    settings = app.config["LINKDOCTOR_SETTINGS"]
    created = write_demo_library(get_config().media_path, settings.data_dir / "demo-source", force=force)
    click.echo(f"linkdoctor: wrote {len(created)} demo links into {get_config().media_path}")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_services
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
        problems = stats["total_analyzed"] - stats["healthy"]
        click.echo(f"#{row['scan_id']:<4} {row['scan_date'][:19]}  {row['status']:<22} {row['mode']:<7} "
                   f"{row['verification_depth']:<5} {stats['total_analyzed']:>7} links  {problems:>5} problems")


@main.group()
def config():
    """Show or change the settings."""


@config.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_services
def config_show(app, as_json):
    """Show the settings (API keys masked)."""
    from linkdoctor.settings import config_to_dict, get_config

    data = config_to_dict(get_config())
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    for key, value in data.items():
        click.echo(f"{key:<26} {value}")


@config.command("set")
@click.argument("key")
@click.argument("value")
@_services
def config_set(app, key, value):
    """Change one setting, validated like the API."""
    from linkdoctor.settings import config_to_dict, update_config

    data = config_to_dict(update_config({key: value}, from_text=True))
    click.echo(f"{key} = {data[key]}")


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
    from linkdoctor.clirun import run_scan_command

    sys.exit(run_scan_command(_app(), list(paths), depth, mode, workers, as_json, yes, force))


@main.command()
@click.argument("scan_id", type=int)
@click.argument("paths", nargs=-1)
@_services
def restore(app, scan_id, paths):
    """Put back the links scan SCAN_ID moved into the quarantine (all, or only PATHS)."""
    from linkdoctor import quarantine

    manager, settings = app.extensions["linkdoctor.tasks"], app.config["LINKDOCTOR_SETTINGS"]
    chosen = [os.path.abspath(p) for p in paths] or None
    with manager.exclusive():
        result = quarantine.restore(scan_id, settings.data_dir, chosen)
    click.echo(f"restored {result['restored']} link(s) of scan {scan_id}")
    for conflict in result["conflicts"]:
        click.echo(f"  not restored: {conflict['path']!r}: {conflict['reason']}", err=True)
    if result["conflicts"]:
        sys.exit(EXIT_PROBLEMS)


@main.group("quarantine")
def quarantine_group():
    """Look at or purge the quarantine of removed links."""


@quarantine_group.command("list")
@click.argument("scan_id", type=int)
@_services
def quarantine_list(app, scan_id):
    """The journal of the links scan SCAN_ID removed."""
    from linkdoctor import quarantine

    for entry in quarantine.entries_of(scan_id):
        click.echo(f"{entry['state']:<12} {entry['original_path']!r} -> {entry['quarantine_path']!r}")


@quarantine_group.command("purge")
@click.option("--older-than", "days", type=click.IntRange(0), default=None,
              help="Days (default: the quarantine_retention_days setting).")
@_services
def quarantine_purge(app, days):
    """Delete quarantined links older than the retention."""
    from linkdoctor import quarantine
    from linkdoctor.settings import get_config

    manager, settings = app.extensions["linkdoctor.tasks"], app.config["LINKDOCTOR_SETTINGS"]
    days = get_config().quarantine_retention_days if days is None else days
    with manager.exclusive():
        result = quarantine.purge(days, settings.data_dir, settings.quarantine_dir)
    click.echo(f"purged {result['purged']} quarantined link(s) older than {days} day(s)")


def cli_paths(paths: list[str], media_root: str) -> list[str]:
    """Relative CLI paths are taken from the working folder, else from the media root."""
    resolved = []
    for path in paths:
        if not os.path.isabs(path) and os.path.lexists(path):
            path = os.path.abspath(path)
        resolved.append(path)
    return resolved


def progress_line(snapshot) -> str:
    counters = snapshot.counters
    eta = f", ETA {snapshot.eta:.0f}s" if snapshot.eta is not None else ""
    if snapshot.phase == "phase2":
        decoded = f", decoded {snapshot.decoded}/{snapshot.to_decode}" if snapshot.to_decode else ""
        return f"phase 2: probed {snapshot.probed}/{snapshot.to_probe}{decoded}{eta}"
    return f"phase 1: checked {counters['total_analyzed']}/{snapshot.discovered}{eta}"


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
