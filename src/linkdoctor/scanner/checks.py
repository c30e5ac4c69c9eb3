"""Phase-1 checks of one link, and the listing of one folder.

Stdlib only: these run inside worker processes that must start fast and may be
killed at any moment (a target on a dead mount can block any syscall forever).
"""

import errno
import os
import stat
from typing import NamedTuple

OK, BROKEN, INACCESSIBLE, SMALL, IO_ERROR, TIMEOUT, CORRUPTED = (
    "ok", "broken", "inaccessible", "small", "io_error", "timeout", "corrupted",
)
PHASE1_CATEGORIES = (OK, BROKEN, INACCESSIBLE, SMALL, IO_ERROR, TIMEOUT)
PROBLEM_CATEGORIES = (BROKEN, INACCESSIBLE, SMALL, IO_ERROR, TIMEOUT, CORRUPTED)

_MISSING = {errno.ENOENT, errno.ENOTDIR, errno.ENAMETOOLONG}
_DENIED = {errno.EACCES, errno.EPERM}
READ_PROBE_BYTES = 1024
LISTING_IN_MEMORY = 20_000  # entries of one kind a listing holds; beyond, they go to a file (ListingWriter)


# NamedTuples rather than dataclasses: they cross the worker pipe by the hundred
# thousand, and unpickle several times faster.
class LinkCheck(NamedTuple):
    """The phase-1 verdict of one link (or regular file)."""

    category: str
    detail: str
    target: str
    # (device, inode, size, mtime_ns) of the final target: identifies an unchanged file.
    identity: tuple[int, int, int, int] | None = None
    is_file: bool = False


class FolderListing(NamedTuple):
    """What one folder holds: sub-folders to walk, links to check, regular files."""

    subdirs: list[str]
    links: list[tuple[str, str | None]]  # (link path, absolute target or None if unreadable)
    files: list[str]
    error: str | None = None
    spilled: str | None = None  # a file of further "subdirs" blocks (ListingWriter), the caller's to read and remove


def absolute_target(link_path: str, raw_target: str) -> str:
    """The link's target as an absolute path, relative ones taken from the link's own folder."""
    return absolute_target_in(os.path.dirname(link_path), raw_target)


def absolute_target_in(folder: str, raw_target: str) -> str:
    """A target read from a link in `folder`, as an absolute path. The usual target (absolute, no `.`
    or `..` part, no doubled or trailing slash) is already what normpath would return: taken as it is,
    as this runs once per link of a scan."""
    if raw_target[:1] == "/" and "/." not in raw_target and "//" not in raw_target and raw_target[-1:] != "/":
        return raw_target
    return os.path.normpath(os.path.join(folder, raw_target))


def _error_verdict(exc: OSError, target: str, what: str) -> LinkCheck:
    code = exc.errno
    reason = os.strerror(code) if code else str(exc)
    if code == errno.ELOOP:
        return LinkCheck(BROKEN, "symlink loop: the chain of links never reaches a file", target)
    if code in _MISSING:
        return LinkCheck(BROKEN, f"target missing ({reason})", target)
    if code in _DENIED:
        return LinkCheck(INACCESSIBLE, f"{what}: permission denied ({reason})", target)
    return LinkCheck(IO_ERROR, f"{what}: {reason}", target)


# O_NONBLOCK: a link to a FIFO must not wait for a writer; O_NOCTTY: nor adopt a terminal.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)
_S_IFMT, _S_IFREG, _S_IFDIR = 0o170000, stat.S_IFREG, stat.S_IFDIR
_open, _fstat, _pread, _lseek, _close = os.open, os.fstat, os.pread, os.lseek, os.close  # bound once: called per link
_SEEK_END = os.SEEK_END
_NOT_A_FILE = {errno.EISDIR, errno.ESPIPE, errno.EINVAL}  # a directory, a pipe, a device: fstat says which


