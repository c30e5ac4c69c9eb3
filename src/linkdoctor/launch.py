"""The `linkdoctor` program: the command line of linkdoctor.cli (loaded only here), quick to start and to end.

Loading the commands (Flask, SQLAlchemy, the services) takes a few tenths of a second; a worker process
takes a tenth of its own to start. Started first (as many as a scan of the machine's cores uses at first,
two at most), they boot on another core meanwhile, and the scan finds them waiting
(linkdoctor.workers.pool.SPARES): a 100,000-link scan is ~6% shorter than when the second boots during it;
a 10-link command pays ~30 ms more for the worker it did not need.
"""

import gc
import sys

COMMANDS_WITH_WORKERS = ("scan", "import", "check", "repair-links")


def run() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in COMMANDS_WITH_WORKERS:
        from linkdoctor.workers.pool import SPARES

        SPARES.prestart(SPARES.keep)
    from linkdoctor.cli import main

    try:
        main()
    finally:
        # Python's last garbage collection at exit walks every object the libraries made, 0.1-0.3 s
        # of a command's time here; frozen, they are left to the system, which frees the memory anyway
        # (finalizers reached by reference counting, such as files being closed, still run).
        gc.freeze()
