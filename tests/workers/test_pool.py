"""The worker pool with real worker processes: results, deadlines, replacement, skips, cancel, cleanup.

A FIFO named *.mkv stands for a file on a dead mount: probing it blocks forever in
open() (no writer ever comes), and SIGKILL still ends the process that waits on it.
"""

import os
import threading
import time

import pytest

from linkdoctor.mediagen import make_garbage
from linkdoctor.workers import pool as pool_module
from linkdoctor.scanner.checks import BROKEN, SMALL, FolderListing, LinkCheck
from linkdoctor.scanner.decode import DecodeHint, DecodeVerdict
from linkdoctor.workers.pool import CRASHED, TIMED_OUT, ScanCancelled, Task, WorkerPool
from linkdoctor.scanner.probe import CORRUPTED, OK, ProbeVerdict
from tests.support.engine import fake_ffmpeg
from tests.support.waiting import wait_until

DEADLINE = 1.0  # seconds a probe may go unanswered before its worker is replaced
OPTIONS = {"small_threshold": 1024, "include_files": False}


@pytest.fixture
def workers(monkeypatch):
    """Every worker the pool starts during the test, to check on its process afterwards."""
    started = []

    class RecordingWorker(pool_module._Worker):
        def __init__(self):
            super().__init__()
            started.append(self)

    monkeypatch.setattr(pool_module, "_Worker", RecordingWorker)
    yield started
    for worker in started:  # whatever a failing test left behind
        worker.kill()


def make_pool(size=2, deadline=DEADLINE, cancel=None, tick=0.1):
    deadlines = {"list": 10.0, "check": 10.0, "probe": deadline, "decode": deadline, "bogus": 10.0}
    return WorkerPool(size, deadlines, OPTIONS, cancel or threading.Event(), tick_seconds=tick)


def feeder(tasks):
    queue = list(tasks)
    return lambda: queue.pop(0) if queue else None


def run_all(pool, tasks):
    """Every non-tick outcome of running `tasks`, each with when it arrived (seconds after start)."""
    started = time.monotonic()
    return [(outcome, time.monotonic() - started)
            for outcome in pool.run(feeder(tasks)) if outcome.kind != "tick"]


def by_name(outcomes):
    """{file name: outcome}, refusing an item reported twice."""
    named = {}
    for outcome, _ in outcomes:
        name = os.path.basename(outcome.item[0])
        assert name not in named, f"{name} reported twice"
        named[name] = outcome
    return named


def fifo(path):
    os.mkfifo(path)
    return str(path)


def probe_item(path):
    return (str(path), str(path), None)


def _stat_fields(pid):
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as handle:
            return handle.read().rpartition(")")[2].split()
    except OSError:
        return None


def live_group_members(pgid):
    """Processes of the worker's process group (the worker and any ffprobe) that still run."""
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(entry)
            if fields and int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
                members.append(int(entry))
    return members


def all_gone(started):
    """Every worker exited (reaped) and nothing of its process group still runs."""
    return all(w.proc.poll() is not None and not live_group_members(w.proc.pid) for w in started)


# --- results ---------------------------------------------------------------------------

def test_check_tasks_answer_every_link(library, workers):
    links = {}
    for i in range(6):
        links[f"ok{i}.mkv"] = library.healthy(f"Films/ok{i}.mkv")
    links["gone.mkv"] = library.broken("Films/gone.mkv")
    links["empty.mkv"] = library.empty("Films/empty.mkv")
    items = [(str(path), None) for path in links.values()]
    pool = make_pool(size=2)

    outcomes = run_all(pool, [Task("check", items[:4]), Task("check", items[4:])])

    named = by_name(outcomes)
    assert set(named) == set(links)
    assert all(isinstance(o.result, LinkCheck) and o.failure is None for o in named.values())
    categories = {name: o.result.category for name, o in named.items()}
    assert categories == {**{f"ok{i}.mkv": OK for i in range(6)}, "gone.mkv": BROKEN, "empty.mkv": SMALL}
    assert named["ok0.mkv"].result.target == str(library.source / "Films__ok0.mkv.src")
    assert pool.replaced == 0
    assert len(workers) <= 2


