"""decode_media on real media: clean files decode, damaged ones fail with where and why, no false alarms."""

import re
import shutil
import subprocess
import sys

import pytest

from linkdoctor.mediagen import make_audio, make_flipped, make_video
from linkdoctor.scanner.decode import INCONCLUSIVE, _Reading, clock, decode_media
from linkdoctor.scanner.probe import CORRUPTED, OK, ProbeError, probe_media
from tests.support.corpus import DECODE, DOUBT, FOUND_BY, cut_mp3_on_a_frame, requires_ffmpeg

AT = re.compile(r"^decode error at (\d\d):(\d\d):(\d\d\.\d): .+")


def decode_as_phase2(path):
    """Decode with what the probe passes on, as phase 2 does."""
    verdict = probe_media(str(path))
    return decode_media(str(path), media_end=verdict.media_end, expected_duration=verdict.expected_duration)


@requires_ffmpeg
@pytest.mark.parametrize("name", [
    "pipe.mkv", "pipe.webm", "clip.mp4", "clip.avi", "tone.mp3", "tone.flac", "pipe.flac", "pipe.wv",
    "pipe.ogg", "tone.wma", "tone.ac3", "id3v1.mp3", "apev2.mp3", "lyrics3.mp3", "apev2-id3v1.mp3",
    "big-apev2.mp3", "capture.ts", "cues-cut.mkv", "no-idx1.avi",
])
def test_clean_files_decode_ok(corpus, name):
    clean, _ = corpus
    verdict = decode_as_phase2(clean[name])
    assert (verdict.level, verdict.detail) == (OK, "ok")
    assert verdict.decoded > 1.5  # every file is about 2 s long


@requires_ffmpeg
@pytest.mark.parametrize("case", [  # one of each kind; test_phase2 runs them all
    ("clip.mp4", "flip"), ("clip.avi", "flip"), ("tone.wma", "flip"), ("pipe.mkv", "trunc"), ("pipe.webm", "zero"),
    ("pipe.flac", "trunc"), ("tone.ac3", "zero"), ("lyrics3.mp3", "flip"), ("big-apev2.mp3", "zero"),
])
def test_damage_only_a_decode_sees_is_a_decode_error_with_its_time(corpus, case):
    assert FOUND_BY[case] in (DOUBT, DECODE)
    _, damaged = corpus
    verdict = decode_as_phase2(damaged[case])
    assert verdict.level == CORRUPTED
    assert AT.match(verdict.detail), verdict.detail


@requires_ffmpeg
def test_lyrics3_would_read_as_broken_audio_if_it_were_decoded(corpus):
    # Why tags are left out: ffmpeg takes a Lyrics3 tag for an MP3 frame without header.
    clean, _ = corpus
    whole = decode_media(str(clean["lyrics3.mp3"]))
    assert whole.level == CORRUPTED and "Header missing" in whole.detail


@requires_ffmpeg
def test_an_error_is_placed_near_where_it_is_in_the_stream(tmp_path):
    # The place comes from ffmpeg's progress reports (every 20 ms): the stream must take a while to
    # decode, as a real film does. A 160x90 clip decodes 20 s in ~50 ms, so one report could span 8 s of it.
    long = make_video(tmp_path / "long.mkv", seconds=20.0, size="1280x720")
    verdict = decode_media(str(make_flipped(long, tmp_path / "flip.mkv")))  # bytes in the middle
    hours, minutes, seconds = AT.match(verdict.detail).groups()
    assert (hours, minutes) == ("00", "00") and 3.0 <= float(seconds) <= 12.0


@requires_ffmpeg
def test_a_truncated_mp3_decodes_cleanly_but_ends_before_its_header_says(tmp_path):
    cut = cut_mp3_on_a_frame(make_audio(tmp_path / "tone.mp3"), tmp_path / "cut.mp3", 0.5)
    assert decode_media(str(cut)).level == OK  # what a plain decode says
    verdict = decode_as_phase2(cut)
    assert verdict.level == CORRUPTED
    assert re.match(r"decode error at 00:00:01\.\d: the media ends there, its header declares 00:00:02\.0$",
                    verdict.detail), verdict.detail


