"""Phase 2 through the scan engine, on the corpus, in every mode of phase2_decode.

No clean file is ever corrupted; each damaged file is found by exactly the modes that can
see it (tests/support/corpus.py says which and why); the cache skips unchanged files in
every mode and decodes what a mode asks for and the cache only probed.
"""

import copy
import os
import re

import pytest

from linkdoctor.scanner.checks import CORRUPTED, TIMEOUT
from linkdoctor.scanner.engine import ScanEngine, ScanRequest
from linkdoctor.scanner.phase2 import DECODE, PROBE
from linkdoctor.scanner.probe import SUSPICIOUS
from tests.support.corpus import FOUND_BY, MODES, requires_ffmpeg
from tests.support.engine import ListSink, MemoryCache, assert_consistent, fake_ffmpeg
from tests.support.library import LibraryBuilder

pytestmark = requires_ffmpeg
CHECKS = ("container size: ", "probe error: ", "decode error at ")
STREAM_TIME = re.compile(r"decode error at \d\d:\d\d:\d\d\.\d")


def details(findings: dict) -> dict:
    """Finding details without the stream time of decode errors, which depends on the machine's speed."""
    return {name: STREAM_TIME.sub("decode error at T", f.detail) for name, f in findings.items()}


def scan(root, mode, cache, **options):
    sink = ListSink()
    request = ScanRequest(paths=[str(root)], verification_depth="full", max_workers=2, phase2_decode=mode, **options)
    engine = ScanEngine(request, sink, cache)
    counters = engine.run()
    assert_consistent(counters, sink)
    return counters, {os.path.basename(f.path): f for f in sink.findings}, engine


@pytest.fixture(scope="module")
def library(corpus, tmp_path_factory):
    """Every corpus file behind a library link named after it: "<name>" or "<damage>-<name>"."""
    clean, damaged = corpus
    folder = tmp_path_factory.mktemp("phase2")
    builder = LibraryBuilder(folder / "medias", folder / "unused")
    for name, path in clean.items():
        builder.link(f"Films/{name}/{name}", path)
    for (name, damage), path in damaged.items():
        builder.link(f"Films/{damage}-{name}/{damage}-{name}", path)
    return builder.root


@pytest.fixture(scope="module")
def first_scans(library):
    """mode -> (counters, findings by link name, engine, cache) of a first scan with an empty cache."""
    results = {}
    for mode in MODES:
        cache = MemoryCache()
        results[mode] = (*scan(library, mode, cache), cache)
    return results


@pytest.mark.parametrize("mode", MODES)
def test_no_clean_file_is_ever_corrupted(corpus, first_scans, mode):
    clean, _ = corpus
    _, findings, _, _ = first_scans[mode]
    assert {name: findings[name].detail for name in clean if name in findings} == {}


@pytest.mark.parametrize("case", sorted(FOUND_BY))
def test_damage_is_found_by_exactly_the_modes_that_can_see_it(first_scans, case):
    name, damage = case
    link = f"{damage}-{name}"
    found = {mode for mode in MODES if link in first_scans[mode][1]}
    assert found == FOUND_BY[case]
    for mode in found:
        finding = first_scans[mode][1][link]
        assert finding.category == CORRUPTED
        assert finding.detail.startswith(CHECKS), finding.detail


def test_findings_say_which_check_fired_and_where(first_scans):
    off, suspicious, every = (first_scans[mode][1] for mode in ("off", "suspicious", "all"))
    size = os.path.getsize(off["trunc-clip.mp4"].target)
    assert re.fullmatch(rf"container size: 'mdat' box declares [\d,]+ bytes, file has {size:,}",
                        off["trunc-clip.mp4"].detail)
    assert off["flip-pipe.ogg"].detail.startswith("probe error: ")
    # A decode that confirms a doubt names it.
    assert suspicious["flip-pipe.mkv"].detail.startswith("decode error at 00:00:")
    assert suspicious["flip-pipe.mkv"].detail.endswith(" (probe: no duration)")
    assert re.fullmatch(r"container size: Info header declares 16,508 bytes of audio, file has [\d,]+, "
                        r"and its last frame is cut", off["trunc-tone.mp3"].detail)
    # In mode "all" a file the probe found clean has no probe part.
    assert every["flip-clip.mp4"].detail.startswith("decode error at ") and "(probe:" not in every["flip-clip.mp4"].detail


