"""Which folders to ask a media server to refresh after a change: pure functions, no HTTP.

The parent folder of each changed link, mapped to the server's own path; each one placed in the
library whose folder holds it; above `coalesce` folders in one library, that library's root folder
instead; then at most `cap` requests, the rest said as skipped (never silently dropped).
"""

import posixpath
from dataclasses import dataclass, field

from linkdoctor.arr_instances import contains, to_remote


@dataclass
class RefreshPlan:
    """What to send to one server: (library id, folder) pairs; what is left out and why."""

    requests: list[tuple[str, str]] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # folder -> why it is not refreshed
    coalesced: list[str] = field(default_factory=list)  # library roots sent instead of their many folders


def touched_folders(paths: list[str], mappings: list[dict]) -> list[str]:
    """The parent folders of the changed links, as the server names them, sorted and unique."""
    return sorted({to_remote(posixpath.dirname(path), mappings) for path in paths})


def _library_of(folder: str, libraries) -> tuple[str, str] | None:
    """(library id, its location) holding the folder, the deepest location first."""
    best = None
    for library in libraries:
        for location in library.locations:
            location = location.rstrip("/") or "/"
            if folder == location or contains(location, folder):
                if best is None or len(location) > len(best[1]):
                    best = (library.id, location)
    return best


def plan_refresh(folders: list[str], libraries, coalesce: int, cap: int) -> RefreshPlan:
    """The requests for these folders (one per folder), coalesced per library above `coalesce`, cut at `cap`."""
    plan = RefreshPlan()
    by_library: dict[tuple[str, str], list[str]] = {}
    for folder in folders:
        found = _library_of(folder, libraries)
        if found is None:
            plan.skipped[folder] = "in none of the server's libraries (check the path mappings)"
        else:
            by_library.setdefault(found, []).append(folder)
    wanted: list[tuple[str, str]] = []
    for (library_id, location), inside in sorted(by_library.items(), key=lambda item: item[0][1]):
        if len(inside) > coalesce:
            wanted.append((library_id, location))
            plan.coalesced.append(location)
        else:
            wanted.extend((library_id, folder) for folder in inside)
    plan.requests = wanted[:cap]
    for _, folder in wanted[cap:]:
        plan.skipped[folder] = f"over the limit of {cap} refresh request(s) per run (media_refresh_max_requests)"
    return plan
