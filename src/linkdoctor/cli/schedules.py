"""`schedule list|add|remove|run-now` and `notify list|add|remove|test`: unattended scans and where to tell."""

import json
import threading

import click

from linkdoctor.cli.common import service_command
from linkdoctor.cli.group import main


@main.group("schedule")
def schedule_group():
    """Scans that `linkdoctor serve` runs by itself (cron or interval, the server's time zone)."""


@schedule_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the schedules as JSON.")
@service_command()
def schedule_list(app, as_json):
    """Every schedule with its next run."""
    from linkdoctor.schedules.service import all_schedules, schedule_to_dict
    from linkdoctor.schedules.timing import zone_name

    schedules = [schedule_to_dict(s) for s in all_schedules()]
    if as_json:
        click.echo(json.dumps({"schedules": schedules, "timezone": zone_name()}, indent=2))
        return
    if not schedules:
        click.echo("no schedule (add one with `linkdoctor schedule add`)")
    for s in schedules:
        when = f"cron {s['cron']}" if s["cron"] else f"every {s['interval_minutes']} min"
        mode = "real (unattended, at most %d removals)" % s["max_removals"] if s["mode"] == "real" else s["mode"]
        then = f", then {' + '.join(s['then'])}" if s["then"] else ""
        where = ", ".join(s["paths"]) or "the whole library"
        click.echo(f"#{s['id']:<4} {s['name']}: {when}, {s['depth']} {mode} scan of {where}{then}; "
                   f"next {s['next_run'] or 'never (disabled)'} ({s['timezone']})")


@schedule_group.command("add")
@click.argument("name")
@click.option("--cron", help='A cron expression "m h dom mon dow" in the server\'s time zone.')
@click.option("--every", "interval_minutes", type=int, help="Or: every N minutes.")
@click.option("--path", "paths", multiple=True, help="A folder of the library (repeat; default the whole library).")
@click.option("--depth", type=click.Choice(["basic", "full"]), default="basic", show_default=True)
@click.option("--mode", type=click.Choice(["dry-run", "real"]), default="dry-run", show_default=True)
@click.option("--allow-real", is_flag=True, help="Let this schedule remove links unattended (real mode needs it).")
@click.option("--max-removals", type=int, default=50, show_default=True,
              help="The most links one run removes (never over 10%% of the links it scanned).")
@click.option("--then", "then", multiple=True, type=click.Choice(["import", "check"]),
              help="A job to run after the scan (repeat).")
@service_command()
def schedule_add(app, name, cron, interval_minutes, paths, depth, mode, allow_real, max_removals, then):
    """Add a schedule; `linkdoctor serve` runs it."""
    from linkdoctor.schedules.service import create_schedule, schedule_to_dict

    schedule = create_schedule({"name": name, "cron": cron, "interval_minutes": interval_minutes,
                                "paths": list(paths), "depth": depth, "mode": mode, "allow_real": allow_real,
                                "max_removals": max_removals, "then": list(then)})
    shown = schedule_to_dict(schedule)
    click.echo(f"schedule #{schedule.id} {schedule.name!r} added; next run {shown['next_run']} ({shown['timezone']}), "
               "when `linkdoctor serve` runs")


@schedule_group.command("remove")
@click.argument("schedule_id", type=click.IntRange(min=1))
@service_command()
def schedule_remove(app, schedule_id):
    """Remove a schedule."""
    from linkdoctor.schedules.service import delete_schedule

    delete_schedule(schedule_id)
    click.echo(f"schedule #{schedule_id} removed")


@schedule_group.command("run-now")
@click.argument("schedule_id", type=click.IntRange(min=1))
@service_command(recover=True)
def schedule_run_now(app, schedule_id):
    """Run a schedule once here and now, as when it fires (waits for the library if another job holds it)."""
    from linkdoctor.schedules.runs import run_schedule
    from linkdoctor.schedules.service import get_schedule

    get_schedule(schedule_id)
    stop = threading.Event()
    try:
        outcome = run_schedule(app, schedule_id, stop)
    except KeyboardInterrupt:
        stop.set()
        raise click.exceptions.Exit(130)
    click.echo(f"schedule #{schedule_id}: {outcome}")


@main.group("notify")
def notify_group():
    """Where linkdoctor tells what it found and did (Apprise URLs: Discord, Telegram, ntfy, e-mail, ...)."""


@notify_group.command("list")
@service_command()
def notify_list(app):
    """Every target, its URL masked, with the events it wants."""
    from linkdoctor.notify.targets import all_targets, target_to_dict

    targets = [target_to_dict(t) for t in all_targets()]
    if not targets:
        click.echo("no notification target (add one with `linkdoctor notify add URL`)")
    for t in targets:
        failing = f"; last error: {t['last_error']}" if t["last_error"] else ""
        click.echo(f"#{t['id']:<4} {t['url']}  [{', '.join(t['events'])}]{failing}")


@notify_group.command("add")
@click.argument("url")
@click.option("--event", "events", multiple=True,
              type=click.Choice(["scan_problems", "links_quarantined", "held_back", "source_down",
                                 "followup_failed", "job_failed"]),
              help="An event to send (repeat; default all).")
@service_command()
def notify_add(app, url, events):
    """Add an Apprise URL as a target."""
    from linkdoctor.notify.targets import add_target, target_to_dict

    body = {"url": url, **({"events": list(events)} if events else {})}
    target = target_to_dict(add_target(body))
    click.echo(f"target #{target['id']} added: {target['url']}")


@notify_group.command("remove")
@click.argument("target_id", type=click.IntRange(min=1))
@service_command()
def notify_remove(app, target_id):
    from linkdoctor.notify.targets import delete_target

    delete_target(target_id)
    click.echo(f"target #{target_id} removed")


@notify_group.command("test")
@service_command()
def notify_test(app):
    """Send a test message to every target now; exit 1 when one failed."""
    from linkdoctor.notify.service import test_targets
    from linkdoctor.notify.targets import all_targets, masked_url

    urls = {t.id: masked_url(t.url) for t in all_targets()}
    results = test_targets()
    if not results:
        raise click.ClickException("no notification target to test (add one with `linkdoctor notify add URL`)")
    for result in results:
        click.echo(f"#{result['id']} {urls.get(result['id'], '')}: {'sent' if result['ok'] else 'FAILED: ' + result['message']}")
    if not all(result["ok"] for result in results):
        raise click.exceptions.Exit(1)
