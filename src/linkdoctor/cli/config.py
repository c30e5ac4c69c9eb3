"""`config show` and `config set`."""

import json

import click

from linkdoctor.cli.group import main
from linkdoctor.cli.common import service_command
from linkdoctor.scanner.phase2 import DECODE_MODES


@main.group()
def config():
    """Show or change the settings."""


@config.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@service_command()
def config_show(app, as_json):
    """Show the settings (API keys masked)."""
    from linkdoctor.config import config_to_dict, get_config

    data = config_to_dict(get_config())
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    for key, value in data.items():
        click.echo(f"{key:<26} {value}")


@config.command("set", epilog=(
    f"phase2_decode takes one of: {', '.join(DECODE_MODES)} (README, \"What it checks\"). "
    "A list setting (source_roots, allowed_hosts, movie_folders, series_folders) takes a JSON list, "
    "'[\"/mnt/a\", \"/mnt/b\"]', or comma text, /mnt/a,/mnt/b."))
@click.argument("key")
@click.argument("value")
@service_command()
def config_set(app, key, value):
    """Change one setting, validated like the API."""
    from linkdoctor.config import config_to_dict, update_config

    data = config_to_dict(update_config({key: value}, from_text=True))
    shown = data[key]
    click.echo(f"{key} = {json.dumps(shown) if isinstance(shown, (list, dict)) else shown}")
