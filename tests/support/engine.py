"""Driving the scan engine and its worker processes directly: sinks, a verdict cache in memory, a fake ffmpeg."""

import os


class ListSink:
    def __init__(self):
        self.findings = []
        self.snapshots = []

    def finding(self, record):
        self.findings.append(record)

    def progress(self, snapshot):
        self.snapshots.append(snapshot)


class MemoryCache:
    """A verdict cache in a dict: identity -> CachedVerdict."""

    def __init__(self):
        self.verdicts = {}

    def lookup(self, identities):
        return {i: self.verdicts[i] for i in identities if i in self.verdicts}

    def store(self, identity, verdict, probe_seconds):
        self.verdicts[identity] = verdict

    def mean_probe_seconds(self):
        return None


def by_category(sink):
    found = {}
    for record in sink.findings:
        found.setdefault(record.category, set()).add(os.path.basename(record.path))
    return found


def assert_consistent(counters, sink):
    phase1 = sum(counters[f"phase1_{c}"] for c in ("ok", "broken", "inaccessible", "small", "io_error", "timeout"))
    assert phase1 == counters["total_analyzed"]
    expected = {c: counters[f"phase1_{c}"] for c in ("broken", "inaccessible", "small", "io_error")}
    expected["timeout"] = counters["phase1_timeout"] + counters["phase2_timeout"]
    expected["io_error"] += counters.get("phase2_io_error", 0)
    expected["corrupted"] = counters["phase2_corrupted"]
    found = {c: 0 for c in expected}
    for record in sink.findings:
        found[record.category] += 1
    assert found == expected


def fake_ffmpeg(folder, monkeypatch, body: str) -> None:
    """Put an `ffmpeg` shell script first on the PATH the workers inherit."""
    folder.mkdir()
    script = folder / "ffmpeg"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")


def record_listing_pieces(monkeypatch, module) -> list:
    """Every record read back from the listing files workers wrote, through `module`'s ListingPieces
    (patched there): ("names" | "subdirs", items), and None at the end of each file."""
    records = []

    class Recording(module.ListingPieces):
        def next(self):
            record = super().next()
            records.append(record)
            return record

    monkeypatch.setattr(module, "ListingPieces", Recording)
    return records
