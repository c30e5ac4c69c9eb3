"""The command line: the same services as the web routes, with plain messages and exit codes.

One module per command group; each registers its commands on `main`.
"""

import click

from linkdoctor import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="linkdoctor", message="%(prog)s %(version)s")
def main():
    """linkdoctor: find and fix broken symlinks in a media library."""


from linkdoctor.cli import app_commands, auth, config, ignores, jobs, library, quarantine, repair, scan, services  # noqa: E402,F401
