"""probe_media's phase-2 verdicts on real media made by ffmpeg: healthy, truncated, garbage, odd names."""

import dataclasses
import os
import shutil
import subprocess
import sys

import pytest

from linkdoctor.mediagen import make_audio, make_garbage, make_truncated, make_video
from linkdoctor.scanner.probe import ProbeError, ProbeVerdict, is_probeable, probe_media

requires_ffmpeg = pytest.mark.skipif(
    shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None,
    reason="ffmpeg/ffprobe are not installed; probe tests need real media and a real ffprobe",
)


@pytest.fixture(scope="module")
def healthy(tmp_path_factory):
    """One healthy file per container, generated once for the module."""
    folder = tmp_path_factory.mktemp("healthy")
    files = {suffix: make_video(folder / f"video{suffix}") for suffix in (".mkv", ".mp4", ".avi", ".webm", ".ts")}
    files["slow.mp4"] = make_video(folder / "slow.mp4", faststart=False)
    files.update({suffix: make_audio(folder / f"audio{suffix}") for suffix in (".mp3", ".flac", ".m4a")})
    return files


# --- healthy files ---------------------------------------------------------------------

@requires_ffmpeg
@pytest.mark.parametrize("key, streams", [
    (".mkv", ("video", "audio")), (".mp4", ("video", "audio")), ("slow.mp4", ("video", "audio")),
    (".avi", ("video", "audio")), (".webm", ("video", "audio")), (".ts", ("video", "audio")),
    (".mp3", ("audio",)), (".flac", ("audio",)), (".m4a", ("audio",)),
])
def test_healthy_files_are_ok_with_duration_and_stream_kinds(healthy, key, streams):
    verdict = probe_media(str(healthy[key]))
    assert verdict == ProbeVerdict(True, "ok", verdict.duration, streams)
    assert verdict.duration == pytest.approx(2.0, abs=0.1)


def ffmpeg(*args: str) -> None:
    """Run ffmpeg quietly for the few fixtures mediagen does not make."""
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


@requires_ffmpeg
def test_cover_art_is_reported_but_is_not_video(healthy, tmp_path):
    cover, tagged = tmp_path / "cover.png", tmp_path / "tagged.mp3"
    ffmpeg("-f", "lavfi", "-i", "color=red:size=64x64", "-frames:v", "1", str(cover))
    ffmpeg("-i", str(healthy[".mp3"]), "-i", str(cover), "-map", "0", "-map", "1", "-c", "copy",
           "-disposition:v", "attached_pic", str(tagged))
    verdict = probe_media(str(tagged))
    assert verdict.ok, verdict.detail
    assert verdict.streams == ("audio", "attached_pic")


@requires_ffmpeg
def test_video_without_audio_is_ok(healthy, tmp_path):
    silent = tmp_path / "silent.mkv"
    ffmpeg("-i", str(healthy[".mkv"]), "-map", "0:v", "-c", "copy", str(silent))
    verdict = probe_media(str(silent))
    assert verdict.ok and verdict.streams == ("video",)