def test_what_each_mode_decodes(corpus, first_scans):
    clean, damaged = corpus
    counters = {mode: first_scans[mode][0] for mode in MODES}
    files = len(clean) + len(damaged)
    probe_only = sum(1 for modes in FOUND_BY.values() if modes == set(MODES))
    assert all(c["phase2_analyzed"] == files for c in counters.values())
    assert counters["off"]["phase2_decoded"] == 0
    # "suspicious" decodes what the probe doubted; "all" whatever the probe did not condemn, and so
    # does "sampled" here: files of two seconds are too short to sample, it decodes them whole.
    assert counters["suspicious"]["phase2_decoded"] == counters["off"]["phase2_suspicious"]
    assert counters["all"]["phase2_decoded"] == counters["sampled"]["phase2_decoded"] == files - probe_only
    assert counters["off"]["phase2_corrupted"] == probe_only


def test_doubts_left_undecoded_are_counted_and_named_not_findings(first_scans):
    counters, findings, engine, _ = first_scans["off"]
    assert counters["phase2_suspicious"] > 0
    assert not any(f.category == SUSPICIOUS for f in findings.values())
    warning, = engine.warnings
    assert warning.startswith(f"{counters['phase2_suspicious']} media file(s) stayed suspicious: "
                              "phase2_decode is off, so they were not decoded; a doubt is not a finding (e.g. ")
    # A decode settles every doubt of the corpus but the truncated WavPack (a read error).
    counters, _, engine, _ = first_scans["suspicious"]
    assert counters["phase2_suspicious"] == 1
    assert "trunc-pipe.wv" in engine.warnings[0] and "Input/output error" in engine.warnings[0]


@pytest.mark.parametrize("mode", MODES)
def test_a_rescan_of_unchanged_files_probes_and_decodes_nothing(library, first_scans, mode):
    first, first_findings, _, cache = first_scans[mode]
    counters, findings, _ = scan(library, mode, copy.deepcopy(cache))
    assert counters["phase2_cached"] == counters["phase2_analyzed"] == first["phase2_analyzed"]
    assert counters["phase2_decoded"] == 0
    assert {k: f.detail for k, f in findings.items()} == {k: f.detail for k, f in first_findings.items()}
    assert counters["phase2_suspicious"] == first["phase2_suspicious"]


@pytest.mark.parametrize("then", ["suspicious", "sampled", "all"])
def test_a_stricter_mode_decodes_what_the_cache_only_probed(library, first_scans, then):
    _, _, _, off_cache = first_scans["off"]
    cache = copy.deepcopy(off_cache)
    probed_only = {identity for identity, v in cache.verdicts.items() if v.checked_by == PROBE and v.level != CORRUPTED
                   and (then != "suspicious" or v.level == SUSPICIOUS)}
    counters, findings, _ = scan(library, then, cache)
    assert counters["phase2_decoded"] == len(probed_only)
    assert counters["phase2_cached"] == counters["phase2_analyzed"] - len(probed_only)  # the rest settled
    assert details(findings) == details(first_scans[then][1])
    assert {identity for identity, v in cache.verdicts.items() if v.checked_by == DECODE} >= probed_only


def test_a_decode_that_stops_progressing_is_a_timeout_not_a_verdict(tmp_path, corpus, monkeypatch):
    clean, _ = corpus
    builder = LibraryBuilder(tmp_path / "medias", tmp_path / "unused")
    builder.link("Films/a.mkv", clean["pipe.mkv"])
    fake_ffmpeg(tmp_path / "bin", monkeypatch, "printf 'frame=1\\nprogress=continue\\n' >&2\nexec sleep 60\n")
    cache = MemoryCache()
    counters, findings, _ = scan(builder.root, "all", cache, decode_timeout=1.0)
    assert findings["a.mkv"].category == TIMEOUT
    assert findings["a.mkv"].detail == "the decode made no progress for 1s"
    assert counters["phase2_timeout"] == 1 and counters["phase2_corrupted"] == 0
    assert [v.checked_by for v in cache.verdicts.values()] == [PROBE]  # tried again next time