def test_list_tasks_return_folder_listings(library, workers):
    library.healthy("Films/A/a.mkv")
    library.healthy("Films/B/b.mkv")
    (library.root / "Films" / "C").mkdir()
    pool = make_pool(size=1)

    outcomes = run_all(pool, [Task("list", [str(library.root / "Films"), str(library.root / "Films" / "A")])])

    listings = {os.path.basename(o.item): o.result for o, _ in outcomes}
    assert set(listings) == {"Films", "A"}
    assert all(isinstance(listing, FolderListing) for listing in listings.values())
    assert sorted(os.path.basename(p) for p in listings["Films"].subdirs) == ["A", "B", "C"]
    assert [os.path.basename(link) for link, _ in listings["A"].links] == ["a.mkv"]


@pytest.mark.parametrize("ahead", [True, False])
def test_a_worker_ahead_gets_its_next_task_before_the_answers_of_its_last_are_handled(library, workers, ahead):
    # The caller may take a while over answers (a scan writes findings to its database): a pool `ahead`
    # has the worker work on its next task meanwhile. Not by default: where a task acts (a move), the
    # caller must learn of each before the next one starts.
    for name in "abc":
        library.healthy(f"Films/{name}.mkv")
    tasks = [Task("check", [(str(library.root / f"Films/{name}.mkv"), None)]) for name in "abc"]
    pool = make_pool(size=1)
    pool.ahead = ahead
    busy_when_answered = {}
    for outcome in pool.run(feeder(tasks)):
        if outcome.kind == "check":
            worker = pool.workers[0]
            busy_when_answered[os.path.basename(outcome.item[0])] = worker.task.items if worker.task else None
    if ahead:
        assert busy_when_answered == {"a.mkv": tasks[1].items, "b.mkv": tasks[2].items, "c.mkv": None}
    else:
        assert busy_when_answered == {"a.mkv": None, "b.mkv": None, "c.mkv": None}
    assert len(workers) == 1


def test_probe_results_carry_verdict_and_seconds(tmp_path, workers):
    (tmp_path / "empty.mkv").write_bytes(b"")
    make_garbage(tmp_path / "noise.mkv", 8 * 1024)
    pool = make_pool(size=2, deadline=30.0)  # about results, not deadlines: a loaded machine must not time out

    outcomes = run_all(pool, [Task("probe", [probe_item(tmp_path / "empty.mkv")], flush_each=True),
                              Task("probe", [probe_item(tmp_path / "noise.mkv")], flush_each=True)])

    named = by_name(outcomes)
    verdict, seconds = named["empty.mkv"].result
    assert verdict == ProbeVerdict(CORRUPTED, "empty file")
    verdict, seconds = named["noise.mkv"].result
    assert isinstance(verdict, ProbeVerdict) and not verdict.ok
    assert seconds >= 0.0


# --- deadlines ---------------------------------------------------------------------------

def decode_item(path):
    return (str(path), str(path), None, DecodeHint(None, None, OK, "ok", 0.0))


def test_a_decode_that_keeps_progressing_outlives_its_deadline(tmp_path, workers, monkeypatch):
    # 3 s of progress reports against a 1.5 s deadline: a deadline without progress, not in all.
    fake_ffmpeg(tmp_path / "bin", monkeypatch, """
i=0
while [ $i -lt 30 ]; do
  printf 'frame=%d\nout_time_us=%d00000\nprogress=continue\n' $i $i >&2
  sleep 0.1
  i=$((i+1))
done
printf 'progress=end\n' >&2
""")
    deadline = 1.5
    outcomes = run_all(make_pool(size=1, deadline=deadline),
                       [Task("decode", [decode_item(tmp_path / "film.mkv")], flush_each=True)])
    (outcome, arrived), = outcomes
    verdict, seconds = outcome.result
    assert outcome.failure is None and verdict == DecodeVerdict(OK, "ok", 2.9)
    assert arrived > 1.5 * deadline


def test_a_decode_that_stops_progressing_times_out(tmp_path, workers, monkeypatch):
    fake_ffmpeg(tmp_path / "bin", monkeypatch, """
printf 'frame=1\nout_time_us=40000\nprogress=continue\n' >&2
exec sleep 60
""")
    pool = make_pool(size=1)
    outcomes = run_all(pool, [Task("decode", [decode_item(tmp_path / "film.mkv")], flush_each=True)])
    (outcome, arrived), = outcomes
    assert outcome.failure == TIMED_OUT
    assert DEADLINE <= arrived < DEADLINE + 5.0
    assert pool.replaced == 1


