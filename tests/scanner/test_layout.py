"""The layout checks on synthetic bytes: trailing tags, MP3 size headers, RIFF media data, a zeroed tail."""

import struct

import pytest

from linkdoctor.mediagen import _apev2_tag, _id3v1_tag, _lyrics3_tag
from linkdoctor.scanner.layout import CORRUPTED, OK, SUSPICIOUS, Layout, id3v2_end, inspect_layout

AUDIO = bytes(range(1, 256)) * 40  # not zeros, not a tag


def write(tmp_path, data: bytes, name: str = "f.bin"):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


# --- trailing tags ----------------------------------------------------------------------

@pytest.mark.parametrize("tags, names", [
    ([], ()),
    ([_id3v1_tag()], ("ID3v1",)),
    ([_apev2_tag(100)], ("APEv2",)),
    ([_apev2_tag(50_000)], ("APEv2",)),  # larger than the 4 KiB tail read at first
    ([_lyrics3_tag(), _id3v1_tag()], ("ID3v1", "Lyrics3")),
    ([_apev2_tag(10), _lyrics3_tag(), _id3v1_tag()], ("ID3v1", "Lyrics3", "APEv2")),
    ([_lyrics3_tag(), _apev2_tag(10), _id3v1_tag()], ("ID3v1", "APEv2", "Lyrics3")),
    ([b"LYRICSBEGIN" + b"old style lyrics" + b"LYRICSEND", _id3v1_tag()], ("ID3v1", "Lyrics3")),
])
def test_tags_after_the_media_are_found_and_left_out(tmp_path, tags, names):
    layout = inspect_layout(write(tmp_path, AUDIO + b"".join(tags)))
    assert layout.tags == names
    assert layout.media_end == len(AUDIO)
    assert (layout.level, layout.detail) == (OK, "")


def test_an_ape_footer_with_an_impossible_size_is_not_a_tag(tmp_path):
    footer = b"APETAGEX" + struct.pack("<IIII", 2000, 10**9, 1, 0) + bytes(8)
    layout = inspect_layout(write(tmp_path, AUDIO + footer))
    assert layout.tags == () and layout.media_end == len(AUDIO) + 32


def test_an_apev1_tag_without_header_is_found(tmp_path):
    item = struct.pack("<II", 3, 0) + b"Title\0abc"
    footer = b"APETAGEX" + struct.pack("<IIII", 1000, len(item) + 32, 1, 0) + bytes(8)
    layout = inspect_layout(write(tmp_path, AUDIO + item + footer))
    assert layout.tags == ("APEv2",) and layout.media_end == len(AUDIO)


# --- MP3 size headers -------------------------------------------------------------------

def mp3(frames: int, declared_bytes: int, audio_bytes: int, tag: str = "Info") -> bytes:
    """An MPEG-1 layer III mono 128 kb/s 44.1 kHz stream whose first frame carries a Xing/Info header."""
    header = bytes([0xFF, 0xFB, 0x90, 0xC0])  # sync, MPEG-1 layer III, 128 kb/s, 44.1 kHz, mono
    first = header + bytes(17) + tag.encode() + struct.pack(">III", 3, frames, declared_bytes)
    return first + b"\x55" * (audio_bytes - len(first))


def test_an_mp3_whose_size_header_matches_is_ok(tmp_path):
    layout = inspect_layout(write(tmp_path, mp3(40, 16_000, 16_000) + _id3v1_tag()))
    assert (layout.container, layout.level, layout.detail) == ("mp3", OK, "")


def test_an_mp3_shorter_than_its_size_header_is_suspicious_with_the_frames_duration(tmp_path):
    layout = inspect_layout(write(tmp_path, b"ID3\x04\x00\x00\x00\x00\x00\x0a" + bytes(10) + mp3(40, 16_000, 8_000)))
    assert layout.level == SUSPICIOUS
    assert layout.detail == "container size: Info header declares 16,000 bytes of audio, file has 8,000"
    assert layout.expected_duration == pytest.approx(40 * 1152 / 44100)


def test_tags_count_neither_for_nor_against_the_mp3_size(tmp_path):
    # A tag larger than 1/16 of the audio is what makes ffprobe warn; it is not audio.
    layout = inspect_layout(write(tmp_path, mp3(40, 16_000, 16_000) + _apev2_tag(5_000) + _id3v1_tag()))
    assert (layout.level, layout.tags) == (OK, ("ID3v1", "APEv2"))


def test_a_vbri_header_is_read_too(tmp_path):
    header = bytes([0xFF, 0xFB, 0x90, 0xC0])
    first = header + bytes(32) + b"VBRI" + struct.pack(">HHH", 1, 0, 0) + struct.pack(">II", 20_000, 40)
    layout = inspect_layout(write(tmp_path, first + b"\x55" * (9_000 - len(first))))
    assert layout.detail == "container size: VBRI header declares 20,000 bytes of audio, file has 9,000"


def test_within_one_sixteenth_is_ok_as_for_ffmpeg(tmp_path):
    assert inspect_layout(write(tmp_path, mp3(40, 16_000, 15_200))).level == OK


# --- RIFF -------------------------------------------------------------------------------

def wav(data_bytes: int, trailing: bytes = b"") -> bytes:
    fmt = b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16)
    data = b"data" + struct.pack("<I", data_bytes) + AUDIO[:data_bytes]
    body = b"WAVE" + fmt + data + trailing
    return b"RIFF" + struct.pack("<I", len(body)) + body


def test_a_wav_cut_after_its_data_is_suspicious_cut_in_its_data_corrupted(tmp_path):
    full = wav(4000, b"LIST" + struct.pack("<I", 100) + b"INFO" + bytes(96))
    index_cut = inspect_layout(write(tmp_path, full[:-50], "a.wav"))
    assert index_cut.level == SUSPICIOUS
    assert index_cut.detail.endswith("; only what follows the media data (index, tags) is cut")
    data_cut = inspect_layout(write(tmp_path, full[:2000], "b.wav"))
    assert data_cut == Layout(2000, "riff", CORRUPTED,
                              f"container size: RIFF 'WAVE' chunk declares {len(full):,} bytes, file has 2,000", 2000)


# --- tail and head ----------------------------------------------------------------------

def test_a_zero_filled_tail_is_suspicious(tmp_path):
    layout = inspect_layout(write(tmp_path, AUDIO + bytes(5000)))
    assert (layout.level, layout.detail) == (SUSPICIOUS, "zero-filled tail: the last 4,096 bytes are zeros")
    assert inspect_layout(write(tmp_path, AUDIO + bytes(4000), "g.bin")).level == OK  # some data in the last 4 KiB


def test_an_empty_file_is_corrupted(tmp_path):
    assert inspect_layout(write(tmp_path, b"")) == Layout(0, None, CORRUPTED, "empty file")


def test_id3v2_end_reads_the_syncsafe_size_and_the_footer_flag():
    assert id3v2_end(b"ID3\x04\x00\x00\x00\x00\x01\x00") == 10 + 128
    assert id3v2_end(b"ID3\x04\x00\x10\x00\x00\x00\x0a") == 10 + 10 + 10
    assert id3v2_end(b"fLaC") == 0
