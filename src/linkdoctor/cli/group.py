"""The command group every command module registers on, apart from the package (no import circle)."""

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main():
    """linkdoctor: find and fix broken symlinks in a media library."""
