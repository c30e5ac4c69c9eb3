"""Data folders as earlier releases wrote them, rebuilt from the SQL dumps in tests/fixtures/.

A dump holds placeholders for the folders of the machine that made it
(@MEDIA@, @SOURCE@, @DATA@); the links a journal says are in the quarantine are
made again as real symlinks, as that release left them on disk.
"""

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@dataclass
class ReleaseFolder:
    data: Path
    media: Path
    source: Path

    @property
    def database(self) -> Path:
        return self.data / "linkdoctor.db"


def build_release_folder(base: Path, dump: str = "release-0.1.0.sql") -> ReleaseFolder:
    """Write <base>/data (database and quarantine), <base>/medias and <base>/source from a dump."""
    folder = ReleaseFolder(base / "data", base / "medias", base / "source")
    for path in (folder.data, folder.media, folder.source):
        path.mkdir(parents=True, exist_ok=True)
    script = (FIXTURES / dump).read_text(encoding="utf-8")
    for token, path in (("@MEDIA@", folder.media), ("@SOURCE@", folder.source), ("@DATA@", folder.data)):
        script = script.replace(token, str(path))
    with sqlite3.connect(folder.database) as connection:
        connection.executescript(script)
        rows = connection.execute(
            "select quarantine_path, target from quarantine_entry where state = 'quarantined'").fetchall()
    connection.close()
    for quarantine_path, target in rows:
        os.makedirs(os.path.dirname(quarantine_path), exist_ok=True)
        os.symlink(target, quarantine_path)
    return folder
