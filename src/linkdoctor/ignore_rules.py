"""The matcher of ignore rules, apart from their storage: scan workers get it with their tasks.

Stdlib only: a worker process unpickles it (linkdoctor.ignores, which stores the rules,
imports SQLAlchemy).
"""

import os


class IgnoreRules:
    """Matches links against the rules: by the link's path, its folders, or its target's folders."""

    CACHED_FOLDERS = 100_000  # links come in runs from the same folders: their answers are kept

    def __init__(self, links=(), folders=(), targets=()):
        self.links = frozenset(links)
        self.folders = frozenset(folders)
        self.targets = frozenset(targets)
        self._folder_cache: dict[str, bool] = {}
        self._target_cache: dict[str, bool] = {}

    def __reduce__(self):
        # Sent to the workers with every task: the rules, not the answers cached so far.
        return IgnoreRules, (self.links, self.folders, self.targets)

    def __bool__(self) -> bool:
        return bool(self.links or self.folders or self.targets)

    def matches(self, path: str, target: str | None) -> bool:
        """Whether a link (absolute path, absolute target or None) is ignored."""
        if path in self.links:
            return True
        if self.folders and self._under(path, self.folders, self._folder_cache):
            return True
        return bool(target and self.targets and self._under(target, self.targets, self._target_cache))

    def _under(self, path: str, prefixes: frozenset, cache: dict) -> bool:
        if path in prefixes:
            return True
        folder = os.path.dirname(path)
        known = cache.get(folder)
        if known is None:
            known = _under_any(folder, prefixes)
            if len(cache) < self.CACHED_FOLDERS:
                cache[folder] = known
        return known


def _under_any(path: str, prefixes: frozenset) -> bool:
    # One set lookup per folder of the path: as cheap with a thousand rules as with one.
    while True:
        if path in prefixes:
            return True
        parent = os.path.dirname(path)
        if parent == path:
            return False
        path = parent
