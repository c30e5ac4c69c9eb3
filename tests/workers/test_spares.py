"""Spare workers: idle worker processes kept between pools, so that a small scan does not wait for them to start.

Each test has its own keeper (not the process-wide SPARES), and ends it, so that no spare outlives the test.
"""

import os
import threading

import pytest

from linkdoctor.scanner.engine import ScanEngine, ScanRequest
from linkdoctor.workers import pool as pool_module
from linkdoctor.workers.pool import TIMED_OUT, Spares, Task, WorkerPool
from tests.support.engine import ListSink
from tests.support.faultmount import faulty_mount  # noqa: F401  (fixture)
from tests.support.waiting import wait_until


@pytest.fixture
def spares():
    keeper = Spares(keep=2)
    yield keeper
    keeper.close()


@pytest.fixture
def started(monkeypatch):
    """The pid of every worker process started during the test."""
    pids = []

    class Recording(pool_module._Worker):
        def __init__(self):
            super().__init__()
            pids.append(self.proc.pid)

    monkeypatch.setattr(pool_module, "_Worker", Recording)
    return pids


def gone(pid: int) -> bool:
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True


def checks(library, count: int, name: str) -> list[Task]:
    return [Task("check", [(str(library.healthy(f"Films/{name}{i}.mkv")), None)]) for i in range(count)]


def run(pool: WorkerPool, tasks: list[Task]) -> list:
    return [outcome for outcome in pool.run_all(tasks) if outcome.kind != "tick"]


def test_the_next_pool_takes_the_idle_workers_the_last_one_gave_back(library, spares, started):
    first = WorkerPool(2, {"check": 10.0}, {"small_threshold": 1024}, threading.Event(), spares=spares)
    assert [o.result.category for o in run(first, checks(library, 4, "a"))] == ["ok"] * 4
    assert len(spares) == len(started) == 2  # both ended idle: kept, alive
    assert not any(gone(pid) for pid in started)

    second = WorkerPool(2, {"check": 10.0}, {"small_threshold": 1024}, threading.Event(), spares=spares)
    assert [o.result.category for o in run(second, checks(library, 4, "b"))] == ["ok"] * 4
    assert len(started) == 2  # no process started for the second pool
    assert len(spares) == 2

    spares.close()
    wait_until(lambda: all(gone(pid) for pid in started), 5, message="the spares did not end on end-of-input")


def test_a_worker_killed_on_a_timeout_is_never_kept(tmp_path, spares, started):
    stuck = tmp_path / "stuck.mkv"
    os.mkfifo(stuck)  # opening it blocks forever, as a file on a dead mount
    (tmp_path / "empty.mkv").write_bytes(b"")
    # The deadline also covers the replacement's start (a busy machine takes a second): 2 s, not less.
    pool = WorkerPool(1, {"probe": 2.0}, {}, threading.Event(), spares=spares)
    tasks = [Task("probe", [(str(stuck), str(stuck), None)], flush_each=True),
             Task("probe", [(str(tmp_path / "empty.mkv"), str(tmp_path / "empty.mkv"), None)], flush_each=True)]
    outcomes = {os.path.basename(o.item[0]): o for o in run(pool, tasks)}
    assert outcomes["stuck.mkv"].failure == TIMED_OUT
    assert outcomes["empty.mkv"].result[0].detail == "empty file"
    killed, replacement = started
    kept = spares.take()
    assert kept is not None and kept.proc.pid == replacement and spares.take() is None
    wait_until(lambda: gone(killed), 5, message="the killed worker is still there")
    kept.finish()


def test_no_more_spares_than_kept_and_a_dead_one_is_never_handed_out(spares, started):
    spares.prestart(5)
    assert len(spares) == len(started) == 2
    for pid in started:
        os.kill(pid, 9)
    wait_until(lambda: all(gone(pid) for pid in started), 5, message="the spares were not killed")
    assert spares.take() is None  # dead ones are dropped, not handed to a pool
    assert len(spares) == 0


def test_a_spare_sees_a_mount_that_appeared_since_its_last_pool(library, faulty_mount, spares, tmp_path):
    # The links point into a folder that is empty at the first scan and a mount (rclone started) at the
    # second. Healthy links are counted per mount by the workers, and the mount-health guard compares
    # these counts: the worker kept from the first scan must read the mount table again.
    backing = library.source / "remote"
    backing.mkdir()
    mountpoint = tmp_path / "faultfs-mnt0"  # where the fixture mounts its first filesystem
    mountpoint.mkdir()
    for i in range(3):
        (backing / f"m{i}.mkv").write_bytes(b"x" * 4096)
        library.link(f"Films/M{i}/m{i}.mkv", mountpoint / f"m{i}.mkv")

    def scan(category: str) -> dict:
        engine = ScanEngine(ScanRequest(paths=[str(library.root)], max_workers=1), ListSink(), None,
                            spares=spares)
        assert engine.run()[category] == 3
        return engine.source_stats()

    scan("phase1_broken")
    assert len(spares) == 1  # the worker that scanned, kept
    assert faulty_mount(backing) == mountpoint
    assert scan("phase1_ok")[str(mountpoint)] == {"links": 3, "broken": 0}
