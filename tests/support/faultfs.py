"""Read-only passthrough FUSE filesystem that injects faults, for tests and benchmarks.

Usage: python faultfs.py BACKING_DIR MOUNTPOINT RULES_JSON

RULES_JSON is a JSON object (given literally, or as the path of a file holding it):

    {"latency_ms": 0,
     "rules": [{"glob": "dead/*", "op": "getattr", "action": "hang"}]}

* ``glob`` is matched with fnmatch against the path relative to the mount root
  (``dead/a.mkv``; the root itself is ``""``). fnmatch's ``*`` also matches ``/``.
* ``op`` is one of OPS or ``any``; the first matching rule wins.
* ``action`` is ``eio``/``eacces`` (the op fails with that errno) or ``hang``
  (the request never gets an answer until this process dies).
* ``min_offset`` (reads only) makes the rule apply to reads starting at or past that byte:
  a file whose start reads fine and whose end fails, like a debrid file cut mid-transfer.
  ``max_offset`` (reads only) ends that range before the end: a bad stretch in the middle.
* ``latency_ms`` is slept at the start of every operation.

Runs in the foreground and multithreaded, so a hanging request does not block others.
"""

import errno
import fnmatch
import json
import os
import sys
import threading
import time

import mfusepy as fuse

OPS = ("getattr", "readlink", "readdir", "open", "read", "release", "statfs", "access")
ACTIONS = {"eio": errno.EIO, "eacces": errno.EACCES, "hang": None}
HELD = "faultfs: holding"  # printed (to stdout) for each request a hang rule holds

# Kernel-side caching would let repeated stats/lookups bypass the filesystem, which
# would hide injected faults and latency; every request must reach us.
NO_CACHE_OPTIONS = {"entry_timeout": 0, "attr_timeout": 0, "negative_timeout": 0}


def load_config(arg: str) -> dict:
    """Parse and validate RULES_JSON (literal JSON text or a path to a JSON file)."""
    text = arg if arg.lstrip().startswith("{") else open(arg, encoding="utf-8").read()
    config = json.loads(text)
    for rule in config.get("rules", []):
        if rule.get("op") not in OPS + ("any",):
            raise ValueError(f"unknown op in rule {rule!r}; expected one of {OPS + ('any',)}")
        if rule.get("action") not in ACTIONS:
            raise ValueError(f"unknown action in rule {rule!r}; expected one of {tuple(ACTIONS)}")
        if not isinstance(rule.get("glob"), str):
            raise ValueError(f"rule {rule!r} needs a string 'glob'")
    return config


class FaultFS(fuse.Operations):
    """Passthrough of a backing directory with per-path/per-op fault injection."""

    use_ns = True  # timestamps are passed as integer nanoseconds

    def __init__(self, backing: str, config: dict):
        self.backing = os.path.realpath(backing)
        self.rules = config.get("rules", [])
        self.latency = config.get("latency_ms", 0) / 1000.0

    def _enter(self, op: str, path: str, offset: int = 0) -> str:
        """Apply latency and the first matching rule, then return the backing path."""
        if self.latency:
            time.sleep(self.latency)
        rel = path.lstrip("/")
        for rule in self.rules:
            if not rule.get("min_offset", 0) <= offset < rule.get("max_offset", float("inf")):
                continue
            if rule["op"] in (op, "any") and fnmatch.fnmatchcase(rel, rule["glob"]):
                code = ACTIONS[rule["action"]]
                if code is None:
                    # Never answer: the kernel request stays pending until the process dies,
                    # like a request to a dead network mount. The line tells the tests that a
                    # caller is now blocked here (FaultyMount.held()).
                    print(f"{HELD} {op} {rel}", flush=True)
                    threading.Event().wait()
                raise fuse.FuseOSError(code)
        return os.path.join(self.backing, rel)

    def getattr(self, path, fh=None):
        st = os.lstat(self._enter("getattr", path))
        attrs = {key: getattr(st, key) for key in (
            "st_mode", "st_ino", "st_nlink", "st_uid", "st_gid", "st_size", "st_blocks")}
        attrs.update(st_atime=st.st_atime_ns, st_mtime=st.st_mtime_ns, st_ctime=st.st_ctime_ns)
        return attrs

    def readlink(self, path):
        return os.readlink(self._enter("readlink", path))

    def readdir(self, path, fh):
        real = self._enter("readdir", path)
        entries = [(".", os.lstat(real)), ("..", os.lstat(os.path.join(real, "..")))]
        with os.scandir(real) as it:
            entries += [(e.name, e.stat(follow_symlinks=False)) for e in it]
        # With use_ino, bare names would reach the kernel with inode 0, and readdir(3)
        # silently drops such entries; so pass each entry's real inode and type.
        return [(name, {"st_mode": st.st_mode, "st_ino": st.st_ino}, 0) for name, st in entries]

    def open(self, path, flags):
        real = self._enter("open", path)
        if flags & os.O_ACCMODE != os.O_RDONLY:
            raise fuse.FuseOSError(errno.EROFS)
        return os.open(real, os.O_RDONLY)

    def read(self, path, size, offset, fh):
        # path may be None for an already-open file; fall back to "" for rule matching.
        self._enter("read", path or "", offset)
        return os.pread(fh, size, offset)

    def release(self, path, fh):
        os.close(fh)  # first, so a failing or hanging release cannot leak the backing fd
        self._enter("release", path or "")
        return 0

    def statfs(self, path):
        sv = os.statvfs(self._enter("statfs", path))
        return {key: getattr(sv, key) for key in (
            "f_bsize", "f_frsize", "f_blocks", "f_bfree", "f_bavail",
            "f_files", "f_ffree", "f_favail", "f_flag", "f_namemax")}

    def access(self, path, amode):
        self._enter("access", path)
        return 0


def main(argv: list[str]) -> int:
    """Mount BACKING_DIR at MOUNTPOINT and serve requests until killed or unmounted."""
    if len(argv) != 4:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    backing, mountpoint, rules_arg = argv[1:]
    try:
        config = load_config(rules_arg)
    except (OSError, ValueError) as exc:
        print(f"faultfs: bad RULES_JSON: {exc}", file=sys.stderr)
        return 2
    # No default_permissions: the kernel then skips its own mode checks, so an EACCES
    # from a rule reaches every caller, root included.
    fuse.FUSE(FaultFS(backing, config), mountpoint, foreground=True, nothreads=False,
              ro=True, fsname="faultfs", subtype="faultfs", use_ino=True, **NO_CACHE_OPTIONS)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
