"""`services test|detect|notify`: Sonarr/Radarr connections, Docker detection, the follow-up of a cleanup."""

import json
import sys

import click

from linkdoctor.cli.group import main
from linkdoctor.cli.common import EXIT_OK, EXIT_PROBLEMS, service_command

# How long a command waits for a follow-up job it started before printing where it stands.
FOLLOWUP_WAIT_SECONDS = 900.0


def wait_for_followup(app, started: dict, limit: float = FOLLOWUP_WAIT_SECONDS) -> None:
    """Wait (bounded) for a follow-up job this process started."""
    for job_id in started.get("job_ids") or ([started["job_id"]] if started.get("job_id") else []):
        app.extensions["linkdoctor.jobs"].wait(job_id, limit)


def followup_of(app, result: dict) -> dict:
    """What the Sonarr/Radarr follow-up of a service's change answered; waits (bounded) for its job, which runs
    in this process's threads: the command must not end before it does (a cut one runs again at the next start)."""
    from linkdoctor.arr.followup import followup_answer
    from linkdoctor.media.refresh import media_refresh_answer

    event_id = result.pop("event_id", None)
    started = followup_answer(app.extensions["linkdoctor.events"], event_id)
    wait_for_followup(app, started)
    # The media servers' refresh runs in this process's threads too: waited for, bounded, the same way.
    wait_for_followup(app, media_refresh_answer(app.extensions["linkdoctor.events"], event_id))
    return started


def print_media_refresh(servers: list[dict], file=None) -> None:
    """Per media server: the folders refreshed, those skipped and why."""
    for server in servers:
        click.echo(f"{server['kind']} {server['name']!r}: {server['message']}", file=file)
        for folder in server["refreshed"]:
            click.echo(f"  refreshed {folder!r}", file=file)
        for folder in server["skipped"]:
            click.echo(f"  skipped {folder!r}: {server.get('skipped_reasons', {}).get(folder, '')}", file=file)


def print_followup(view: dict | None, file=None) -> None:
    """The follow-up in plain words: per link what matched and what was sent."""
    if view is None:
        click.echo("Sonarr/Radarr: no follow-up for this scan.", file=file)
        return
    click.echo(f"Sonarr/Radarr follow-up (job {view['job_id']}, {view['state']}): {view['message']}", file=file)
    for link in view["links"]:
        for match in link["matches"]:
            episodes = f" {', '.join(match['episodes'])}" if match["episodes"] else ""
            click.echo(f"  {link['path']!r}: {match['instance']} {match['item']}{episodes}; "
                       f"{'; '.join(match['commands']) or 'nothing sent'}; search: {match['search'] or '-'}", file=file)
    for path in view["unmatched"]:
        click.echo(f"  {path!r}: matched no series or movie", file=file)
    for error in view["errors"]:
        click.echo(f"  {error['instance']}: {error['message']}", file=file)


@main.group()
def services():
    """Sonarr/Radarr: test the connections, detect them through Docker, re-send a cleanup's follow-up."""


@services.command("test")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@service_command()
def services_test(app, as_json):
    """Call system/status on every enabled instance (kept for the Dashboard). Exit 0 only when every one answers."""
    from linkdoctor.arr.connections import run_connection_tests
    from linkdoctor.config import get_config

    result = run_connection_tests(get_config())
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    elif not result["services"]:
        click.echo("No Sonarr or Radarr instance is enabled.")
    for verdict in [] if as_json else result["services"]:
        click.echo(f"{'ok  ' if verdict['ok'] else 'FAIL'} {verdict['kind']} {verdict['name']!r} {verdict['url']}: "
                   f"{verdict['message']}")
    sys.exit(EXIT_OK if result["services"] and all(v["ok"] for v in result["services"]) else EXIT_PROBLEMS)


@services.command("detect")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@service_command()
def services_detect(app, as_json):
    """Find Sonarr/Radarr containers through Docker and verify them (keys shown masked); nothing is saved.

    `services apply CONTAINER` saves one."""
    from linkdoctor.arr.detect import detect_services
    from linkdoctor.clients.docker import DockerError

    try:
        result = detect_services()
    except DockerError as exc:
        click.echo(f"linkdoctor: {exc.message}", err=True)
        sys.exit(EXIT_PROBLEMS)
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        click.echo(result["message"])
        for s in result["services"]:
            where = f"{s['host']}:{s['port']}" + (f"/{s['url_base']}" if s["url_base"] else "") if s["host"] else "-"
            click.echo(f"  {'verified' if s['verified'] else 'not verified'} {s['kind']} {s['container']} "
                       f"({s['image']}) {where}: {s['message']}")
    sys.exit(EXIT_OK if result["services"] else EXIT_PROBLEMS)


@services.command("apply")
@click.argument("container")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@service_command()
def services_apply(app, container, as_json):
    """Save the settings `services detect` found for CONTAINER (its name or id), its API key read from it."""
    from linkdoctor.arr.detect import apply_suggestion
    from linkdoctor.clients.docker import DockerError

    try:
        applied = apply_suggestion(container)
    except DockerError as exc:
        click.echo(f"linkdoctor: {exc.message}", err=True)
        sys.exit(EXIT_PROBLEMS)
    if as_json:
        click.echo(json.dumps(applied, indent=2, ensure_ascii=False))
    else:
        click.echo(f"{applied['message']} ({'verified' if applied['verified'] else 'not verified'})")
    sys.exit(EXIT_OK)


@services.command("notify")
@click.argument("scan_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@service_command(recover=True)
def services_notify(app, scan_id, as_json):
    """Send the follow-up of scan SCAN_ID's removals to Sonarr/Radarr again, and wait for it."""
    from linkdoctor.arr.followup import followup_view, retry_followup

    job_id = retry_followup(app.extensions["linkdoctor.jobs"], scan_id, origin="cli")
    wait_for_followup(app, {"job_id": job_id})
    view = followup_view(scan_id)
    if as_json:
        click.echo(json.dumps({"scan_id": scan_id, "services": view}, indent=2, ensure_ascii=False))
    else:
        print_followup(view)
    sys.exit(EXIT_OK if view and view["state"] == "completed" and view["ok"] else EXIT_PROBLEMS)
