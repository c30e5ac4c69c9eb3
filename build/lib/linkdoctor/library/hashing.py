"""The sampled hash of a media file: xxh3_64 over its first MiB, its last MiB and its size.

Runs inside scan worker processes (the `hash` task kind), so that a target on a
dead mount costs the worker's deadline, never a hang. At most 2 MiB are read per
file, whatever its size: fast on huge files and on network mounts.
"""

import errno
import os
import stat
from typing import NamedTuple

SAMPLE = 1 << 20  # one MiB at each end
MISSING_ERRNOS = {errno.ENOENT, errno.ENOTDIR, errno.ELOOP, errno.ENAMETOOLONG}


class TargetSample(NamedTuple):
    """What a worker learned of one item's target: its size, mtime, and hash (None when not read)."""

    size: int = 0
    mtime_ns: int = 0
    hash: str | None = None
    error: str | None = None  # why the target could not be read
    missing: bool = False  # the target does not exist (a broken link)


def sampled_hash_of_fd(fd: int, size: int) -> str:
    """xxh3_64 (hex) of the first MiB, the last MiB and the size, read from an open file."""
    import xxhash  # here, not at module level: workers that never hash start faster

    digest = xxhash.xxh3_64()
    head = os.pread(fd, min(size, SAMPLE), 0)
    digest.update(head)
    if size > SAMPLE:
        tail_start = max(SAMPLE, size - SAMPLE)  # never read a byte twice: at most 2 MiB in all
        digest.update(os.pread(fd, size - tail_start, tail_start))
    digest.update(size.to_bytes(8, "little"))
    return digest.hexdigest()


def sampled_hash(path: str) -> str:
    """The sampled hash of the file at `path` (links followed)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        return sampled_hash_of_fd(fd, os.fstat(fd).st_size)
    finally:
        os.close(fd)


def sample_target(path: str, known: tuple[int, int] | None = None, read: bool = True) -> TargetSample:
    """Stat `path` through its links; hash it unless `read` is false or (size, mtime_ns) equals `known`."""
    try:
        st = os.stat(path)
    except OSError as exc:
        return TargetSample(error=_reason(exc), missing=exc.errno in MISSING_ERRNOS)
    if not stat.S_ISREG(st.st_mode):
        return TargetSample(error="not a regular file")
    if not read or known == (st.st_size, st.st_mtime_ns):
        return TargetSample(st.st_size, st.st_mtime_ns)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        return TargetSample(st.st_size, st.st_mtime_ns, error=_reason(exc), missing=exc.errno in MISSING_ERRNOS)
    try:
        # Size and mtime from the open file: the hash and the identity describe the same version.
        st = os.fstat(fd)
        return TargetSample(st.st_size, st.st_mtime_ns, sampled_hash_of_fd(fd, st.st_size))
    except OSError as exc:
        return TargetSample(st.st_size, st.st_mtime_ns, error=_reason(exc))
    finally:
        os.close(fd)


def _reason(exc: OSError) -> str:
    return os.strerror(exc.errno) if exc.errno else str(exc)
