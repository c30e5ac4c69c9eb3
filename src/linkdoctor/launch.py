"""The `linkdoctor` program: the command line of linkdoctor.cli (loaded only here), quick to start and to end.

Loading the commands (Flask, SQLAlchemy, the services) takes a few tenths of a second; a scan's first
worker process takes a tenth of its own to start. Started first, it boots on another core meanwhile,
and the scan finds it waiting (linkdoctor.workers.pool.SPARES).
"""

import gc
import sys

COMMANDS_WITH_WORKERS = ("scan", "import", "check", "repair-links")


def run() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in COMMANDS_WITH_WORKERS:
        from linkdoctor.workers.pool import SPARES

        SPARES.prestart(1)
    from linkdoctor.cli import main

    try:
        main()
    finally:
        # Python's last garbage collection at exit walks every object the libraries made, 0.1-0.3 s
        # of a command's time here; frozen, they are left to the system, which frees the memory anyway
        # (finalizers reached by reference counting, such as files being closed, still run).
        gc.freeze()
