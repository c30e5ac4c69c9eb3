"""The human-readable repair log: data/repair-YYYY-MM-DD.log, one line per action."""

from datetime import datetime
from pathlib import Path


def repair_log(data_dir: Path, action: str, message: str) -> None:
    """Append one line, e.g. `2026-11-21T10:15:02 QUARANTINE scan 4: /lib/x.mkv -> ...`."""
    now = datetime.now()
    path = Path(data_dir) / f"repair-{now:%Y-%m-%d}.log"
    with open(path, "a", encoding="utf-8", errors="backslashreplace") as handle:
        handle.write(f"{now:%Y-%m-%dT%H:%M:%S} {action.upper()} {message}\n")