def test_a_hanging_probe_times_out_and_its_worker_is_replaced(tmp_path, workers):
    hang = fifo(tmp_path / "x.mkv")
    for name in ("a.mkv", "b.mkv"):
        (tmp_path / name).write_bytes(b"")
    pool = make_pool(size=1)
    tasks = [Task("probe", [probe_item(hang)], flush_each=True)]
    tasks += [Task("probe", [probe_item(tmp_path / name)], flush_each=True) for name in ("a.mkv", "b.mkv")]

    outcomes = run_all(pool, tasks)

    named = by_name(outcomes)
    assert set(named) == {"x.mkv", "a.mkv", "b.mkv"}
    hung = named["x.mkv"]
    assert hung.failure == TIMED_OUT and hung.result is None
    assert DEADLINE <= hung.seconds < DEADLINE + 1.5
    arrived = dict((os.path.basename(o.item[0]), at) for o, at in outcomes)
    assert arrived["x.mkv"] < DEADLINE + 2.0  # reported about when its deadline passed
    assert named["a.mkv"].result[0].detail == "empty file"
    assert named["b.mkv"].result[0].detail == "empty file"
    assert pool.replaced >= 1
    assert len(workers) >= 2  # the replacement answered the rest


def test_in_a_batch_only_the_hanging_items_time_out(tmp_path, workers):
    hang1 = fifo(tmp_path / "hang1.mkv")
    hang2 = fifo(tmp_path / "hang2.mkv")
    (tmp_path / "a.mkv").write_bytes(b"")
    make_garbage(tmp_path / "b.mkv", 8 * 1024)
    (tmp_path / "c.mkv").write_bytes(b"")
    order = [tmp_path / "a.mkv", hang1, tmp_path / "b.mkv", hang2, tmp_path / "c.mkv"]
    # b.mkv is probed by the replacement of hang1's worker: its deadline covers that worker's start-up
    # and a real ffprobe, which took over 1 s on a machine at load 16 (seen in a CI run).
    pool = make_pool(size=1, deadline=3 * DEADLINE)

    outcomes = run_all(pool, [Task("probe", [probe_item(p) for p in order], flush_each=False)])

    named = by_name(outcomes)
    assert set(named) == {"a.mkv", "hang1.mkv", "b.mkv", "hang2.mkv", "c.mkv"}
    assert {name for name, o in named.items() if o.failure} == {"hang1.mkv", "hang2.mkv"}
    assert named["hang1.mkv"].failure == named["hang2.mkv"].failure == TIMED_OUT
    for name in ("a.mkv", "b.mkv", "c.mkv"):
        verdict, _ = named[name].result
        assert isinstance(verdict, ProbeVerdict) and not verdict.ok
    assert named["a.mkv"].result[0].detail == "empty file"
    assert pool.replaced >= 2


def test_an_item_that_kills_its_worker_is_reported_as_crashed(workers):
    # A kind the worker does not know makes it die with an exception: a real crash.
    pool = make_pool(size=1)

    outcomes = run_all(pool, [Task("bogus", [("one",), ("two",)])])

    failures = sorted((o.item[0], o.failure) for o, _ in outcomes)
    assert failures == [("one", CRASHED), ("two", CRASHED)]
    assert pool.replaced >= 2


# --- skip hook ---------------------------------------------------------------------------

def test_skipped_items_get_the_reason_and_are_never_sent(tmp_path, workers):
    hang = fifo(tmp_path / "dead.mkv")  # would time out if it ever reached a worker
    (tmp_path / "fine.mkv").write_bytes(b"")
    pool = make_pool(size=1)
    asked = []

    def skip(kind, item):
        asked.append((kind, os.path.basename(item[0])))
        return "source /mnt/dead is not answering" if item[0] == hang else None

    pool.skip = skip
    outcomes = run_all(pool, [Task("probe", [probe_item(hang), probe_item(tmp_path / "fine.mkv")]),
                              Task("probe", [probe_item(hang)])])

    assert sorted(asked) == [("probe", "dead.mkv"), ("probe", "dead.mkv"), ("probe", "fine.mkv")]
    skipped = [o for o, _ in outcomes if os.path.basename(o.item[0]) == "dead.mkv"]
    assert len(skipped) == 2
    assert all(o.failure == "source /mnt/dead is not answering" and o.result is None for o in skipped)
    fine = [o for o, _ in outcomes if os.path.basename(o.item[0]) == "fine.mkv"]
    assert len(fine) == 1 and fine[0].result[0].detail == "empty file"
    assert pool.replaced == 0  # nothing hung: the FIFO was never opened by a worker
    assert max(at for _, at in outcomes) < DEADLINE


