"""Diagnostics for the benchmarks: how the scan engine used its worker pool.

Wraps a few methods of linkdoctor.workers.pool (in this process only, nothing in src/ is
changed) to count worker processes started, tasks sent per kind with their sizes,
the peak number of workers busy at once per task kind, and each worker's peak RSS
(read from /proc just before the pool kills it). The wrappers cost a few
microseconds per task (a task is up to 512 links), so timings are not affected.
"""

import collections
from contextlib import contextmanager

from linkdoctor.workers import pool as pool_module


class PoolStats:
    def __init__(self):
        self.spawned = 0
        self.task_sizes: dict[str, list[int]] = collections.defaultdict(list)
        self.peak_busy: collections.Counter = collections.Counter()  # kind -> workers busy at once
        self.peak_busy_any = 0
        self._pools: list = []
        self.processes: list = []  # the workers' Popen objects
        self.hwm_kb: dict[int, int] = {}  # worker pid -> its VmHWM (peak RSS), read just before the kill

    def reap(self, timeout: float = 5.0) -> int:
        """Wait for the (killed) workers, so their CPU time and peak RSS reach RUSAGE_CHILDREN.

        The pool never waits for a worker it kills; returns how many are still not gone."""
        left = 0
        for proc in self.processes:
            try:
                proc.wait(timeout=timeout)
            except Exception:  # noqa: BLE001 - stuck in the kernel: report, do not hang
                left += 1
        return left

    def summary(self, kind: str) -> str:
        sizes = self.task_sizes.get(kind, [])
        if not sizes:
            return f"{kind}: no tasks"
        return (f"{kind}: {len(sizes)} tasks (items per task: min {min(sizes)}, max {max(sizes)}), "
                f"peak {self.peak_busy[kind]} workers busy at once")


@contextmanager
def pool_stats():
    """Yield a PoolStats that records every pool used inside the block."""
    stats = PoolStats()
    orig_init, orig_start, orig_run, orig_kill = (pool_module._Worker.__init__, pool_module._Worker.start,
                                                  pool_module.WorkerPool.run, pool_module._Worker.kill)
    orig_finish = pool_module._Worker.finish

    def init(self, *args, **kwargs):
        stats.spawned += 1
        orig_init(self, *args, **kwargs)
        stats.processes.append(self.proc)

    def start(self, task, options):
        orig_start(self, task, options)
        stats.task_sizes[task.kind].append(len(task.items))
        busy = [w.task.kind for p in stats._pools for w in p.workers if w.task is not None]
        stats.peak_busy_any = max(stats.peak_busy_any, len(busy))
        stats.peak_busy[task.kind] = max(stats.peak_busy[task.kind], busy.count(task.kind))

    def run(self, next_task):
        stats._pools.append(self)
        return orig_run(self, next_task)

    def record_hwm(self):
        kb = vm_hwm_kb(self.proc.pid)
        if kb:
            stats.hwm_kb[self.proc.pid] = kb

    def kill(self):
        record_hwm(self)
        orig_kill(self)

    def finish(self):  # an idle worker at the end of a run: ended by closing its input
        record_hwm(self)
        orig_finish(self)

    pool_module._Worker.__init__, pool_module._Worker.start, pool_module.WorkerPool.run = init, start, run
    pool_module._Worker.kill, pool_module._Worker.finish = kill, finish
    try:
        yield stats
    finally:
        pool_module._Worker.__init__, pool_module._Worker.start, pool_module.WorkerPool.run = (
            orig_init, orig_start, orig_run)
        pool_module._Worker.kill, pool_module._Worker.finish = orig_kill, orig_finish
        stats._pools.clear()


def vm_hwm_kb(pid: int | str = "self") -> int | None:
    """Peak RSS (VmHWM) of a process's own address space, in KiB; None if it is gone.

    Unlike ru_maxrss, this does not include the peak of the parent's address space that
    a freshly exec'ed child inherits in ru_maxrss (Linux keeps the old mm's high-water
    mark across fork+exec, so a child's ru_maxrss is never below its parent's RSS)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None