def judge_target(name: str, target: str, small_threshold: int, dir_fd: int | None = None,
                 quick: bool = False) -> LinkCheck | None:
    """Open the target through the link `name` (chains followed), fstat it and read its first KiB.

    One open answers "missing", "loop", "refused" and "where is it" at once, where a stat
    first would walk the path (and on a FUSE mount ask the daemon) twice. A real open and
    read, never os.access(): root passes access() checks that FUSE or NFS may still refuse.
    (Written for speed: it runs once per link of a scan, a regular file being the usual case.)
    `quick`: None for a healthy file, whose verdict a phase-1-only scan merely counts.
    """
    try:
        fd = _open(name, _OPEN_FLAGS, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a socket: there is nothing to open or read
            return LinkCheck(OK, "special file, not read", target)
        return _error_verdict(exc, target, "opening the target")
    try:
        if quick:
            # A file of at least the threshold whose first KiB reads, found with lseek and pread: in Python an
            # fstat costs more than both (it builds a 20-field result), and the count needs no identity. Not
            # certain (a small file, a directory, a pipe): the full check below decides. A failed read is
            # never tried again.
            try:
                if _lseek(fd, 0, _SEEK_END) >= small_threshold:
                    _pread(fd, READ_PROBE_BYTES, 0)
                    return None  # a device that seeks and reads is healthy too, as the full check says
            except OSError as exc:
                if exc.errno not in _NOT_A_FILE:
                    return _error_verdict(exc, target, "reading the target")
        st = _fstat(fd)
        kind = st.st_mode & _S_IFMT
        if kind != _S_IFREG:
            return LinkCheck(OK, "directory" if kind == _S_IFDIR else "special file, not read", target)
        try:
            _pread(fd, READ_PROBE_BYTES, 0)
        except OSError as exc:
            return _error_verdict(exc, target, "reading the target")
    except OSError as exc:
        return _error_verdict(exc, target, "reaching the target")
    finally:
        _close(fd)
    size = st.st_size
    identity = (st.st_dev, st.st_ino, size, st.st_mtime_ns)
    if size < small_threshold:
        return LinkCheck(SMALL, f"{size} bytes, below {small_threshold}", target, identity, True)
    return LinkCheck(OK, "", target, identity, True)


def read_target(name: str, path: str, dir_fd: int | None = None, folder: str | None = None) -> str | LinkCheck | None:
    """The absolute target of the link `name` (at `path`, in `folder` when the caller knows it); `path`
    for a regular file; None when it vanished; a LinkCheck when the link itself cannot be read."""
    try:
        raw = os.readlink(name, dir_fd=dir_fd)
    except OSError as exc:
        return unreadable_link(exc, path)
    return absolute_target_in(os.path.dirname(path) if folder is None else folder, raw)


def unreadable_link(exc: OSError, path: str) -> str | LinkCheck | None:
    """What a readlink of `path` that failed with `exc` means (see read_target)."""
    if isinstance(exc, FileNotFoundError):
        return None
    if exc.errno == errno.EINVAL:  # a regular file, analysed as itself
        return path
    return _error_verdict(exc, path, "reading the link")


def check_link(path: str, small_threshold: int) -> LinkCheck | None:
    """Classify one symlink (or regular file); None when it vanished during the scan."""
    target = read_target(path, path)
    if target is None or isinstance(target, LinkCheck):
        return target
    return judge_target(path, target, small_threshold)


def target_or_none(path: str) -> str | None:
    """The link's absolute target, or None when it cannot be read."""
    try:
        return absolute_target(path, os.readlink(path))
    except OSError:
        return None


class ListingWriter:
    """A big folder's listing beyond what a task keeps, written to a file as it is read: (kind, list) records,
    "names" (link names, in shares) and "subdirs" (folder paths, in blocks). No process then holds a folder of a
    million entries at once: the caller reads the file back one record at a time (buffers.ListingPieces)."""

    def __init__(self, spill_dir: str):
        self.spill_dir = spill_dir
        self.handle = None
        self.path: str | None = None
        self.names = 0  # link names written

    def write(self, kind: str, items: list[str]) -> None:
        import pickle  # only for a big folder: a worker starts with what phase 1 needs

        if self.handle is None:
            import tempfile

            fd, self.path = tempfile.mkstemp(suffix=".listing", dir=self.spill_dir)
            self.handle = os.fdopen(fd, "wb")
        pickle.dump((kind, items), self.handle, protocol=pickle.HIGHEST_PROTOCOL)
        if kind == "names":
            self.names += len(items)

    def close(self) -> str | None:
        if self.handle is not None:
            self.handle.close()
        return self.path


def list_folder(path: str, include_files: bool, spill_dir: str | None = None,
                keep: int = LISTING_IN_MEMORY) -> FolderListing:
    """List one folder without following links to folders (no loops, no double counting). With `spill_dir`,
    past `keep` sub-folders they go to a file there in blocks as they are read (`spilled`)."""
    subdirs, links, files, error = [], [], [], None
    pieces = ListingWriter(spill_dir) if spill_dir else None
    try:
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.is_symlink():
                    links.append((entry.path, target_or_none(entry.path)))
                elif entry.is_dir(follow_symlinks=False):
                    subdirs.append(entry.path)
                    if pieces is not None and len(subdirs) >= keep:
                        pieces.write("subdirs", subdirs)
                        subdirs = []
                elif include_files and entry.is_file(follow_symlinks=False):
                    files.append(entry.path)
    except OSError as exc:
        error = os.strerror(exc.errno or 0)
    return FolderListing(subdirs, links, files, error, pieces.close() if pieces is not None else None)


def index_folder(path: str, known_mtime_ns: int | None):
    """(mtime_ns, subdirs, files as (path, size, mtime_ns), error) of a source folder for the source index.

    When the folder's mtime is `known_mtime_ns`, nothing in it was added, removed or
    renamed: subdirs and files are None and the caller keeps what it knew.
    """
    try:
        mtime_ns = os.stat(path).st_mtime_ns
    except OSError as exc:
        return None, None, None, os.strerror(exc.errno or 0)
    if mtime_ns == known_mtime_ns:
        return mtime_ns, None, None, None
    subdirs, files = [], []
    try:
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    subdirs.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    stat = entry.stat(follow_symlinks=False)
                    files.append((entry.path, stat.st_size, stat.st_mtime_ns))
    except OSError as exc:
        return mtime_ns, None, None, os.strerror(exc.errno or 0)
    return mtime_ns, subdirs, files, None
