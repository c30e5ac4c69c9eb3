"""The library lock: one job (scan, import, repair, confirm, restore...) at a time per data folder.

An exclusive flock on <data>/scan.lock. flock locks belong to an open file
description, so the lock excludes other threads of this process as well as other
processes: the web server and the CLI share it.
"""

import contextlib
import fcntl
import os
import time
from pathlib import Path

from linkdoctor.errors import ScanAlreadyRunningError

LOCK_NAME = "scan.lock"
SIDE_LOCK_NAME = "followup.lock"  # the side jobs' own lock (Sonarr/Radarr follow-ups), one at a time
# A job that has just reported its end may still be tidying up (rotating scans,
# releasing the lock): a caller arriving in that moment waits this long instead of failing.
FINISHING_SECONDS = 3.0


class LibraryLock:
    """An exclusive, non-blocking lock file in the data folder."""

    def __init__(self, data_dir: Path, name: str = LOCK_NAME):
        self.path = Path(data_dir) / name
        self.fd: int | None = None

    def acquire(self, wait: float = 0.0) -> bool:
        """Take the lock, trying for up to `wait` seconds; False when someone else holds it."""
        deadline = time.monotonic() + wait
        while True:
            if self._try():
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)

    def _try(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self.fd = fd
        return True

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing the descriptor drops the flock
            self.fd = None

    @property
    def held(self) -> bool:
        return self.fd is not None


def busy_error(where: str = ""):
    """The 409 a caller gets while the library is locked, naming the running scan or job when there is one."""
    from linkdoctor.jobs.status import get_job, running_job_id, running_scan_id

    scan_id, job_id = running_scan_id(), running_job_id()
    if scan_id is not None:
        what = f"a scan is already running{where}"
    elif job_id is not None:
        what = f"a {get_job(job_id).kind} job is already running{where}"
    else:
        what = f"a scan or another change to the library is running{where}; try again when it ends"
    return ScanAlreadyRunningError(what, scan_id=scan_id, job_id=job_id)


@contextlib.contextmanager
def library_lock(data_dir: Path, wait: float = FINISHING_SECONDS):
    """Hold the library lock for a short change (confirm, restore, purge); 409 when it is taken."""
    lock = LibraryLock(data_dir)
    if not lock.acquire(wait):
        raise busy_error()
    try:
        yield lock
    finally:
        lock.release()
