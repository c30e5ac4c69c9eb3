"""Tests of the faultfs FUSE filesystem and its faulty_mount fixture.

Every filesystem syscall runs in a child process: a thread blocked in a FUSE request
cannot be freed, so the pytest process itself must never touch a mount that may hang.
"""

import json
import subprocess
import sys
import time

import pytest

from tests.support.faultmount import FaultyMount, fuse_available

# Runs one syscall-level operation and prints its result, or the errno it failed with.
PROBE = r"""
import errno, json, os, sys, time
op, path = sys.argv[1], sys.argv[2]

def run():
    if op == "read":
        with open(path, "rb") as f:
            return f.read().decode()
    if op == "open":
        os.close(os.open(path, os.O_RDONLY))
        return "opened"
    if op == "stat":
        return os.stat(path).st_size
    if op == "readlink":
        return [os.path.islink(path), os.readlink(path)]
    if op == "listdir":
        return sorted(os.listdir(path))
    if op == "stat20":
        start = time.monotonic()
        for _ in range(20):
            os.stat(path)
        return time.monotonic() - start
    raise ValueError(op)

try:
    out = {"value": run()}
except OSError as e:
    out = {"exc": type(e).__name__, "errno": errno.errorcode[e.errno]}
print(json.dumps(out))
"""


def spawn(op: str, path) -> subprocess.Popen:
    """Start a child process running one PROBE operation on path."""
    return subprocess.Popen([sys.executable, "-c", PROBE, op, str(path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def probe(op: str, path, timeout: float = 10.0) -> dict:
    """Run one PROBE operation in a child process and return its decoded result."""
    child = spawn(op, path)
    try:
        out, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()  # it stays blocked in the kernel until the mount is torn down
        pytest.fail(f"{op} {path} did not return within {timeout}s")
    assert child.returncode == 0, err
    return json.loads(out)


@pytest.fixture
def backing(tmp_path):
    """A small media-library-like tree: a file, a symlink, and a 'dead' directory."""
    root = tmp_path / "backing"
    (root / "dead").mkdir(parents=True)
    (root / "movie.mkv").write_bytes(b"real bytes")
    (root / "dead" / "gone.mkv").write_bytes(b"unreachable")
    (root / "link.mkv").symlink_to("/elsewhere/target.mkv")
    return root


def test_reads_return_backing_bytes(faulty_mount, backing):
    mnt = faulty_mount(backing)
    assert probe("read", mnt / "movie.mkv") == {"value": "real bytes"}
    assert probe("listdir", mnt) == {"value": ["dead", "link.mkv", "movie.mkv"]}


def test_symlink_passes_through_as_symlink(faulty_mount, backing):
    mnt = faulty_mount(backing)
    assert probe("readlink", mnt / "link.mkv") == {"value": [True, "/elsewhere/target.mkv"]}


def test_eio_on_read_fails_read_but_not_open(faulty_mount, backing):
    mnt = faulty_mount(backing, rules=[{"glob": "dead/*", "op": "read", "action": "eio"}])
    assert probe("open", mnt / "dead" / "gone.mkv") == {"value": "opened"}
    assert probe("read", mnt / "dead" / "gone.mkv") == {"exc": "OSError", "errno": "EIO"}
    assert probe("read", mnt / "movie.mkv") == {"value": "real bytes"}


def test_eacces_on_open_denies_even_root(faulty_mount, backing):
    mnt = faulty_mount(backing, rules=[{"glob": "*.mkv", "op": "open", "action": "eacces"}])
    # Without default_permissions the kernel defers to the filesystem, so root is refused too.
    assert probe("open", mnt / "movie.mkv") == {"exc": "PermissionError", "errno": "EACCES"}
    assert probe("stat", mnt / "movie.mkv") == {"value": len(b"real bytes")}


def test_hang_on_getattr_blocks_only_matching_paths(faulty_mount, backing):
    mnt = faulty_mount(backing, rules=[{"glob": "dead/*", "op": "getattr", "action": "hang"}])
    hung = spawn("stat", mnt / "dead" / "gone.mkv")
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            hung.wait(timeout=2)
        # The filesystem is multithreaded: other paths keep answering meanwhile.
        assert probe("stat", mnt / "movie.mkv", timeout=5) == {"value": len(b"real bytes")}
    finally:
        hung.kill()  # not waited for: it is freed only when the fixture kills the mount


def test_latency_applies_to_every_operation(faulty_mount, backing):
    mnt = faulty_mount(backing, latency_ms=10)
    # Attribute caching is disabled, so each of the 20 stats costs at least one 10 ms lookup.
    elapsed = probe("stat20", mnt / "movie.mkv")["value"]
    assert elapsed >= 0.2


def test_stop_is_prompt_and_frees_hung_callers(tmp_path, backing):
    available, reason = fuse_available()
    if not available:
        pytest.skip(f"FUSE not available: {reason}")
    mount = FaultyMount(backing, tmp_path / "mnt",
                        rules=[{"glob": "dead/*", "op": "any", "action": "hang"}])
    mnt = mount.start()
    hung = spawn("read", mnt / "dead" / "gone.mkv")
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            hung.wait(timeout=1)
        started = time.monotonic()
        mount.stop()
        assert time.monotonic() - started < 5
        assert not mount.is_mounted()
        # Killing the daemon aborts the FUSE connection, which releases the blocked caller
        # (in-flight requests fail with ECONNABORTED, later ones with ENOTCONN).
        out, _ = hung.communicate(timeout=5)
        assert json.loads(out)["errno"] in ("ECONNABORTED", "ENOTCONN")
    finally:
        hung.kill()
        mount.stop()


def test_start_reports_filesystem_errors(tmp_path, backing):
    available, reason = fuse_available()
    if not available:
        pytest.skip(f"FUSE not available: {reason}")
    mount = FaultyMount(backing, tmp_path / "mnt",
                        rules=[{"glob": "*", "op": "write", "action": "eio"}])
    with pytest.raises(RuntimeError, match="unknown op"):
        mount.start()
    assert not mount.is_mounted()
