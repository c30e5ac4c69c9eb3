"""What the Dashboard's service block shows: tools found, database, data folder, version."""

import functools
import shutil
import subprocess
from pathlib import Path

from linkdoctor.schema import head_revision

TOOL_TIMEOUT = 5.0


@functools.lru_cache(maxsize=8)
def tool_version(name: str) -> dict:
    """{"found", "path", "version"} of ffprobe or ffmpeg; asked once per process."""
    path = shutil.which(name)
    if path is None:
        return {"found": False, "path": None, "version": None}
    try:
        first = subprocess.run([path, "-version"], capture_output=True, text=True, timeout=TOOL_TIMEOUT,
                               stdin=subprocess.DEVNULL).stdout.splitlines()[:1]
    except (OSError, subprocess.TimeoutExpired):
        first = []
    words = first[0].split() if first else []
    version = words[2] if len(words) > 2 and words[1] == "version" else None
    return {"found": True, "path": path, "version": version}


def app_version() -> str:
    """linkdoctor's version (linkdoctor.__version__, which the package's metadata is built from)."""
    from linkdoctor.version import __version__

    return __version__


def system_status(data_dir: Path, database: Path) -> dict:
    """The state of what linkdoctor depends on, for the Dashboard."""
    try:
        database_size = database.stat().st_size
    except OSError:
        database_size = None
    return {
        "version": app_version(),
        "ffprobe": tool_version("ffprobe"),
        "ffmpeg": tool_version("ffmpeg"),
        "database": {"path": str(database), "size": database_size, "schema_revision": head_revision()},
        "data_dir": str(data_dir),
    }
