"""`serve` and `demo`."""

import dataclasses

import click

from linkdoctor.cli.group import main
from linkdoctor.cli.common import build_app, service_command


@main.command()
@click.option("--host", default=None, help="Address to listen on (default LINKDOCTOR_HOST or 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (default LINKDOCTOR_PORT or 8642).")
def serve(host, port):
    """Serve the web app with waitress (one process: the task manager lives in it)."""
    import waitress

    from linkdoctor.config import get_config
    from linkdoctor.schedules.unattended import start_unattended

    app = build_app(recover=True)
    app.extensions["linkdoctor.events"].start()  # delivers what a stopped process left undelivered, then listens
    start_unattended(app)  # schedules fire, and sources are watched, only here
    settings = app.config["LINKDOCTOR_SETTINGS"]
    host, port = host or settings.host, port or settings.port
    # The request checks read the bound address from the settings (allowed Host names, and
    # whether login is required by default): --host must reach them.
    app.config["LINKDOCTOR_SETTINGS"] = dataclasses.replace(settings, host=host, port=port)
    with app.app_context():
        media_root = get_config().media_path
    click.echo(f"linkdoctor: serving http://{host}:{port}/ (media root {media_root})", err=True)
    waitress.serve(app, host=host, port=port, threads=8, ident="linkdoctor")


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
