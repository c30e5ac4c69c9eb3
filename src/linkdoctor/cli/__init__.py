"""The command line: the same services as the web routes, with plain messages and exit codes.

One module per command group; each registers its commands on `main` (linkdoctor.cli.group).
"""

from linkdoctor.cli.group import main
from linkdoctor.cli import (  # noqa: E402,F401
    app_commands, auth, config, ignores, jobs, library, quarantine, repair, scan, schedules, services,
)

__all__ = ["main"]
