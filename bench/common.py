"""Shared pieces of the benchmarks: synthetic libraries, timing, a null sink."""

import os
import subprocess
import time
from pathlib import Path


class CountingSink:
    """Keeps only counts, like a scan that streams findings to the database."""

    def __init__(self):
        self.findings = 0

    def finding(self, record):
        self.findings += 1

    def progress(self, snapshot):
        pass


def build_link_library(root: Path, source: Path, links: int, broken_every: int = 50) -> None:
    """`links` symlinks in movie-style folders (one folder per title); every Nth is broken."""
    source.mkdir(parents=True, exist_ok=True)
    payload = b"x" * 2048
    for i in range(links):
        folder = root / f"Title {i // 1000:03}" / f"Movie {i:06} (2001)"
        folder.mkdir(parents=True, exist_ok=True)
        target = source / f"f{i:06}.mkv"
        if i % broken_every:
            target.write_bytes(payload)
        os.symlink(target, folder / f"Movie {i:06}.mkv")


def timed(func):
    """(seconds, result) of one call."""
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


def find_xtype_l(root: Path) -> int:
    """The baseline: GNU find's broken-link search over the same tree; returns the count."""
    out = subprocess.run(["find", str(root), "-xtype", "l"], capture_output=True, check=True).stdout
    return out.count(b"\n")


def drop_caches_if_possible() -> bool:
    try:
        with open("/proc/sys/vm/drop_caches", "w") as handle:
            handle.write("3\n")
        return True
    except OSError:
        return False
