"""`restore` and `quarantine list|purge`."""

import os
import sys

import click

from linkdoctor.cli import main
from linkdoctor.cli.common import EXIT_PROBLEMS, service_command


@main.command()
@click.argument("scan_id", type=int)
@click.argument("paths", nargs=-1)
@service_command(recover=True)
def restore(app, scan_id, paths):
    """Put back the links scan SCAN_ID moved into the quarantine (all, or only PATHS)."""
    from linkdoctor import quarantine

    settings = app.config["LINKDOCTOR_SETTINGS"]
    chosen = [os.path.abspath(p) for p in paths] or None
    result = quarantine.restore(scan_id, settings.data_dir, chosen)
    click.echo(f"restored {result['restored']} link(s) of scan {scan_id}")
    _rescan_restored(app, scan_id, result)
    for conflict in result["conflicts"]:
        click.echo(f"  not restored: {conflict['path']!r}: {conflict['reason']}", err=True)
    if result["conflicts"]:
        sys.exit(EXIT_PROBLEMS)


def _rescan_restored(app, scan_id: int, result: dict) -> None:
    """Restore has released the library lock: let Sonarr/Radarr rescan the items that came back."""
    from linkdoctor.arr.followup import after_restore, followup_view
    from linkdoctor.cli.services import print_followup, wait_for_followup

    started = after_restore(app.extensions["linkdoctor.jobs"], scan_id, result, origin="cli")
    if started.get("job_id"):
        wait_for_followup(app, started)
        print_followup(followup_view(scan_id))


@main.group("quarantine")
def quarantine_group():
    """Look at or purge the quarantine of removed links."""


@quarantine_group.command("list")
@click.argument("scan_id", type=int)
@service_command(recover=True)
def quarantine_list(app, scan_id):
    """The journal of the links scan SCAN_ID removed."""
    from linkdoctor import quarantine

    for entry in quarantine.entries_of(scan_id):
        click.echo(f"{entry['state']:<12} {entry['original_path']!r} -> {entry['quarantine_path']!r}")


@quarantine_group.command("purge")
@click.option("--older-than", "days", type=click.IntRange(0, 36500), default=None,
              help="Days (default: the quarantine_retention_days setting).")
@service_command(recover=True)
def quarantine_purge(app, days):
    """Delete quarantined links older than the retention."""
    from linkdoctor import quarantine
    from linkdoctor.config import get_config

    settings = app.config["LINKDOCTOR_SETTINGS"]
    days = get_config().quarantine_retention_days if days is None else days
    result = quarantine.purge(days, settings.data_dir, settings.quarantine_dir)
    click.echo(f"purged {result['purged']} quarantined link(s) older than {days} day(s)")


@quarantine_group.command("rebuild")
@service_command()
def quarantine_rebuild(app):
    """Make the quarantine's records again from its journal file (after a lost or replaced database)."""
    from linkdoctor import quarantine
    from linkdoctor.jobs.lock import library_lock

    settings = app.config["LINKDOCTOR_SETTINGS"]
    with library_lock(settings.data_dir):
        result = quarantine.rebuild(settings.quarantine_dir, settings.data_dir)
    recovered = result["recovered"]
    click.echo(f"rebuilt {result['rebuilt']} quarantine record(s) from the journal file; "
               f"{recovered['finished']} interrupted move(s) finished, {recovered['rolled_back']} rolled back")
