"""The mount-health guard: never remove links into a source that looks down.

When a debrid or rclone mount drops, every link into it looks broken at once.
Before anything is removed, the proposed links are grouped by the source they
point into; a source whose root is missing, empty, unreadable or silent, or
into which too large a share of links is broken, is blocked.
"""

import errno
import os
import threading
from dataclasses import asdict, dataclass

from linkdoctor.scanner.pool import Task, WorkerPool


@dataclass(frozen=True)
class SourceVerdict:
    """Whether links into one source may be removed, and why not."""

    source: str
    blocked: bool
    reason: str
    proposed: int
    links: int
    broken: int

    def to_dict(self) -> dict:
        return asdict(self)


def probe_roots(roots: list[str], timeout: float) -> dict[str, str | None]:
    """For each root, None when it answers with some content, else what is wrong with it.

    Runs in the worker pool: a root on a dead mount costs `timeout`, never a hang.
    """
    problems: dict[str, str | None] = {}
    if not roots:
        return problems
    pool = WorkerPool(min(len(roots), 4), {"list": timeout}, {"include_files": True}, threading.Event())
    for outcome in pool.run_all([Task("list", [root]) for root in roots]):
        if outcome.kind != "list":
            continue
        root, listing = outcome.item, outcome.result
        if outcome.failure:
            problems[root] = f"source root {root} did not answer within {timeout:g}s"
        elif listing.error == os.strerror(errno.ENOENT):
            problems[root] = f"source root {root} is missing"
        elif listing.error:
            problems[root] = f"source root {root} cannot be read ({listing.error})"
        elif not (listing.subdirs or listing.links or listing.files):
            problems[root] = f"source root {root} is empty (is the mount down?)"
        else:
            problems[root] = None
    return problems


def evaluate_sources(proposed: dict[str, int], source_stats: dict, broken_share_limit: float,
                     timeout: float) -> list[SourceVerdict]:
    """A verdict for every source that proposed links point into."""
    # The root filesystem itself is never "down": only the share rule applies to it.
    roots = [source for source in proposed if source and source != "/"]
    root_problems = probe_roots(roots, timeout)
    verdicts = []
    for source, count in sorted(proposed.items()):
        stats = source_stats.get(source, {})
        links, broken = stats.get("links", 0), stats.get("broken", 0)
        reason = root_problems.get(source)
        if reason is None and links and broken / links > broken_share_limit:
            reason = (f"{broken} of {links} links into {source} are broken "
                      f"({broken / links:.0%}, above the {broken_share_limit:.0%} limit)")
        verdicts.append(SourceVerdict(source, reason is not None, reason or "", count, links, broken))
    return verdicts
