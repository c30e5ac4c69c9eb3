"""mediagen makes small, real, deterministic media with ffmpeg, under any file name."""

import json
import os
import shutil
import subprocess

import pytest

from linkdoctor.mediagen import (
    MediaGenerationError, append_tags, make_audio, make_flipped, make_garbage, make_truncated, make_video,
    make_zero_tail,
)

requires_ffmpeg = pytest.mark.skipif(
    shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None,
    reason="ffmpeg/ffprobe are not installed; these tests generate and inspect real media",
)


def ffprobe_json(path) -> dict:
    """Format and streams of `path` straight from ffprobe (independent of linkdoctor's probe)."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-of", "json", "-show_format", "-show_streams", "file:" + os.path.abspath(path)],
        capture_output=True, check=True,
    ).stdout
    return json.loads(out)


@requires_ffmpeg
@pytest.mark.parametrize("suffix, format_name, codecs", [
    (".mkv", "matroska,webm", ["h264", "aac"]),
    (".mp4", "mov,mp4,m4a,3gp,3g2,mj2", ["h264", "aac"]),
    (".avi", "avi", ["mpeg4", "mp3"]),
    (".webm", "matroska,webm", ["vp8", "opus"]),
    (".ts", "mpegts", ["h264", "aac"]),
    (".m4v", "mov,mp4,m4a,3gp,3g2,mj2", ["h264", "aac"]),
    (".mov", "mov,mp4,m4a,3gp,3g2,mj2", ["h264", "aac"]),
])
def test_make_video_writes_small_real_video_in_the_suffix_container(tmp_path, suffix, format_name, codecs):
    path = make_video(tmp_path / f"clip{suffix}", seconds=2.0)
    info = ffprobe_json(path)
    assert info["format"]["format_name"] == format_name
    assert sorted(s["codec_name"] for s in info["streams"]) == sorted(codecs)
    assert [s["codec_type"] for s in info["streams"]] == ["video", "audio"]
    assert float(info["format"]["duration"]) == pytest.approx(2.0, abs=0.1)
    assert 10_000 < path.stat().st_size < 100_000


@requires_ffmpeg
def test_make_video_honours_size_and_seconds(tmp_path):
    path = make_video(tmp_path / "wide.mkv", seconds=3.0, size="320x180")
    info = ffprobe_json(path)
    video = info["streams"][0]
    assert (video["width"], video["height"]) == (320, 180)
    assert float(info["format"]["duration"]) == pytest.approx(3.0, abs=0.1)


@requires_ffmpeg
def test_make_video_places_the_mp4_index_first_unless_told_otherwise(tmp_path):
    def top_level_boxes(path):
        data, pos, boxes = path.read_bytes(), 0, []
        while pos + 8 <= len(data):
            boxes.append(data[pos + 4:pos + 8].decode())
            pos += int.from_bytes(data[pos:pos + 4], "big")
        return boxes

    fast = top_level_boxes(make_video(tmp_path / "fast.mp4"))
    slow = top_level_boxes(make_video(tmp_path / "slow.mp4", faststart=False))
    assert fast.index("moov") < fast.index("mdat")
    assert slow.index("moov") > slow.index("mdat")


@requires_ffmpeg
@pytest.mark.parametrize("suffix, codec", [(".mp3", "mp3"), (".flac", "flac"), (".m4a", "aac"),
                                           (".ogg", "vorbis"), (".opus", "opus"), (".wav", "pcm_s16le"),
                                           (".wv", "wavpack"), (".wma", "wmav2"), (".ac3", "ac3")])
def test_make_audio_writes_audio_only_files(tmp_path, suffix, codec):
    path = make_audio(tmp_path / f"tone{suffix}", seconds=2.0)
    info = ffprobe_json(path)
    assert [(s["codec_type"], s["codec_name"]) for s in info["streams"]] == [("audio", codec)]
    assert float(info["format"]["duration"]) == pytest.approx(2.0, abs=0.1)
    assert path.stat().st_size < 100_000


@requires_ffmpeg
@pytest.mark.parametrize("maker, name", [(make_video, "a.mkv"), (make_video, "a.mp4"), (make_audio, "a.flac")])
def test_output_is_deterministic(tmp_path, maker, name):
    first = maker(tmp_path / "one" / name).read_bytes()
    second = maker(tmp_path / "two" / name).read_bytes()
    assert first == second


@requires_ffmpeg
@pytest.mark.parametrize("name", ["-leading dash.mkv", "new\nline.mkv", "concat:x.mkv|y.mkv", "ünï 'q' \"dq\".mkv"])
def test_any_file_name_is_written_literally(tmp_path, name):
    path = make_video(tmp_path / name)
    assert path == tmp_path / name
    assert path.is_file() and os.listdir(tmp_path) == [name]


@requires_ffmpeg
def test_make_truncated_keeps_the_first_part_of_a_real_file(tmp_path):
    src = make_video(tmp_path / "full.mkv")
    for fraction in (0.1, 0.5, 0.9):
        dst = make_truncated(src, tmp_path / "cut" / f"{fraction}.mkv", keep_fraction=fraction)
        data = dst.read_bytes()
        assert len(data) == int(src.stat().st_size * fraction)
        assert src.read_bytes().startswith(data)


def test_make_truncated_rejects_fractions_outside_0_1(tmp_path):
    src = make_garbage(tmp_path / "src.bin", 100)
    for fraction in (0.0, 1.0, -0.5, 2.0):
        with pytest.raises(ValueError):
            make_truncated(src, tmp_path / "dst.bin", keep_fraction=fraction)


def test_make_garbage_is_deterministic_and_sized(tmp_path):
    a = make_garbage(tmp_path / "a.mkv", 10_000).read_bytes()
    b = make_garbage(tmp_path / "b.mkv", 10_000).read_bytes()
    c = make_garbage(tmp_path / "c.mkv", 10_000, seed=1).read_bytes()
    assert len(a) == 10_000 and a == b and a != c
    assert len(set(a)) > 200  # looks random, not a repeated pattern
    assert make_garbage(tmp_path / "empty.mkv", 0).read_bytes() == b""


@requires_ffmpeg
def test_garbage_is_not_media_to_ffprobe(tmp_path):
    path = make_garbage(tmp_path / "bad.mkv", 64 * 1024)
    proc = subprocess.run(["ffprobe", "-v", "error", "file:" + str(path)], capture_output=True)
    assert proc.returncode != 0


def test_unsupported_suffixes_are_rejected(tmp_path):
    with pytest.raises(ValueError, match="unsupported video suffix"):
        make_video(tmp_path / "clip.xyz")
    with pytest.raises(ValueError, match="unsupported audio suffix"):
        make_audio(tmp_path / "clip.mkv")


def test_missing_ffmpeg_raises_a_clear_error(tmp_path):
    with pytest.raises(MediaGenerationError, match="ffmpeg not found"):
        make_video(tmp_path / "clip.mkv", ffmpeg="no-such-ffmpeg-binary")
    assert not (tmp_path / "clip.mkv").exists()


@requires_ffmpeg
def test_ffmpeg_failure_reports_its_stderr_and_leaves_no_file(tmp_path):
    with pytest.raises(MediaGenerationError) as caught:
        make_video(tmp_path / "clip.mkv", size="0x0")
    message = str(caught.value)
    assert "ffmpeg failed" in message and "0x0" in message  # ffmpeg's own complaint is included
    assert not (tmp_path / "clip.mkv").exists()


@requires_ffmpeg
@pytest.mark.parametrize("maker, name", [(make_video, "live.mkv"), (make_video, "live.webm"),
                                         (make_audio, "live.wv"), (make_audio, "live.flac")])
def test_files_written_through_a_pipe_declare_no_length(tmp_path, maker, name):
    info = ffprobe_json(maker(tmp_path / name, seconds=2.0, piped=True))
    assert "duration" not in info["format"]  # what DVRs and `ffmpeg ... -f matroska -` write
    assert float(ffprobe_json(maker(tmp_path / ("file-" + name), seconds=2.0))["format"]["duration"]) > 1.9


@requires_ffmpeg
def test_a_piped_ogg_still_has_a_length_from_its_last_page(tmp_path):
    info = ffprobe_json(make_audio(tmp_path / "live.ogg", piped=True))
    assert float(info["format"]["duration"]) == pytest.approx(2.0, abs=0.1)


def test_append_tags_writes_id3v1_apev2_and_lyrics3_after_the_media(tmp_path):
    path = tmp_path / "a.mp3"
    path.write_bytes(b"audio")
    append_tags(path, "apev2", "lyrics3", "id3v1", ape_bytes=10)
    data = path.read_bytes()
    assert data.startswith(b"audioAPETAGEX")
    assert data[-128:].startswith(b"TAG") and len(data[-128:]) == 128
    lyrics_end = len(data) - 128
    assert data[lyrics_end - 9:lyrics_end] == b"LYRICS200"
    size = int(data[lyrics_end - 15:lyrics_end - 9])
    assert data[lyrics_end - 15 - size:].startswith(b"LYRICSBEGIN")
    ape_end = lyrics_end - 15 - size
    assert data[ape_end - 32:ape_end].startswith(b"APETAGEX")
    with pytest.raises(ValueError, match="unknown tags"):
        append_tags(path, "id3v2")


def test_make_flipped_inverts_bytes_in_the_middle_only(tmp_path):
    src = make_garbage(tmp_path / "src.bin", 20_000)
    flipped = make_flipped(src, tmp_path / "out" / "flip.bin", length=100).read_bytes()
    original = src.read_bytes()
    changed = [i for i in range(len(original)) if original[i] != flipped[i]]
    assert changed == list(range(9_950, 10_050))
    assert all(flipped[i] == original[i] ^ 0xFF for i in changed)


def test_make_zero_tail_keeps_the_size_and_zeroes_the_end(tmp_path):
    src = make_garbage(tmp_path / "src.bin", 10_000)
    data = make_zero_tail(src, tmp_path / "zero.bin", zero_fraction=0.25).read_bytes()
    assert len(data) == 10_000
    assert data[:7_500] == src.read_bytes()[:7_500] and data[7_500:] == bytes(2_500)
    with pytest.raises(ValueError):
        make_zero_tail(src, tmp_path / "x.bin", zero_fraction=1.0)