# --- cancel and cleanup ------------------------------------------------------------------

def test_cancel_stops_run_promptly_while_a_worker_hangs(tmp_path, workers):
    hang = fifo(tmp_path / "x.mkv")
    cancel = threading.Event()
    pool = make_pool(size=1, deadline=60.0, cancel=cancel, tick=0.1)
    started = time.monotonic()
    cancelled_at = None

    with pytest.raises(ScanCancelled):
        for outcome in pool.run(feeder([Task("probe", [probe_item(hang)], flush_each=True)])):
            assert outcome.kind == "tick", f"unexpected outcome {outcome}"
            # Half a second in, the worker is certainly blocked on the FIFO.
            if cancelled_at is None and time.monotonic() - started >= 0.5:
                cancelled_at = time.monotonic()
                cancel.set()
    stopped_in = time.monotonic() - cancelled_at
    assert stopped_in < 1.0
    assert pool.workers == []
    assert len(workers) == 1
    wait_until(lambda: all_gone(workers), 5, interval=0.02, message="the hanging worker was not killed")


def test_cancel_before_run_starts_nothing(workers):
    cancel = threading.Event()
    cancel.set()
    pool = make_pool(cancel=cancel)
    with pytest.raises(ScanCancelled):
        next(pool.run(feeder([Task("check", [("/nonexistent", None)])])))
    assert workers == []


def test_close_leaves_no_live_worker_processes(tmp_path, library, workers):
    hang1 = fifo(tmp_path / "h1.mkv")
    hang2 = fifo(tmp_path / "h2.mkv")
    link = library.healthy("Films/a.mkv")
    pool = make_pool(size=3, deadline=60.0)
    run = pool.run(feeder([
        Task("check", [(str(link), None)]),
        Task("probe", [probe_item(hang1)], flush_each=True),
        Task("probe", [probe_item(hang2)], flush_each=True),
    ]))
    # The check is answered; the two probes hang on their FIFOs.
    answered = next(o for o in run if o.kind == "check")
    assert answered.result.category == OK
    pids = [w.proc.pid for w in workers]
    assert len(pids) == 3
    assert all(live_group_members(pid) for pid in pids)  # one idle, two blocked on a FIFO

    pool.close()

    assert pool.workers == []
    wait_until(lambda: all_gone(workers), 5, interval=0.02,
               message=lambda: str([live_group_members(pid) for pid in pids]))
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    run.close()


def test_a_finished_run_closes_its_workers(library, workers):
    items = [(str(library.healthy(f"Films/f{i}.mkv")), None) for i in range(4)]
    pool = make_pool(size=2)
    outcomes = run_all(pool, [Task("check", items[:2]), Task("check", items[2:])])
    assert len(outcomes) == 4
    assert pool.workers == []
    assert workers
    wait_until(lambda: all_gone(workers), 5, interval=0.02, message="the workers were not closed")


def test_killed_workers_are_reaped_without_waiting(tmp_path):
    from linkdoctor.workers.pool import reap_killed

    fifo = tmp_path / "stuck.mkv"
    os.mkfifo(fifo)
    pool = WorkerPool(1, {"probe": 0.5}, {}, threading.Event())
    tasks = [Task("probe", [(str(fifo), None, None)], flush_each=True)]
    outcomes = list(pool.run(lambda: tasks.pop() if tasks else None))
    assert [o.failure for o in outcomes if o.kind == "probe"] == ["timeout"]
    wait_until(lambda: reap_killed() == 0, 5, message="killed workers are still being reaped")
    assert reap_killed() == 0  # a FIFO-blocked worker dies on SIGKILL and leaves no zombie
