"""The data folder holds secrets (the API key, the session signing key, Sonarr/Radarr/TMDB keys): only its owner reads it."""

import logging
import os
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600
# What lies in the data folder and carries a secret or the library's history: the database (and SQLite's
# files beside it), its backups, the quarantine journal, the repair journal and the logs.
_PRIVATE_GLOBS = ("linkdoctor.db*", "backups/*", "trash/*.jsonl", "*.jsonl", "*.log", "*.log.*")


def secure_data_folder(data_dir: Path) -> list[Path]:
    """Make the data folder 0700 and its private files 0600 (a folder made by an older version included).

    Returns what had to be changed, for the start's log. The database file is made here when it
    does not exist yet, so that SQLite never creates it readable by others (its -wal and -shm take
    the database's mode)."""
    data_dir.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    changed = []
    if _narrow(data_dir, FOLDER_MODE):
        changed.append(data_dir)
    database = data_dir / "linkdoctor.db"
    if not database.exists():
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    for pattern in _PRIVATE_GLOBS:
        for path in data_dir.glob(pattern):
            if path.is_file() and not path.is_symlink() and _narrow(path, FILE_MODE):
                changed.append(path)
    return changed


def open_private(path: Path, mode: str = "a", **kwargs):
    """open() for a file of the data folder: created 0600 whatever the process umask is."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if "a" in mode else os.O_TRUNC)
    return open(os.open(path, flags, FILE_MODE), mode, **kwargs)


def _narrow(path: Path, wanted: int) -> bool:
    current = path.stat().st_mode & 0o777
    if not current & ~wanted:
        return False
    try:
        os.chmod(path, current & wanted)
    except PermissionError:  # another user's folder this process may write in: said, not fatal
        logging.getLogger("linkdoctor").warning("%s is readable by others and not ours to change (mode %o)",
                                                path, current)
        return False
    return True