@requires_ffmpeg
def test_progress_is_reported_as_the_decode_goes(tmp_path):
    seen = []
    decode_media(str(make_video(tmp_path / "v.mkv", seconds=2.0)), on_progress=seen.append)
    assert seen and seen[-1] == pytest.approx(2.0, abs=0.1)


@requires_ffmpeg
@pytest.mark.parametrize("name", ["-leading dash.mp3", "new\nline.mp3", "a,,b:c.mp3", "concat:x.mp3", "ünï ,, 'q'.mp3"])
def test_any_file_name_is_decoded_as_that_exact_file_also_through_subfile(corpus, tmp_path, monkeypatch, name):
    clean, _ = corpus
    odd = tmp_path / name
    shutil.copyfile(clean["lyrics3.mp3"], odd)
    monkeypatch.chdir(tmp_path)
    assert decode_as_phase2(odd).level == OK
    assert decode_as_phase2(name).level == OK  # relative: "-..." or "concat:..." comes first
    broken = tmp_path / "broken" / name
    broken.parent.mkdir()
    make_flipped(clean["lyrics3.mp3"], broken)
    assert decode_as_phase2(broken).level == CORRUPTED


@requires_ffmpeg
def test_a_message_naming_a_file_with_a_newline_is_read_whole(corpus, tmp_path):
    # ffmpeg names the file in a read error; the newline must not make a second, bogus error.
    _, damaged = corpus
    odd = tmp_path / "new\nline.wv"
    shutil.copyfile(damaged["pipe.wv", "trunc"], odd)
    verdict = decode_media(str(odd))
    assert (verdict.level, verdict.detail) == (INCONCLUSIVE, "not decodable here: Input/output error")


def test_a_missing_ffmpeg_raises_instead_of_judging(tmp_path):
    with pytest.raises(ProbeError):
        decode_media(str(tmp_path / "x.mkv"), ffmpeg="/nonexistent/ffmpeg")


# --- reading ffmpeg's output --------------------------------------------------------------

def read(lines, expected=None):
    reading = _Reading(None, expected)
    for line in lines:
        if reading.take(line):
            break
    return reading.verdict(0)


def test_start_up_complaints_of_a_capture_are_not_errors_before_the_first_picture():
    startup = ["[h264 @ 0x1] [error] non-existing PPS 0 referenced", "[h264 @ 0x1] [error] decode_slice_header error",
               "[h264 @ 0x1] [error] no frame!", "[error] Error while decoding stream #0:0: Invalid data found"]
    assert read(["frame=0", *startup, "frame=25", "out_time_us=1000000", "progress=end"]).level == OK
    later = read(["frame=3", "out_time_us=120000", "progress=continue", startup[0]])
    assert (later.level, later.detail) == (CORRUPTED, "decode error at 00:00:00.1: non-existing PPS 0 referenced")


def test_ffmpeg_unable_to_decode_is_no_verdict():
    for line in ("[error] Decoder (codec none) not found for input stream #0:0",
                 "[error] Error while opening decoder for input stream #0:0 : Invalid argument",
                 "[error] file:/mnt/x.mkv: Input/output error"):
        assert read([line]).level == INCONCLUSIVE
    reading = _Reading(None, None)
    assert reading.verdict(1).level == INCONCLUSIVE  # a failed exit without an error about the file


def test_ends_early_messages_are_judged_by_the_length_when_one_is_expected():
    ended = "[matroska,webm @ 0x1] [error] File ended prematurely at pos. 36953 (0x9059)"
    complete = read(["out_time_us=2000000", ended, "progress=end"], expected=2.0)
    assert complete.level == OK
    short = read(["out_time_us=1000000", ended, "progress=end"], expected=2.0)
    assert short.level == CORRUPTED and short.detail.endswith(f"declares 00:00:02.0 ({ended.split('] ')[-1]})")
    assert read([ended], expected=None).level == CORRUPTED  # no length to compare: the message decides


def test_clock():
    assert clock(0) == "00:00:00.0"
    assert clock(3723.46) == "01:02:03.5"
    assert clock(59.96) == "00:01:00.0"


def test_decode_module_imports_nothing_heavy():
    code = ("import sys, linkdoctor.scanner.decode, linkdoctor.scanner.layout, linkdoctor.worker_tasks; "
            "heavy = {'flask', 'sqlalchemy', 'linkdoctor.models', 'ffmpeg'} & set(sys.modules); "
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)
