"""Which Sonarr series / Radarr movie a removed link belongs to, and which episodes: pure functions."""

import posixpath
import re

from linkdoctor.arr.instances import contains, to_remote
from linkdoctor.clients.records import Episode, MediaFile

_EPISODE_CODE = re.compile(r"[Ss](\d{1,3})((?:[Ee]\d{1,4})+)")


def remote_paths(paths: list[str], mappings: list[dict]) -> dict[str, str]:
    """Each local link path -> the path as the *arr knows it."""
    return {path: to_remote(path, mappings) for path in paths}


def owner_of(remote: str, items: list) -> object | None:
    """The item (series or movie) whose folder contains the path; the deepest folder wins."""
    owners = [item for item in items if contains(item.path, remote)]
    return max(owners, key=lambda item: len(item.path)) if owners else None


def group_by_owner(remotes: dict[str, str], items: list) -> tuple[dict[int, list[str]], list[str]]:
    """{item id: [local paths]} and the local paths no item contains."""
    groups: dict[int, list[str]] = {}
    unmatched = []
    for local, remote in remotes.items():
        owner = owner_of(remote, items)
        if owner is None:
            unmatched.append(local)
        else:
            groups.setdefault(owner.id, []).append(local)
    return groups, unmatched


def episode_codes(filename: str) -> list[tuple[int, int]]:
    """(season, episode) pairs a file name carries: S01E02, S01E02E03."""
    match = _EPISODE_CODE.search(filename)
    if not match:
        return []
    season = int(match.group(1))
    return [(season, int(n)) for n in re.findall(r"\d+", match.group(2))]


def removed_episodes(remote: str, files: list[MediaFile], episodes: list[Episode]) -> list[Episode]:
    """The episodes whose file was this link: by the file the *arr knew there, else by SxxEyy in its name."""
    file_ids = {f.id for f in files if f.path == remote}
    found = [e for e in episodes if e.file_id and e.file_id in file_ids]
    if found:
        return found
    codes = set(episode_codes(posixpath.basename(remote)))
    return [e for e in episodes if (e.season, e.number) in codes]


def is_movie_file(remote: str, files: list[MediaFile]) -> bool:
    return any(f.path == remote for f in files)
