"""The command group every command module registers on, apart from the package (no import circle)."""

import click

from linkdoctor.version import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="linkdoctor", message="%(prog)s %(version)s")
def main():
    """linkdoctor: find and fix broken symlinks in a media library."""
