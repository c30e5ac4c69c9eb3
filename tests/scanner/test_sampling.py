"""The sampled check (phase2_decode: sampled) on ten-minute clips: every damaged region of 5 % is found, no clean clip is.

Real ffmpeg, ffprobe and FUSE; the clips come from tests/support/longclips.py.
"""

import os
import re
import struct

import pytest

from linkdoctor.mediagen import make_audio, make_video
from linkdoctor.scanner.checks import CORRUPTED, TIMEOUT
from linkdoctor.scanner.decode import DecodeHint, decode_media
from linkdoctor.scanner.engine import ScanEngine, ScanRequest
from linkdoctor.scanner.layout import OK
from linkdoctor.scanner.phase2 import DECODE, PROBE, SAMPLED
from linkdoctor.scanner.probe import SUSPICIOUS, UNREADABLE, probe_media
from linkdoctor.scanner.sampling import (
    MAX_GAP_S, TAIL_S, WINDOW_S, Window, check_hinted, concat_list, plan_windows, sample_media,
)
from tests.support.corpus import requires_ffmpeg
from tests.support.engine import ListSink, MemoryCache, assert_consistent, fake_ffmpeg
from tests.support.faultmount import faulty_mount  # noqa: F401  (fixture)
from tests.support.library import LibraryBuilder
from tests.support.longclips import CLEAN, MISSED

AT = re.compile(r"^decode error at (\d\d):(\d\d):(\d\d\.\d)")


def sampled(path):
    """The sampled check phase 2 gives a file its probe found ok."""
    verdict = probe_media(str(path))
    assert verdict.level == OK, verdict.detail
    hint = DecodeHint(None, None, OK, "ok", 0.0, declared_duration=verdict.duration,
                      windows=plan_windows(verdict.duration), check_zeros="video" in verdict.streams)
    return check_hinted(str(path), hint)


# --- the plan ----------------------------------------------------------------------------

@pytest.mark.parametrize("duration", [120.0, 600.0, 2700.0, 7200.0, 36000.0])
def test_windows_leave_no_stretch_longer_than_5_percent_or_5_minutes_and_end_with_the_tail(duration):
    windows = plan_windows(duration)
    assert windows[-1] == Window(duration - TAIL_S, None)
    starts = [w.start for w in windows]
    assert starts[0] == 0.0 and starts == sorted(starts)
    gaps = [b.start - a.end for a, b in zip(windows, windows[1:])]
    assert max(gaps) <= min(0.05 * duration, MAX_GAP_S)
    assert all(0 < w.end - w.start <= WINDOW_S for w in windows[:-1])  # the last before the tail may be shorter
    covered = sum(w.end - w.start for w in windows[:-1]) + TAIL_S
    assert covered < (0.5 if duration < 600 else 0.1) * duration  # a few percent of a full decode on a film


@pytest.mark.parametrize("duration", [None, 0.0, 2.0, 40.0])
def test_short_files_and_files_without_a_duration_are_decoded_whole(duration):
    assert plan_windows(duration) == ()


def test_the_concat_list_names_only_the_link_it_is_given():
    text = concat_list("media.mkv", (Window(0.0, 2.0), Window(595.0, None)))
    assert text == ("ffconcat version 1.0\nfile 'media.mkv'\ninpoint 0.000\noutpoint 2.000\n"
                    "file 'media.mkv'\ninpoint 595.000\n")


# --- clean clips -------------------------------------------------------------------------

@requires_ffmpeg
@pytest.mark.parametrize("name", sorted(set(CLEAN) - {"pipe.mkv"}))
def test_clean_clips_are_ok(long_clips, name):
    clips, _ = long_clips
    verdict = sampled(clips[name])
    assert (verdict.level, verdict.detail) == (OK, "ok")
    assert verdict.decoded >= 20.0  # 20 windows of 1 s and the last 5 s, at least


@requires_ffmpeg
def test_a_clip_recorded_to_a_pipe_has_no_duration_so_it_is_decoded_whole(long_clips):
    clips, _ = long_clips
    verdict = probe_media(str(clips["pipe.mkv"]))
    assert plan_windows(verdict.duration) == ()
    assert decode_media(str(clips["pipe.mkv"])).level == OK


# --- damaged clips -----------------------------------------------------------------------

