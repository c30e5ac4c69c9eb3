"""Which library links a webhook's file is: the file itself when it is a link in the library, and the links
pointing at it (from the inventory when it was imported, else found in the item's folder by the workers)."""

import os
import posixpath
import threading

from sqlalchemy import select

from linkdoctor.arr_instances import configured_instances, map_prefix
from linkdoctor.models import InventoryItem, db
from linkdoctor.scanner.checks import absolute_target
from linkdoctor.workers.pool import Task, WorkerPool

FOLDERS_LOOKED_AT = 500  # an item's folder holds a few seasons: this many folders is already more than one


def to_local(remote: str, mappings: list[dict]) -> str | None:
    """The path here of a path as the app names it: the longest `remote` prefix replaced; None when none matches."""
    return map_prefix(remote, mappings, "remote", "local")


def mappings_for(config, app: str, instance_name: str) -> list[dict]:
    """The path mappings of the instance that called (by its name), else of every instance of the app; then the
    global ones."""
    instances = [i for i in configured_instances(config) if i.kind == app]
    named = [i for i in instances if instance_name and i.name.lower() == instance_name.lower()]
    chosen = named or instances
    return [m for i in chosen for m in i.path_mappings] + list(config.path_mappings or [])


def map_path(remote: str, mappings: list[dict], known_roots: list[str]) -> str | None:
    """The file here: through the mappings, or as it is when it lies in a folder linkdoctor knows (the media
    root, a source: the same path on both sides, no mapping needed); None when outside all of them."""
    local = to_local(remote, mappings)
    if local is not None:
        return os.path.normpath(local)
    inside = any(remote == root or remote.startswith(root.rstrip("/") + "/") for root in known_roots if root)
    return posixpath.normpath(remote) if inside else None


def _inside(path: str, root: str) -> bool:
    return path.startswith(root.rstrip("/") + "/")


def links_to_file(local: str, folder: str | None, media_root: str, timeout: float) -> list[str]:
    """The library links that are this file or point at it, sorted."""
    found = set()
    if _inside(local, media_root) and os.path.islink(local):
        found.add(local)  # the imported file is itself a link of the library (a symlink library)
    inventory = list(db.session.execute(select(InventoryItem.path).where(InventoryItem.target == local)).scalars())
    if inventory:
        found.update(path for path in inventory if _inside(path, media_root))
    elif folder and _inside(folder, media_root):
        found.update(_links_in_folders([folder], local, timeout))
    elif folder and not found:
        # The app imports into the source and the library's links point there: look in the library's
        # folders named like the item's ("Show X" in /medias/Séries/Show X), one or two levels down.
        found.update(_links_in_folders(_named_like(os.path.basename(folder.rstrip("/")), media_root, timeout),
                                       local, timeout))
    return sorted(found)


def _named_like(name: str, media_root: str, timeout: float) -> list[str]:
    """The media root's folders, one or two levels down, with this name."""
    if not name:
        return []
    pool = WorkerPool(2, {"list": timeout}, {"include_files": False}, threading.Event())
    level, found = [media_root], []
    for _depth in range(2):
        subdirs = []
        for outcome in pool.run_all([Task("list", [folder]) for folder in level]):
            if outcome.kind == "list" and not outcome.failure and outcome.result is not None:
                subdirs += outcome.result.subdirs
        found += [d for d in subdirs if os.path.basename(d) == name]
        level = [d for d in subdirs if os.path.basename(d) != name]
        pool = WorkerPool(2, {"list": timeout}, {"include_files": False}, threading.Event())
    return found


def _links_in_folders(folders: list[str], target: str, timeout: float) -> list[str]:
    """Links under these folders pointing at `target`, listed by the killable workers (a dead mount costs
    `timeout`)."""
    if not folders:
        return []
    pool = WorkerPool(1, {"list": timeout}, {"include_files": False}, threading.Event())
    pending, seen, found = list(folders), 0, []

    def next_task():
        nonlocal seen
        if not pending or seen >= FOLDERS_LOOKED_AT:
            return None
        seen += 1
        return Task("list", [pending.pop()])

    for outcome in pool.run(next_task):  # (run closes the pool, whatever happens)
        if outcome.kind != "list" or outcome.failure or outcome.result is None:
            continue
        pending.extend(outcome.result.subdirs)
        found += [path for path, link_target in outcome.result.links
                  if link_target is not None and absolute_target(path, link_target) == target]
    return found
