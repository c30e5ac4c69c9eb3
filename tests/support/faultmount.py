"""Start/stop the fault-injecting FUSE filesystem (faultfs.py) from tests, never hanging.

Gotcha for users: a process blocked on a ``hang`` rule sits in uninterruptible sleep
inside the kernel; even SIGKILL does not free it until the filesystem process dies.
So probe hanging paths only from child processes, and call ``stop()`` to release them.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

FAULTFS_SCRIPT = Path(__file__).with_name("faultfs.py")
MOUNT_TIMEOUT_S = 10.0
COMMAND_TIMEOUT_S = 5.0


def fuse_available() -> tuple[bool, str]:
    """Return (True, "") if FUSE mounts can be attempted here, else (False, reason)."""
    if not os.path.exists("/dev/fuse"):
        return False, "/dev/fuse does not exist"
    try:
        os.close(os.open("/dev/fuse", os.O_RDWR))
    except OSError as exc:
        return False, f"cannot open /dev/fuse: {exc}"
    if not (shutil.which("fusermount3") or shutil.which("fusermount")):
        return False, "neither fusermount3 nor fusermount is on PATH"
    try:
        import mfusepy  # noqa: F401  (raises OSError when libfuse itself is missing)
    except (ImportError, OSError) as exc:
        return False, f"mfusepy unusable: {exc}"
    return True, ""


def mounted_paths() -> set[str]:
    """Mount points currently listed in /proc/self/mountinfo (octal escapes decoded)."""
    # Reading mountinfo never touches the mounted filesystems, so it cannot hang.
    with open("/proc/self/mountinfo", encoding="utf-8", errors="surrogateescape") as f:
        fields = [line.split(" ")[4] for line in f if line.strip()]
    return {re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), p) for p in fields}


def _run_bounded(cmd: list[str], timeout: float = COMMAND_TIMEOUT_S) -> int | None:
    """Run cmd, returning its exit code, or None if it had to be killed after timeout."""
    # Not subprocess.run: after a timeout it kill()s and then waits without a bound,
    # which hangs forever if the command is stuck in the kernel on a dead FUSE mount.
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        return None
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        return None


class FaultyMount:
    """A faultfs mount of backing_dir at mountpoint, run in its own process session."""

    def __init__(self, backing_dir, mountpoint, rules=(), latency_ms=0):
        self.backing_dir = Path(backing_dir)
        self.mountpoint = Path(mountpoint)
        self.config = {"latency_ms": latency_ms, "rules": list(rules)}
        self._proc: subprocess.Popen | None = None
        self._log = None

    @property
    def _mount_key(self) -> str:
        # mountinfo lists the resolved path; resolve the parent only, as resolving the
        # mountpoint itself would stat into the (possibly hanging) mount.
        return str(self.mountpoint.parent.resolve() / self.mountpoint.name)

    def is_mounted(self) -> bool:
        """Whether the mountpoint currently appears in /proc/self/mountinfo."""
        return self._mount_key in mounted_paths()

    def start(self) -> Path:
        """Spawn the filesystem and wait until it is mounted; return the mountpoint."""
        self.mountpoint.mkdir(parents=True, exist_ok=True)
        if self.is_mounted():
            raise RuntimeError(f"{self.mountpoint} is already a mount point")
        # A file, not a pipe: nobody drains a pipe while tests run, and a full pipe
        # would block the filesystem's logging and look exactly like a hang.
        self._log = tempfile.TemporaryFile()
        self._proc = subprocess.Popen(
            [sys.executable, str(FAULTFS_SCRIPT), str(self.backing_dir), str(self.mountpoint),
             json.dumps(self.config)],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + MOUNT_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.is_mounted():
                return self.mountpoint
            if self._proc.poll() is not None:
                break
            time.sleep(0.05)
        status = self._proc.poll()
        output = self.output()
        self.stop()
        why = (f"exited with {status}" if status is not None
               else f"not mounted after {MOUNT_TIMEOUT_S}s")
        raise RuntimeError(f"faultfs at {self.mountpoint} {why}; its output:\n{output}")

    def held(self) -> int:
        """How many requests a `hang` rule holds unanswered so far: their callers are blocked in the kernel."""
        from tests.support.faultfs import HELD

        return self.output().count(HELD)

    def output(self) -> str:
        """Everything the filesystem process has written to stdout/stderr so far."""
        if self._log is None:
            return ""
        # pread, not seek and read: the file's offset is shared with the filesystem process writing to it.
        fd = self._log.fileno()
        return os.pread(fd, os.fstat(fd).st_size, 0).decode(errors="replace")

    def stop(self) -> None:
        """Kill the filesystem and lazily unmount; bounded in time even with hung requests."""
        if self._proc is not None:
            # Killing the daemon closes /dev/fuse, which aborts the connection: every
            # pending (hung) request then fails with ENOTCONN and its caller is freed.
            if self._proc.poll() is None:  # once reaped, its pid may belong to someone else
                try:
                    os.killpg(self._proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            try:
                self._proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass  # stuck in the kernel; do not wait for it, unmounting still works
            self._proc = None
        for cmd in (["fusermount3", "-u", "-z"], ["fusermount", "-u", "-z"], ["umount", "-l"]):
            if not self.is_mounted():
                break
            if shutil.which(cmd[0]):
                _run_bounded(cmd + [self._mount_key])
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Path:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


class MountFactory:
    """faulty_mount(backing, rules=[...], latency_ms=0) -> mountpoint Path; faulty_mount.held() -> int."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.mounts: list[FaultyMount] = []

    def __call__(self, backing, rules=(), latency_ms=0) -> Path:
        mount = FaultyMount(backing, self.folder / f"faultfs-mnt{len(self.mounts)}", rules, latency_ms)
        self.mounts.append(mount)
        return mount.start()

    def held(self) -> int:
        """Requests held unanswered by the test's mounts: wait on it to know a caller is blocked on one."""
        return sum(mount.held() for mount in self.mounts)

    def stop(self) -> None:
        for mount in reversed(self.mounts):
            mount.stop()


@pytest.fixture
def faulty_mount(tmp_path):
    """Factory fixture: faulty_mount(backing, rules=[...], latency_ms=0) -> mountpoint Path (see MountFactory)."""
    available, reason = fuse_available()
    if not available:
        pytest.skip(f"FUSE not available: {reason}")
    factory = MountFactory(tmp_path)
    yield factory
    factory.stop()


def hanging_links(library, faulty_mount, count: int = 4) -> tuple:
    """`count` links Films/F<i>/f<i>.mkv into a FUSE mount where every lookup of dead/* hangs forever,
    as links into a dead network mount; returns (mount point, links)."""
    backing = library.source / "backing"
    (backing / "dead").mkdir(parents=True)
    for i in range(count):
        (backing / "dead" / f"f{i}.mkv").write_bytes(b"x" * 4096)
    mount = faulty_mount(backing, rules=[{"glob": "dead/*", "op": "getattr", "action": "hang"}])
    links = [library.link(f"Films/F{i}/f{i}.mkv", mount / "dead" / f"f{i}.mkv") for i in range(count)]
    return mount, links
