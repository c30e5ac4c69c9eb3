"""Logging to the data folder, so that what a background scan did can be read afterwards."""

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(log_dir: Path) -> None:
    """Send linkdoctor's log records to <data>/linkdoctor.log (once per process and folder)."""
    logger = logging.getLogger("linkdoctor")
    path = Path(log_dir) / "linkdoctor.log"
    for handler in list(logger.handlers):
        if getattr(handler, "baseFilename", None) == str(path):
            return
        if isinstance(handler, RotatingFileHandler):  # an app for another data folder (tests)
            logger.removeHandler(handler)
            handler.close()
    handler = RotatingFileHandler(path, maxBytes=5_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter(_FORMAT))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
