"""`serve` and `demo`."""

import dataclasses
import logging
import signal

import click

from linkdoctor.cli.group import main
from linkdoctor.cli.common import build_app, service_command

# What `serve` gives the jobs and their worker processes once it is told to stop: with waitress's
# 5 s for requests in progress, within the 10 s `docker stop` waits before SIGKILL.
STOP_JOBS_SECONDS = 3.0
STOP_WORKERS_SECONDS = 1.0


@main.command()
@click.option("--host", default=None, help="Address to listen on (default LINKDOCTOR_HOST or 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (default LINKDOCTOR_PORT or 8642).")
def serve(host, port):
    """Serve the web app with waitress (one process: the task manager lives in it)."""
    import waitress

    from linkdoctor import setup_token
    from linkdoctor.auth import is_loopback
    from linkdoctor.config import get_config
    from linkdoctor.schedules.unattended import start_unattended, stop_unattended
    from linkdoctor.workers.pool import SPARES, wait_for_killed

    app = build_app(recover=True, web=True)
    settings = app.config["LINKDOCTOR_SETTINGS"]
    host, port = host or settings.host, port or settings.port
    # Bound first: a port already in use (another linkdoctor, another app) is said plainly, before anything starts.
    # waitress would delete X-Forwarded-*/Forwarded before the app sees them (it trusts no proxy by
    # default), and a proxy on this machine would then look like a local browser. The app decides itself
    # whom to believe (LINKDOCTOR_TRUSTED_PROXIES); a forwarded request from anyone else is never local.
    try:
        server = waitress.create_server(app, host=host, port=port, threads=8, ident="linkdoctor",
                                        clear_untrusted_proxy_headers=False)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    app.extensions["linkdoctor.events"].start()  # delivers what a stopped process left undelivered, then listens
    start_unattended(app)  # schedules fire, and sources are watched, only here
    SPARES.prestart(SPARES.keep)  # the first scan (a webhook's: a few links) finds its workers started
    # The request checks read the bound address from the settings (allowed Host names, and
    # whether login is required by default): --host must reach them.
    app.config["LINKDOCTOR_SETTINGS"] = dataclasses.replace(settings, host=host, port=port)
    with app.app_context():
        media_root = get_config().media_path
        token = None if is_loopback(host) else setup_token.issue(app)
    if app.extensions.get("linkdoctor.database_reset"):
        click.echo(f"linkdoctor: WARNING: {app.extensions['linkdoctor.database_reset']}", err=True)
    click.echo(f"linkdoctor: serving http://{host}:{port}/ (media root {media_root})", err=True)
    if token is not None:
        # Listening beyond this machine with no password: no browser counts as local, so whoever
        # reads this log (`docker logs linkdoctor`) chooses the password through this link.
        click.echo(f"linkdoctor: no password is set: open {setup_token.setup_link(host, port, token)} to choose "
                   "it (works once; from another machine put this server's address instead of localhost)", err=True)
    logging.basicConfig()  # warnings to stderr (the container's log), as waitress.serve() did
    runner = app.extensions["linkdoctor.jobs"]

    def stop(signum, frame):
        # `docker stop` sends SIGTERM (then SIGKILL after 10 s): jobs are told at once, and
        # waitress leaves its loop on SystemExit, giving its request threads up to 5 s.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        runner.interrupt()
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.run()
    finally:
        stop_unattended(app)  # no schedule fires now; a run under way stops waiting
        runner.interrupt()
        still_running = runner.wait_stopped(STOP_JOBS_SECONDS)
        SPARES.close()
        stuck = wait_for_killed(STOP_WORKERS_SECONDS)
        if still_running or stuck:
            click.echo(f"linkdoctor: stopped; job(s) {still_running} did not end and {stuck} worker(s) stuck on "
                       "a mount were left: the next start marks them interrupted", err=True)
        else:
            click.echo("linkdoctor: stopped", err=True)


@main.command()
@click.option("--force", is_flag=True, help="Add the demo folders even if the media root is not empty.")
@service_command()
def demo(app, force):
    """Write a small demo library (healthy, broken, empty and corrupted links) into the media root."""
    from linkdoctor.config import get_config, update_config
    from linkdoctor.demo import write_demo_library

    settings = app.config["LINKDOCTOR_SETTINGS"]
    source = settings.data_dir / "demo-source"
    created = write_demo_library(get_config().media_path, source, force=force)
    click.echo(f"linkdoctor: wrote {len(created)} demo links into {get_config().media_path}")
    if not get_config().source_roots:  # so that repair has somewhere to look (never replaces the user's own)
        update_config({"source_roots": [str(source)]})
        click.echo(f"linkdoctor: source_roots set to the demo source {source}")
