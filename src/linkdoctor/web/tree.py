"""The folder tree under the media root, with how many symlinks each folder holds."""

import os

from linkdoctor.errors import ValidationError
from linkdoctor.paths import real_root, resolve_in_root

MAX_DEPTH = 6


def _count_and_tree(path: str, root: str, depth: int) -> dict:
    """One folder's node: symlinks below it (all levels) and its sub-folders down to `depth`."""
    node = {"path": path, "relative_path": os.path.relpath(path, root),
            "name": os.path.basename(path) or path, "symlink_count": 0, "subdirs": []}
    subdirs = []
    try:
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.is_symlink():
                    node["symlink_count"] += 1
                elif entry.is_dir(follow_symlinks=False):
                    subdirs.append(entry.path)
    except OSError as exc:
        node["error"] = os.strerror(exc.errno or 0)
    node["has_subdirs"] = bool(subdirs)
    for sub in sorted(subdirs, key=str.lower):
        child = _count_and_tree(sub, root, depth - 1)
        node["symlink_count"] += child["symlink_count"]
        if depth > 0:
            node["subdirs"].append(child)
    return node


def directory_tree(media_root: str, path: str | None = None, depth: int = 2) -> dict:
    """The tree under `path` (default the media root), `depth` levels of sub-folders shown."""
    if not 0 <= depth <= MAX_DEPTH:
        raise ValidationError(f"depth must be between 0 and {MAX_DEPTH}")
    root = real_root(media_root)
    start = resolve_in_root(path, root) if path else root
    if os.path.islink(start) or not os.path.isdir(start):
        raise ValidationError(f"{path} is not a folder")
    tree = _count_and_tree(start, root, depth)
    tree["media_root"] = root
    return tree
