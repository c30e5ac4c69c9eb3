"""What a worker process runs: folder scan, listing, check, probe, decode, hash, and the library's moves, folder tree
and path checks (scanner/fileops.py). The pool (linkdoctor.workers.pool) starts this module as the program
of each worker; the loop that answers the pool is linkdoctor.workers.child.

Light imports only (no Flask, no SQLAlchemy), so that a replacement worker starts in milliseconds.
"""

import os
import time

from linkdoctor.scanner.checks import LISTING_IN_MEMORY, check_link, index_folder, list_folder, target_or_none
from linkdoctor.scanner.folderscan import scan_folder
from linkdoctor.workers.child import serve_tasks


def _path_kind(item):
    from linkdoctor.errors import ValidationError
    from linkdoctor.paths import path_kind

    try:
        return path_kind(*item)  # (user path, media root)
    except ValidationError as exc:  # pickled back and raised by the caller
        return "refused", exc


def _fileops():
    from linkdoctor.scanner import fileops

    return fileops


def _sample_target(item):
    from linkdoctor.library.hashing import sample_target

    return sample_target(*item)  # (path, known (size, mtime_ns) or None, read)


# Kinds whose item is all they need. Their modules are imported on first use: a worker of a
# phase-1 scan starts with only what phase 1 needs.
LIBRARY_KINDS = {
    "move": lambda item: _fileops().move_checked(*item),  # (source, destination, source_root, destination_root)
    "tree": lambda item: _fileops().tree_node(*item),  # (folder, media root, depth, until, at_least)
    "count": lambda item: _fileops().count_links_below(*item),  # (folders, until, at_least)
    "children": lambda item: _fileops().folder_children(item),
    "path": _path_kind,
    "link": lambda item: _fileops().link_state(item),
    "hash": _sample_target,
}


def run_item(kind: str, item, options: dict, beat=None):
    """Run one item of a task and return its picklable result; ``beat`` is called as a decode progresses."""
    if kind == "list":
        return list_folder(item, options.get("include_files", False), options.get("spill_dir"),
                           options.get("listing_in_memory", LISTING_IN_MEMORY))
    if kind == "index":  # (source folder, known mtime_ns or None): the source index's listing
        return index_folder(*item)
    if kind == "scan":  # (folder, names or None): list and check in one go, only problems and counts back
        return scan_folder(item, options, beat)
    if kind == "targets":  # (folder, names): the links with their targets, for link-by-link checks
        folder, names = item
        return [(path, target_or_none(path)) for path in (os.path.join(folder, name) for name in names)]
    if kind == "check":
        return check_link(item[0], options["small_threshold"])
    if kind in LIBRARY_KINDS:
        return LIBRARY_KINDS[kind](item)
    if kind not in ("probe", "decode"):
        raise ValueError(f"unknown task kind {kind!r}")
    from linkdoctor.scanner.probe import ProbeError, probe_media
    from linkdoctor.scanner.sampling import check_hinted

    started = time.monotonic()
    try:
        if kind == "probe":
            verdict = probe_media(item[0])
        else:
            # A decode item is (path, target, identity, DecodeHint) with the probe's hint: the whole
            # file, or the windows of the sampled check.
            verdict = check_hinted(item[0], item[3], threads=options.get("decode_threads", 1), on_progress=beat)
    except ProbeError as exc:  # ffprobe or ffmpeg itself cannot run: a tooling error, not a verdict
        return exc, 0.0
    return verdict, time.monotonic() - started


if __name__ == "__main__":
    serve_tasks(run_item)
