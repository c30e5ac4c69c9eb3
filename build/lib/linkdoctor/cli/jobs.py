"""`jobs`: the background jobs of every kind, as the API's /jobs lists them."""

import json

import click

from linkdoctor.cli import main
from linkdoctor.cli.common import service_command


@main.command("jobs")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--limit", type=click.IntRange(1, 200), default=20, show_default=True)
@service_command()
def jobs_command(app, as_json, limit):
    """List active and recent background jobs (scans, imports, checks, repairs, enrichments, notifications)."""
    from linkdoctor.jobs.status import recent_jobs

    data = recent_jobs(limit)
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    if not data["jobs"]:
        click.echo("No jobs yet.")
    for job in data["jobs"]:
        scan = f" scan #{job['scan_id']}" if job["scan_id"] else ""
        click.echo(f"#{job['job_id']:<4} {(job['created_at'] or '')[:19]}  {job['kind']:<7} {job['state']:<12} "
                   f"{job['progress']:>5.1f}%{scan}  {job['message']}")
