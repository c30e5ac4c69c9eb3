"""Shared pieces of the benchmarks: synthetic libraries, timing, a null sink, the app served or in process."""

import json
import os
import resource
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path


class CountingSink:
    """Keeps only counts, like a scan that streams findings to the database."""

    def __init__(self):
        self.findings = 0

    def finding(self, record):
        self.findings += 1

    def progress(self, snapshot):
        pass


def build_link_library(root: Path, source: Path, links: int, broken_every: int = 50) -> None:
    """`links` symlinks in movie-style folders (one folder per title); every Nth is broken."""
    source.mkdir(parents=True, exist_ok=True)
    payload = b"x" * 2048
    for i in range(links):
        folder = root / f"Title {i // 1000:03}" / f"Movie {i:06} (2001)"
        folder.mkdir(parents=True, exist_ok=True)
        target = source / f"f{i:06}.mkv"
        if i % broken_every:
            target.write_bytes(payload)
        os.symlink(target, folder / f"Movie {i:06}.mkv")


# Library shapes of the benchmarks: links per folder (0: one flat folder), folders per parent.
SHAPES = {"season20": 20, "folder100": 100, "flat": 0}
TARGETS_SHARED = 1000  # --sparse: this many target files, shared by every link (a million files costs minutes)


def build_shape(root: Path, source: Path, links: int, shape: str, broken_every: int = 50,
                sparse: bool = False) -> None:
    """`links` symlinks laid out as `shape` (SHAPES); every Nth is broken.

    season20: Show NNNN/Season NN/ (10 seasons of 20 episodes a show); folder100: Title NNN/Movie NNNNN/
    holding 100 links each; flat: every link in one folder. Targets are 2 KiB files, one per link,
    or with `sparse` TARGETS_SHARED of them shared by all links (the checks read them the same way).
    """
    per_folder = SHAPES[shape]
    source.mkdir(parents=True, exist_ok=True)
    payload = b"x" * 2048
    folder = None
    for i in range(links):
        if per_folder == 0:
            wanted = root / "All"
        elif shape == "season20":
            wanted = root / f"Show {i // (per_folder * 10):05}" / f"Season {(i // per_folder) % 10 + 1:02}"
        else:
            wanted = root / f"Title {i // (per_folder * 100):03}" / f"Movie {i // per_folder:05}"
        if wanted != folder:
            folder = wanted
            folder.mkdir(parents=True, exist_ok=True)
        if i % broken_every == 0:
            target = source / f"missing-{i:07}.mkv"
        else:
            target = source / f"f{(i % TARGETS_SHARED) if sparse else i:07}.mkv"
            if not sparse or i < TARGETS_SHARED + broken_every:
                if not target.exists():
                    target.write_bytes(payload)
        os.symlink(target, folder / f"E{i:07}.mkv")


def cli_environment(tmp: Path, root: Path) -> dict:
    """Environment for a `linkdoctor` CLI run on the library at `root`, its data in tmp/data."""
    return dict(os.environ, LINKDOCTOR_DATA_DIR=str(tmp / "data"), LINKDOCTOR_MEDIA_PATH=str(root))


