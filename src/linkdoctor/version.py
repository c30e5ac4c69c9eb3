"""linkdoctor's version: the one place it is written (pyproject, --version, /system, the page, the image read it)."""

__version__ = "0.9.0"