@requires_ffmpeg
def test_a_ts_capture_starting_mid_gop_is_ok_despite_decoder_errors(tmp_path):
    # Real TS recordings start anywhere; ffprobe's decoder then logs "non-existing PPS"
    # errors while probing, which must not condemn a playable file.
    full = make_video(tmp_path / "full.ts", seconds=4.0).read_bytes()
    start = (len(full) * 2 // 5) // 188 * 188
    cut = tmp_path / "capture.ts"
    cut.write_bytes(full[start:])
    verdict = probe_media(str(cut))
    assert verdict.ok, verdict.detail
    assert verdict.streams == ("video", "audio")


@requires_ffmpeg
def test_a_matroska_segment_of_unknown_size_is_not_called_truncated(tmp_path):
    # Live recorders write an "unknown" segment size; the layout check must not guess.
    data = bytearray(make_video(tmp_path / "full.mkv").read_bytes())
    at = data.index(b"\x18\x53\x80\x67") + 4
    assert data[at] == 0x01  # an 8-byte size, as ffmpeg writes it
    data[at:at + 8] = b"\x01" + b"\xff" * 7
    live = tmp_path / "live.mkv"
    live.write_bytes(bytes(data))
    assert probe_media(str(live)).ok


# --- truncated files -------------------------------------------------------------------

@requires_ffmpeg
@pytest.mark.parametrize("fraction", [0.3, 0.6, 0.9, 0.99])
def test_truncated_mkv_is_not_ok(healthy, tmp_path, fraction):
    verdict = probe_media(str(make_truncated(healthy[".mkv"], tmp_path / "cut.mkv", fraction)))
    assert not verdict.ok
    assert verdict.detail.startswith("truncated: Matroska segment ends at byte")


@requires_ffmpeg
@pytest.mark.parametrize("key", [".mp4", "slow.mp4", ".m4a"])
@pytest.mark.parametrize("fraction", [0.3, 0.6, 0.9, 0.99])
def test_truncated_mp4_is_not_ok_with_the_index_first_or_last(healthy, tmp_path, key, fraction):
    verdict = probe_media(str(make_truncated(healthy[key], tmp_path / f"cut{healthy[key].suffix}", fraction)))
    assert not verdict.ok
    assert verdict.detail.startswith("truncated: '")
    assert "box ends at byte" in verdict.detail


@requires_ffmpeg
@pytest.mark.parametrize("key", [".avi", ".webm"])
def test_truncated_avi_and_webm_are_not_ok(healthy, tmp_path, key):
    verdict = probe_media(str(make_truncated(healthy[key], tmp_path / f"cut{key}", 0.6)))
    assert not verdict.ok
    assert verdict.detail.startswith("truncated: ")


@requires_ffmpeg
def test_mp4_boxes_with_64_bit_sizes_are_walked(tmp_path):
    # Files over 4 GB use size=1 plus a 64-bit size; check the walk on a tiny synthetic one.
    ftyp = (16).to_bytes(4, "big") + b"ftypisom" + bytes(4)
    mdat_header = (1).to_bytes(4, "big") + b"mdat" + (16 + 1000).to_bytes(8, "big")
    complete = tmp_path / "complete.mp4"
    complete.write_bytes(ftyp + mdat_header + bytes(1000))
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(ftyp + mdat_header + bytes(400))
    assert probe_media(str(cut)) == ProbeVerdict(False, "truncated: 'mdat' box ends at byte 1032, file has 432")
    verdict = probe_media(str(complete))  # complete layout, so ffprobe gets to judge (no moov)
    assert not verdict.ok and verdict.detail.startswith("ffprobe: ")


@requires_ffmpeg
def test_truncated_mp3_is_caught_from_ffprobe_stderr(healthy, tmp_path):
    # ffprobe exits 0 here: only its warning tells that the Xing header promised more.
    verdict = probe_media(str(make_truncated(healthy[".mp3"], tmp_path / "cut.mp3", 0.5)))
    assert not verdict.ok
    assert verdict.detail == "truncated: filesize and duration do not match (growing file?)"


@requires_ffmpeg
def test_truncated_flac_is_caught_by_its_last_packet(healthy, tmp_path):
    verdict = probe_media(str(make_truncated(healthy[".flac"], tmp_path / "cut.flac", 0.4)))
    assert not verdict.ok
    assert verdict.detail.startswith("truncated: last packet at ")
    assert verdict.detail.endswith("s of 2.0s")


# --- not media at all ------------------------------------------------------------------

@requires_ffmpeg
@pytest.mark.parametrize("name", ["garbage.mkv", "garbage.mp4", "garbage.avi"])
def test_garbage_bytes_are_not_ok(tmp_path, name):
    verdict = probe_media(str(make_garbage(tmp_path / name, 64 * 1024)))
    assert not verdict.ok
    assert verdict.detail.startswith("ffprobe: ")


def test_an_empty_file_is_not_ok(tmp_path):
    empty = tmp_path / "empty.mkv"
    empty.write_bytes(b"")
    assert probe_media(str(empty)) == ProbeVerdict(False, "empty file")


@requires_ffmpeg
def test_a_text_file_named_mkv_is_not_ok(tmp_path):
    text = tmp_path / "readme.mkv"
    text.write_text("This is not a film, just some text that was renamed.\n" * 50)
    verdict = probe_media(str(text))
    assert not verdict.ok
    assert verdict.detail == "ffprobe: Invalid data found when processing input (EBML header parsing failed)"


@requires_ffmpeg
def test_a_file_without_video_or_audio_is_not_ok(tmp_path):
    srt = tmp_path / "subs.srt"
    srt.write_text("1\n00:00:00,000 --> 00:00:02,000\nHello\n")
    only_subs = tmp_path / "subs.mkv"
    ffmpeg("-i", str(srt), "-c:s", "srt", str(only_subs))
    verdict = probe_media(str(only_subs))
    assert not verdict.ok
    assert verdict.detail == "no video or audio stream"
    assert verdict.streams == ("subtitle",)


def test_unreadable_targets_are_not_ok(tmp_path):
    assert probe_media(str(tmp_path / "gone.mkv")) == ProbeVerdict(False, "unreadable: No such file or directory")
    (tmp_path / "folder.mkv").mkdir()
    assert probe_media(str(tmp_path / "folder.mkv")) == ProbeVerdict(False, "unreadable: Is a directory")


@requires_ffmpeg
def test_a_missing_ffprobe_raises_instead_of_condemning_the_file(healthy):
    with pytest.raises(ProbeError):
        probe_media(str(healthy[".mkv"]), ffprobe="/nonexistent/ffprobe")


# --- file names ------------------------------------------------------------------------

ODD_NAMES = [
    "with spaces.mkv",
    "it's \"quoted\".mkv",
    "-leading-dash.mkv",
    "new\nline.mkv",
    "Amélie 日本語 ñ.mkv",
    "concat:video.mkv",
    "a:b|c;d$(echo x)`e`.mkv",
]


@requires_ffmpeg
@pytest.mark.parametrize("name", ODD_NAMES)
def test_any_file_name_is_probed_as_that_exact_file(healthy, tmp_path, monkeypatch, name):
    good = tmp_path / name
    shutil.copyfile(healthy[".mkv"], good)
    monkeypatch.chdir(tmp_path)
    assert probe_media(str(good)).ok
    assert probe_media(name).ok  # relative, so "-..." or "concat:..." is the very first character

    bad = tmp_path / "bad" / name
    bad.parent.mkdir()
    make_truncated(healthy[".mkv"], bad, 0.5)
    assert not probe_media(str(bad)).ok


@requires_ffmpeg
def test_a_library_symlink_is_judged_by_its_target(healthy, tmp_path):
    good_link, bad_link = tmp_path / "Good (2020).mkv", tmp_path / "Bad (2020).mkv"
    good_link.symlink_to(healthy[".mkv"])
    bad_link.symlink_to(make_truncated(healthy[".mkv"], tmp_path / "source" / "bad.mkv", 0.5))
    assert probe_media(str(good_link)).ok
    assert probe_media(str(bad_link)).detail.startswith("truncated: ")


@requires_ffmpeg
def test_a_concat_name_is_not_read_through_the_concat_protocol(healthy, tmp_path, monkeypatch):
    # If ffprobe took "concat:video.mkv" as a protocol it would read the healthy
    # video.mkv next to it and say "ok".
    shutil.copyfile(healthy[".mkv"], tmp_path / "video.mkv")
    make_garbage(tmp_path / "concat:video.mkv", 64 * 1024)
    monkeypatch.chdir(tmp_path)
    assert not probe_media("concat:video.mkv").ok
    assert probe_media("video.mkv").ok


# --- API ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [
    "film.mkv", "FILM.MKV", "clip.Mp4", "old.avi", "show.m2ts", "rec.ts", "song.mp3", "album.FLAC",
    "book.m4a", "voice.opus", "track.ogg", "raw.wav", "a.b.c.webm", "/mnt/debrid/dir.srt/film.mkv",
])
def test_media_files_are_probeable(name):
    assert is_probeable(name)


@pytest.mark.parametrize("name", [
    "film.srt", "film.fr.ass", "film.sub", "film.idx", "poster.jpg", "fanart.PNG", "cover.jpeg", "movie.nfo",
    "notes.txt", "film.mkv.part", "README", ".mkv", "/mnt/debrid/film.mkv/",
])
def test_subtitles_images_and_side_files_are_not_probeable(name):
    assert not is_probeable(name)


def test_verdicts_are_frozen():
    verdict = ProbeVerdict(True, "ok", 2.0, ("video",))
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.ok = False  # type: ignore[misc]
    assert ProbeVerdict(False, "empty file").streams == () and ProbeVerdict(False, "x").duration is None


def test_probe_module_imports_nothing_heavy():
    code = ("import sys, linkdoctor.scanner.probe; "
            "heavy = {'flask', 'sqlalchemy', 'linkdoctor.models', 'ffmpeg'} & set(sys.modules); "
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)
