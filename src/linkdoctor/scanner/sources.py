"""Which source (mount point or configured source root) a link points into."""

import os
import re

_OCTAL = re.compile(r"\\([0-7]{3})")


def _unescape(field: str) -> str:
    return _OCTAL.sub(lambda m: chr(int(m.group(1), 8)), field)


def read_mount_points(mountinfo: str = "/proc/self/mountinfo") -> list[str]:
    """Mount points of this process, read from procfs (which never blocks on a dead mount)."""
    try:
        with open(mountinfo, encoding="utf-8", errors="surrogateescape") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return ["/"]
    points = {_unescape(line.split(" ")[4]) for line in lines if line.count(" ") >= 5}
    return sorted(points | {"/"})


def _contains(root: str, path: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


class SourceMap:
    """Maps a target path to its source: the deepest configured root or mount point holding it."""

    def __init__(self, source_roots=(), mount_points=None):
        self.source_roots = sorted({os.path.normpath(r) for r in source_roots}, key=len, reverse=True)
        points = read_mount_points() if mount_points is None else mount_points
        self.mount_points = sorted(set(points) | {"/"}, key=len, reverse=True)
        # Targets come in runs from the same folders: remembering each folder's source
        # keeps this off the per-link cost of a scan.
        self._by_start: dict[str, str] = {}
        self._exact = set(self.source_roots) | set(self.mount_points)

    def source_of(self, target: str) -> str:
        """The configured source root holding `target`, else its mount point."""
        return self.source_at(self.start_of(target))

    def start_of(self, target: str) -> str:
        """Where the search for `target`'s source starts: its folder (dirname of a normalised path), or
        the target itself when it is a root or mount point (its folder would be the wrong start).
        Targets with the same start have the same source: a scan counts them by it."""
        return target if target in self._exact else (target.rpartition("/")[0] or "/")

    def source_at(self, start: str) -> str:
        """The source of a start_of(): looked up once per start (targets come in runs from the same folders)."""
        source = self._by_start.get(start)
        if source is None:
            source = self._lookup(start)
            if len(self._by_start) < 100_000:
                self._by_start[start] = source
        return source

    def _lookup(self, path: str) -> str:
        for root in self.source_roots:
            if _contains(root, path):
                return root
        return next(point for point in self.mount_points if _contains(point, path))

    def is_mount_point(self, path: str) -> bool:
        return path in self.mount_points