def _found(path):
    """How phase 2 in mode sampled sees a file: the probe's verdict, a full decode if in doubt, else the sampled check."""
    probe = probe_media(str(path))
    if probe.level == CORRUPTED:
        return probe.level, probe.detail
    if probe.level == SUSPICIOUS:
        verdict = decode_media(str(path), media_end=probe.media_end, expected_duration=probe.expected_duration,
                               declared_duration=probe.duration)
    else:
        verdict = sampled(path)
    return verdict.level, verdict.detail


@requires_ffmpeg
def test_every_damaged_region_of_5_percent_is_found(long_clips):
    _, damaged = long_clips
    results = {case: _found(path) for case, path in damaged.items()}
    big = {case for case in results if case[1] != "random2"}
    missed = {case: detail for case, (level, detail) in results.items() if case in big and level != CORRUPTED}
    assert missed.keys() == MISSED.keys(), missed
    # Random bytes over 2 % lie between two windows as often as not; report, do not require.
    small = {case: level for case, (level, _) in results.items() if case[1] == "random2"}
    print(f"random bytes over 2 %: {sum(level == CORRUPTED for level in small.values())} of {len(small)} found")


@requires_ffmpeg
@pytest.mark.parametrize("name", ["clip.mkv", "clip.mp4", "clip.ts", "tracks.mkv", "vfr.mp4"])
def test_random_bytes_in_the_middle_are_a_decode_error_placed_in_a_window(long_clips, name):
    _, damaged = long_clips
    verdict = sampled(damaged[(name, "random5")])
    assert verdict.level == CORRUPTED
    assert re.match(r"decode error at \d\d:\d\d:\d\d\.\d \(sampled window \d+ of \d+\): .+", verdict.detail)


@requires_ffmpeg
@pytest.mark.parametrize("name", ["clip.mkv", "clip.mp4", "clip.ts", "clip.avi"])
def test_a_zero_filled_region_is_found_by_the_reads_and_says_where(long_clips, name):
    _, damaged = long_clips
    verdict = sampled(damaged[(name, "zero5")])
    assert verdict.level == CORRUPTED
    match = re.search(r"about (\d+)%-(\d+)% of the file", verdict.detail)
    assert verdict.detail.startswith("zero-filled region: ") and match
    assert 45 <= int(match[1]) <= 50 <= int(match[2]) <= 55


