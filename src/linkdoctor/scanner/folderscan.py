"""Phase 1 of one folder inside a worker: list it and check its links in one go.

Only what the scan needs crosses back to the engine: the sub-folders, the problem links,
counts of the healthy ones per source, and (for a full scan) the identities of the files
phase 2 will probe. Each link costs one readlink, one open, lseek (fstat in a full scan), pread and close, all
relative to the folder's descriptor (the folder's path is walked once, not per link).

A folder with more links than a task should check, or whose checks turn out slow (a
slow mount), hands the rest back as `rest`: name lists the engine spreads over the
other workers. A folder of more entries than a listing keeps in memory (a flat folder of a
million links, a hundred thousand movie folders side by side) writes the ones beyond to a
file as they are read (checks.ListingWriter), in shares, which the engine reads back one at
a time: `spilled`. A link that hangs is not handled here: the pool kills the worker after
the timeout and the engine falls back to checking that folder link by link.
Stdlib only, imports kept light: this runs in worker processes.
"""

import os
import time
from typing import NamedTuple

from linkdoctor.scanner.checks import (
    LISTING_IN_MEMORY, OK, LinkCheck, ListingWriter, absolute_target_in, judge_target, unreadable_link,
)
from linkdoctor.scanner.sources import SourceMap

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0)
BEAT_SECONDS = 0.05  # how often a task checking links tells the pool it is alive (see workers.child)
_source_maps: dict[tuple, SourceMap] = {}  # per worker process: the mount table is read once per pool


class FolderScan(NamedTuple):
    """What one folder (or one share of its links) held and how its links fared."""

    subdirs: list[str]
    problems: list[tuple[str, LinkCheck]]  # (link path, verdict) of every link that is not ok
    ok_by_source: dict[str, int]  # healthy links per source they point into
    candidates: list[tuple[str, str, tuple]]  # (link, target, identity) of the files phase 2 probes
    rest: list[list[str]]  # names left unchecked, in shares for other tasks
    ignored: int
    checked: int
    seconds: float  # time spent checking links (the listing left out)
    error: str | None = None
    spilled: str | None = None  # a file of the listing's further pieces (ListingWriter), the caller's to read and remove
    spilled_names: int = 0  # link names in that file


def _sources(roots: list[str], pool: str | None) -> SourceMap:
    """The source map of this pool's roots (a spare worker serves later pools: mounts may have changed)."""
    key = (tuple(roots), pool)
    if key not in _source_maps:
        _source_maps.clear()
        _source_maps[key] = SourceMap(roots)
    return _source_maps[key]


def _list(dir_fd: int, folder: str, include_files: bool, keep: int, share: int | None,
          pieces: ListingWriter | None) -> tuple[list[str], list[str], str | None]:
    """(sub-folders, names to check, error) without following links to folders. With `pieces`, past `keep`
    names (or sub-folders) the ones beyond the first share are written out, in shares, as they come."""
    subdirs, names = [], []
    prefix = folder if folder.endswith("/") else folder + "/"
    try:
        with os.scandir(dir_fd) as entries:
            for entry in entries:
                if entry.is_symlink():
                    names.append(entry.name)
                    if pieces is not None and len(names) >= keep:
                        for start in range(share, len(names), share):
                            pieces.write("names", names[start:start + share])
                        del names[share:]
                elif entry.is_dir(follow_symlinks=False):
                    subdirs.append(prefix + entry.name)
                    if pieces is not None and len(subdirs) >= keep:
                        pieces.write("subdirs", subdirs)
                        subdirs = []
                elif include_files and entry.is_file(follow_symlinks=False) and _is_media(entry.name):
                    names.append(entry.name)  # a regular media file, checked as itself
    except OSError as exc:
        return subdirs, names, os.strerror(exc.errno or 0)
    return subdirs, names, None


