"""`auth api-key`, `auth regenerate-api-key` and `auth set-password`."""

import sys

import click

from linkdoctor.cli import main
from linkdoctor.cli.common import CliError, service_command


@main.group()
def auth():
    """The API key and the login password."""


@auth.command("api-key")
@service_command()
def auth_api_key(app):
    """Print the API key (send it as X-Api-Key or ?apikey=)."""
    from linkdoctor.auth import credentials

    click.echo(credentials().api_key)


@auth.command("regenerate-api-key")
@service_command()
def auth_regenerate_api_key(app):
    """Make a new API key and print it; the old one stops working."""
    from linkdoctor.auth import regenerate_api_key

    click.echo(regenerate_api_key())


@auth.command("set-password")
@service_command()
def auth_set_password(app):
    """Set the login password: asked twice on a terminal, else read from the first line of stdin."""
    from linkdoctor.auth import set_password

    if sys.stdin.isatty():
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CliError("no password on stdin")
    set_password(password)
    click.echo("linkdoctor: password set; logged-in browsers must log in again")
