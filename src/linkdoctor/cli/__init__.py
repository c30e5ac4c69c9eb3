"""The command line: the same services as the web routes, with plain messages and exit codes.

One module per command group; each registers its commands on `main`.
"""

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main():
    """linkdoctor: find and fix broken symlinks in a media library."""


from linkdoctor.cli import app_commands, auth, config, ignores, jobs, library, quarantine, repair, scan, services  # noqa: E402,F401