def scan_folder(item: tuple[str, list[str] | None], options: dict, beat=None) -> FolderScan:
    """List `folder` (when `names` is None) and check its links; `beat()` is called as links are done.

    options: small_threshold, include_files, source_roots, ignores (a matcher or None),
    candidates (collect phase-2 candidates), share (links a task checks at most),
    budget (seconds of checks a task does; the links left are handed back).
    """
    folder, names = item
    subdirs, error = [], None
    try:
        dir_fd = os.open(folder, _DIR_FLAGS)
    except OSError as exc:
        return FolderScan([], [], {}, [], [], 0, 0, 0.0, os.strerror(exc.errno or 0))
    share = options.get("share")  # none: this task checks every link
    spill_dir = options.get("spill_dir")
    pieces = ListingWriter(spill_dir) if names is None and spill_dir and share else None
    try:
        if names is None:
            keep = max(share + 1 if share else 0, options.get("listing_in_memory", LISTING_IN_MEMORY))
            subdirs, names, error = _list(dir_fd, folder, options.get("include_files", False), keep, share, pieces)
        share = max(1, share or len(names))
        rest = [names[start:start + share] for start in range(share, len(names), share)]
        result = _check(dir_fd, folder, names[:share], options, beat)
        options["first_done"] = True  # later items of this task may hand back every link unchecked
    finally:
        os.close(dir_fd)
        spilled = pieces.close() if pieces is not None else None
    problems, ok_by_source, candidates, left, ignored, checked, seconds = result
    if left:
        rest.insert(0, left)
    return FolderScan(subdirs, problems, ok_by_source, candidates, rest, ignored, checked, seconds, error, spilled,
                      pieces.names if pieces is not None else 0)


def _is_media(name: str) -> bool:
    from linkdoctor.scanner.probe import is_probeable  # only when regular files are asked for

    return is_probeable(name)


def _check(dir_fd: int, folder: str, names: list[str], options: dict, beat):
    small = options["small_threshold"]
    ignores = options.get("ignores")
    sources = _sources(options.get("source_roots", []), options.get("pool"))
    want_candidates = options.get("candidates", False)
    quick = not want_candidates  # a basic scan only counts a healthy file: judge_target builds no verdict for it
    if want_candidates:
        from linkdoctor.scanner.probe import is_probeable
    # The options are unpickled anew for each task: the first item sets the task's deadline, so
    # that a task of many folders on a slow mount lists the later ones and hands their links back.
    deadline = options.setdefault("deadline", time.monotonic() + options.get("budget", 0.5))
    first_done = options.get("first_done", False)
    problems, candidates, left = [], [], []
    healthy: dict[str, int] = {}  # healthy links by where their source is looked up (SourceMap.start_of)
    ignored = checked = 0
    prefix = folder if folder.endswith("/") else folder + "/"  # paths joined by hand, and only when needed
    readlink, monotonic, start_of = os.readlink, time.monotonic, sources.start_of  # bound once: used per link
    started = last_beat = monotonic()
    for index, name in enumerate(names):
        now = monotonic()
        if now > deadline and (index or first_done):
            left = names[index:]
            break
        if beat is not None and now - last_beat >= BEAT_SECONDS:
            beat(0.0)
            last_beat = now
        try:
            target = absolute_target_in(folder, readlink(name, dir_fd=dir_fd))
        except OSError as exc:
            target = unreadable_link(exc, prefix + name)
            if target is None:  # vanished while we scanned: nothing to judge
                continue
        unreadable = isinstance(target, LinkCheck)
        if ignores and ignores.matches(prefix + name, None if unreadable or target == prefix + name else target):
            ignored += 1
            continue
        verdict = target if unreadable else judge_target(name, target, small, dir_fd, quick)
        checked += 1
        if verdict is not None and verdict.category != OK:
            problems.append((prefix + name, verdict))
            continue
        start = start_of(target)
        healthy[start] = healthy.get(start, 0) + 1
        if (verdict is not None and want_candidates and verdict.is_file
                and (is_probeable(name) or is_probeable(target))):
            candidates.append((prefix + name, target, verdict.identity))
    ok_by_source = {}
    for start, count in healthy.items():
        source = sources.source_at(start)
        ok_by_source[source] = ok_by_source.get(source, 0) + count
    return problems, ok_by_source, candidates, left, ignored, checked, monotonic() - started