@requires_ffmpeg
def test_zeros_in_an_audio_file_are_silence_not_damage(library, tmp_path):
    # Raw PCM silence is all zeros: zeros are only judged in files with a video stream.
    tone = make_audio(tmp_path / "tone.wav", seconds=600).read_bytes()
    header, length = tone.index(b"data") + 8, len(tone)
    wav = tmp_path / "pause.wav"
    wav.write_bytes(tone[:length // 3] + bytes(length // 3) + tone[2 * (length // 3):])  # a long pause
    assert sample_media(str(wav), plan_windows(600.0)).detail.startswith("zero-filled region: ")
    library.link("Music/pause.wav", wav)
    counters, findings = scan(library.root, "sampled", MemoryCache())
    assert (findings, counters["phase2_ok"], counters["phase2_decoded"]) == ({}, 1, 1)
    assert header < length // 3


# --- headers that promise more than the file holds -------------------------------------

def declare_longer(src, dst, factor):
    """Copy an MP4 with the durations of its mvhd, tkhd and mdhd boxes multiplied by ``factor``."""
    data = bytearray(open(src, "rb").read())
    # Version 0 boxes: the duration follows version and flags, two times, and the time scale (the track id and 4 reserved bytes).
    for box, skip in ((b"mvhd", 16), (b"mdhd", 16), (b"tkhd", 20)):
        pos = data.find(box)
        while pos >= 0:
            at = pos + 4 + skip
            data[at:at + 4] = struct.pack(">I", struct.unpack(">I", data[at:at + 4])[0] * factor)
            pos = data.find(box, pos + 4)
    dst.write_bytes(bytes(data))
    return dst


@requires_ffmpeg
def test_a_duration_the_size_cannot_hold_is_corrupted_by_the_probe_alone(tmp_path):
    # An 80 KB audio book declaring 47 hours, a 128-byte file declaring 15 s: no codec is that small.
    book = declare_longer(make_audio(tmp_path / "tone.m4a", seconds=2.0), tmp_path / "book.m4b", 1000)
    verdict = probe_media(str(book))
    assert verdict.level == CORRUPTED
    assert re.match(r"container size: the header declares 33\.3 minutes, which [\d,]+ bytes cannot hold "
                    r"\(\d+ bit/s\)$", verdict.detail), verdict.detail


@requires_ffmpeg
def test_a_decode_yielding_under_half_the_declared_length_is_corrupted(tmp_path):
    clip = declare_longer(make_video(tmp_path / "clip.mp4", seconds=2.0), tmp_path / "long.mp4", 3)
    probe = probe_media(str(clip))
    assert (probe.level, probe.duration) == (OK, 6.0)  # 6 s of header, 2 s of media: a plausible size
    verdict = decode_media(str(clip), declared_duration=probe.duration)
    assert verdict.level == CORRUPTED
    assert re.match(r"decode error at 00:00:02\.\d: the media ends there, its header declares 00:00:06\.0$",
                    verdict.detail), verdict.detail


@requires_ffmpeg
def test_windows_past_the_real_end_of_the_media_yield_nothing_and_say_so(long_clips, tmp_path):
    clips, _ = long_clips
    longer = declare_longer(clips["clip.mp4"], tmp_path / "longer.mp4", 3)
    verdict = sampled(longer)
    assert verdict.level == CORRUPTED
    # Past the media, key frames are not found: either the windows there yield nothing, or the
    # file is decoded whole, since its key frames seem too far apart to sample.
    assert re.match(r"decode error at 00:(09|10):\d\d\.\d: the media ends (there|before sampled window \d+ of \d+), "
                    r"its header declares 00:30:00\.0$", verdict.detail), verdict.detail


# --- through the scan engine ---------------------------------------------------------------

def scan(root, mode, cache):
    sink = ListSink()
    request = ScanRequest(paths=[str(root)], verification_depth="full", max_workers=2, phase2_decode=mode)
    counters = ScanEngine(request, sink, cache).run()
    assert_consistent(counters, sink)
    return counters, {os.path.basename(f.path): f for f in sink.findings}


@pytest.fixture(scope="module")
def clip_library(long_clips, tmp_path_factory):
    """Three clean clips, one with a zero-filled region and one with random bytes, behind links."""
    clips, damaged = long_clips
    folder = tmp_path_factory.mktemp("sampled")
    builder = LibraryBuilder(folder / "medias", folder / "unused")
    for name in ("clip.mkv", "vfr.mp4", "tracks.mkv"):
        builder.link(f"Films/{name}/{name}", clips[name])
    builder.link("Films/zero/zero5-clip.mp4", damaged[("clip.mp4", "zero5")])
    builder.link("Films/random/random5-clip.mkv", damaged[("clip.mkv", "random5")])
    return builder.root


@requires_ffmpeg
def test_the_scan_finds_the_middle_damage_that_the_other_cheap_modes_miss(clip_library):
    damaged = {"zero5-clip.mp4", "random5-clip.mkv"}
    for mode in ("off", "suspicious"):
        _, findings = scan(clip_library, mode, MemoryCache())
        assert findings == {}, mode
    counters, findings = scan(clip_library, "sampled", MemoryCache())
    assert {name: f.category for name, f in findings.items()} == {name: CORRUPTED for name in damaged}
    assert findings["zero5-clip.mp4"].detail.startswith("zero-filled region: ")
    assert AT.match(findings["random5-clip.mkv"].detail)
    assert (counters["phase2_ok"], counters["phase2_decoded"]) == (3, 5)  # every file probed ok is sampled


@requires_ffmpeg
def test_switching_mode_checks_again_only_what_the_new_mode_asks_for(clip_library):
    cache = MemoryCache()
    scan(clip_library, "off", cache)
    assert {v.checked_by for v in cache.verdicts.values()} == {PROBE}
    counters, _ = scan(clip_library, "sampled", cache)  # probed only: sampled now
    assert (counters["phase2_cached"], counters["phase2_decoded"]) == (0, 5)
    assert {v.checked_by for v in cache.verdicts.values()} == {SAMPLED}
    counters, findings = scan(clip_library, "sampled", cache)  # nothing changed: nothing checked
    assert (counters["phase2_cached"], counters["phase2_decoded"], len(findings)) == (5, 0, 2)
    counters, _ = scan(clip_library, "suspicious", cache)  # sampled is more than suspicious asks for
    assert (counters["phase2_cached"], counters["phase2_decoded"]) == (5, 0)
    counters, _ = scan(clip_library, "all", cache)  # the corrupted stay; the ok ones are decoded whole
    assert (counters["phase2_cached"], counters["phase2_decoded"]) == (2, 3)
    assert sorted(v.checked_by for v in cache.verdicts.values()) == [DECODE] * 3 + [SAMPLED] * 2
    counters, _ = scan(clip_library, "sampled", cache)  # a full decode is more than sampled asks for
    assert (counters["phase2_cached"], counters["phase2_decoded"]) == (5, 0)


# --- a read error is the mount's, never the media's ----------------------------------------

@requires_ffmpeg
def test_a_read_error_in_the_middle_is_an_io_error_not_corrupted_nor_remembered(library, faulty_mount, tmp_path):
    backing = library.source / "backing"
    (backing / "sick").mkdir(parents=True)
    film = make_video(backing / "sick" / "film.mkv", seconds=240, size="64x36", rate=5, sample_rate=32000,
                      audio_codec=["-c:a", "mp2", "-b:a", "32k"])
    size = film.stat().st_size
    # Reads fail from 40 % to 60 % of the file: the probe (start and end) reads fine.
    mount = faulty_mount(backing, rules=[{"glob": "sick/*", "op": "read", "action": "eio",
                                          "min_offset": int(size * 0.4), "max_offset": int(size * 0.6)}])
    library.link("Films/Sick/film.mkv", mount / "sick" / "film.mkv")
    assert probe_media(str(mount / "sick" / "film.mkv")).level == OK
    for mode in ("sampled", "all"):
        cache = MemoryCache()
        counters, findings = scan(library.root, mode, cache)
        assert {name: f.category for name, f in findings.items()} == {"film.mkv": "io_error"}, mode
        assert "Input/output error" in findings["film.mkv"].detail
        assert (counters["phase2_io_error"], counters["phase2_corrupted"]) == (1, 0)
        # The probe read fine and is remembered as such; the failed decode is not remembered.
        assert [v.checked_by for v in cache.verdicts.values()] == [PROBE]


@requires_ffmpeg
def test_sampled_reads_that_fail_are_unreadable(faulty_mount, tmp_path):
    backing = tmp_path / "backing"
    film = make_video(backing / "film.mkv", seconds=240, size="64x36", rate=5, sample_rate=32000,
                      audio_codec=["-c:a", "mp2", "-b:a", "32k"])
    mount = faulty_mount(backing, rules=[{"glob": "film.mkv", "op": "read", "action": "eio",
                                          "min_offset": film.stat().st_size // 2}])
    verdict = sample_media(str(mount / "film.mkv"), plan_windows(240.0))
    assert verdict.level == UNREADABLE and verdict.detail == "reading the file: Input/output error"


@requires_ffmpeg
def test_a_sampled_check_that_stops_progressing_is_a_timeout_not_a_verdict(long_clips, tmp_path, monkeypatch):
    # The same deadline as a full decode: decode_timeout seconds without progress, in a killable worker.
    clips, _ = long_clips
    builder = LibraryBuilder(tmp_path / "medias", tmp_path / "unused")
    builder.link("Films/clip.mkv", clips["clip.mkv"])
    fake_ffmpeg(tmp_path / "bin", monkeypatch, "printf 'frame=1\\nprogress=continue\\n' >&2\nexec sleep 60\n")
    cache = MemoryCache()
    sink = ListSink()
    request = ScanRequest(paths=[str(builder.root)], verification_depth="full", max_workers=2,
                          phase2_decode="sampled", decode_timeout=1.0)
    counters = ScanEngine(request, sink, cache).run()
    [finding] = sink.findings
    assert (finding.category, finding.detail) == (TIMEOUT, "the decode made no progress for 1s")
    assert (counters["phase2_timeout"], counters["phase2_corrupted"]) == (1, 0)
    assert [v.checked_by for v in cache.verdicts.values()] == [PROBE]  # tried again next time
