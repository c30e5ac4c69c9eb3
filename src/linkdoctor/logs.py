"""Logging to the data folder, so that what a background scan did can be read afterwards."""

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(log_dir: Path) -> None:
    """Send linkdoctor's log records to <data>/linkdoctor.log (once per process and folder)."""
    logger = logging.getLogger("linkdoctor")
    path = Path(log_dir) / "linkdoctor.log"
    if any(getattr(h, "baseFilename", None) == str(path) for h in logger.handlers):
        return
    handler = RotatingFileHandler(path, maxBytes=5_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter(_FORMAT))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