def cli_scan(tmp: Path, root: Path, workers: int | None = None, args: tuple = ()) -> tuple[float, float, dict]:
    """(the scan's own duration as `scan --json` reports it, wall time of the command, its document)."""
    command = [str(Path(sys.executable).with_name("linkdoctor")), "scan", "--json", *args]
    if workers:
        command += ["--workers", str(workers)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, env=cli_environment(tmp, root))
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise RuntimeError(f"linkdoctor scan failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    document = json.loads(done.stdout)
    return document["duration"], wall, document


def timed(func):
    """(seconds, result) of one call."""
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


def cpu_seconds() -> float:
    """CPU seconds of this process and of its reaped children."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def timed_cpu(func, settle=None) -> tuple[float, float, object]:
    """(wall seconds, CPU seconds of this process and its reaped children, result) of one call.

    `settle()`, when given, runs after the wall clock has stopped and before the CPU time is read
    (to reap the workers the call started, so that their CPU time is counted)."""
    cpu, started = cpu_seconds(), time.perf_counter()
    result = func()
    wall = time.perf_counter() - started
    if settle:
        settle()
    return wall, cpu_seconds() - cpu, result


def app_in_process(tmp: Path, media: Path, config: dict | None = None):
    """The app in this process, its data in tmp/data and the library at `media` (as the environment says)."""
    os.environ.update(LINKDOCTOR_DATA_DIR=str(tmp / "data"), LINKDOCTOR_MEDIA_PATH=str(media))
    from linkdoctor import create_app

    return create_app(config)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def served(tmp: Path, root: Path, ready_seconds: float = 20.0):
    """`linkdoctor serve` (the real app on waitress) on a free port, its data in tmp/data and the library at
    `root`: yields (the base URL of its API, the server process) once it answers; stopped at the end."""
    import requests

    port = free_port()
    server = subprocess.Popen([str(Path(sys.executable).with_name("linkdoctor")), "serve", "--port", str(port)],
                              env=cli_environment(tmp, root), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/api/symlink"
    try:
        deadline = time.monotonic() + ready_seconds
        while True:
            try:
                requests.get(f"{base}/config", timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(f"linkdoctor serve did not answer on port {port}") from None
                time.sleep(0.05)
        yield base, server
    finally:
        server.terminate()
        server.wait(10)


def find_xtype_l(root: Path) -> int:
    """The baseline: GNU find's broken-link search over the same tree; returns the count."""
    out = subprocess.run(["find", str(root), "-xtype", "l"], capture_output=True, check=True).stdout
    return out.count(b"\n")


def drop_caches_if_possible() -> bool:
    try:
        with open("/proc/sys/vm/drop_caches", "w") as handle:
            handle.write("3\n")
        return True
    except OSError:
        return False


def exit_on_sigterm() -> None:
    """Turn SIGTERM (and SIGHUP) into KeyboardInterrupt, so `finally` blocks unmount and clean up."""
    import signal

    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupt)


def live_children() -> list[str]:
    """Descriptions of this process's children that are still running (not zombies)."""
    me, found = str(os.getpid()), []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            if fields[1] == me.encode() and fields[0] != b"Z":
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    cmd = handle.read().replace(b"\0", b" ").decode(errors="replace").strip()
                found.append(f"{entry} [{fields[0].decode()}] {cmd}")
        except (OSError, IndexError):
            continue
    return found


def fuse_mount_lines() -> list[str]:
    """The FUSE entries of /proc/self/mountinfo (reading it never touches a mount)."""
    with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as handle:
        return [line.rstrip("\n") for line in handle if "fuse" in line]


def _busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (all cores, steal included)."""
    with open("/proc/stat", encoding="ascii") as handle:
        fields = [int(x) for x in handle.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    """CPU seconds of this process, its reaped children, and its children still alive."""
    import resource
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    me = str(os.getpid()).encode()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    fields = handle.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if fields[1] == me:  # utime, stime, cutime, cstime of a live (or zombie) child
                total += sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    return total


def _adopt_orphans() -> None:
    """Become the parent of our descendants whose parent ends first: the worker processes a `linkdoctor` command
    leaves to end after it (they exit when its pipe closes). Left unreaped, they stay our children
    (zombies) with their CPU time, which own_cpu_seconds counts: not another process's load."""
    import ctypes
    PR_SET_CHILD_SUBREAPER = 36
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


class OtherLoad:
    """CPU seconds used by *other* processes on the machine while a block runs.

    The benchmarks share the machine with other sessions (test suites, browsers); a
    figure taken while others burn CPU is not comparable, so each one is printed with
    this. Used as `with OtherLoad() as load: ...; load.seconds`."""

    def __enter__(self):
        _adopt_orphans()
        self._busy, self._own, self._wall = _busy_cpu_seconds(), own_cpu_seconds(), time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc_info):
        busy, own = _busy_cpu_seconds() - self._busy, own_cpu_seconds() - self._own
        self.wall = time.perf_counter() - self._wall
        self.seconds = max(0.0, busy - own)

    def note(self) -> str:
        cores = os.cpu_count() or 1
        share = self.seconds / (self.wall * cores) if self.wall else 0.0
        return f"other processes used {self.seconds:.1f} CPU-s meanwhile ({share:.0%} of the machine)"


def wait_for_quiet(limit: float = 180.0, window: float = 3.0, max_share: float = 0.1) -> str:
    """Wait (up to `limit` s) for a `window` in which other processes use < max_share of the CPUs."""
    started = time.monotonic()
    while True:
        with OtherLoad() as load:
            time.sleep(window)
        share = load.seconds / (window * (os.cpu_count() or 1))
        waited = time.monotonic() - started
        if share < max_share:
            return f"machine quiet after {waited:.0f}s (others at {share:.0%} of the CPUs)"
        if waited > limit:
            return f"machine NOT quiet after {waited:.0f}s (others at {share:.0%} of the CPUs); measuring anyway"
