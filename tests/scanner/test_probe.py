"""probe_media's phase-2 verdicts on real media made by ffmpeg: ok, suspicious, corrupted, odd names."""

import dataclasses
import shutil
import subprocess
import sys

import pytest

from linkdoctor.mediagen import make_audio, make_garbage, make_truncated, make_video
from tests.support.corpus import cut_mp3_on_a_frame
from linkdoctor.scanner.probe import (
    CORRUPTED, OK, SUSPICIOUS, UNREADABLE, ProbeError, ProbeVerdict, is_probeable, probe_media,
)

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
    assert verdict == ProbeVerdict(OK, "ok", verdict.duration, streams)
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
    size = (tmp_path / "cut.mkv").stat().st_size
    assert verdict.level == CORRUPTED
    assert verdict.detail.startswith("container size: Matroska segment declares ")
    assert verdict.detail.endswith(f" bytes, file has {size:,}")


@requires_ffmpeg
@pytest.mark.parametrize("key", [".mp4", "slow.mp4", ".m4a"])
@pytest.mark.parametrize("fraction", [0.3, 0.6, 0.9, 0.99])
def test_truncated_mp4_is_not_ok_with_the_index_first_or_last(healthy, tmp_path, key, fraction):
    verdict = probe_media(str(make_truncated(healthy[key], tmp_path / f"cut{healthy[key].suffix}", fraction)))
    assert verdict.level == CORRUPTED
    assert verdict.detail.startswith("container size: '")
    assert "' box declares " in verdict.detail


@requires_ffmpeg
@pytest.mark.parametrize("key", [".avi", ".webm"])
def test_truncated_avi_and_webm_are_not_ok(healthy, tmp_path, key):
    verdict = probe_media(str(make_truncated(healthy[key], tmp_path / f"cut{key}", 0.6)))
    assert verdict.level == CORRUPTED
    assert verdict.detail.startswith("container size: ")


@requires_ffmpeg
def test_mp4_boxes_with_64_bit_sizes_are_walked(tmp_path):
    # Files over 4 GB use size=1 plus a 64-bit size; check the walk on a tiny synthetic one.
    ftyp = (16).to_bytes(4, "big") + b"ftypisom" + bytes(4)
    mdat_header = (1).to_bytes(4, "big") + b"mdat" + (16 + 1000).to_bytes(8, "big")
    complete = tmp_path / "complete.mp4"
    complete.write_bytes(ftyp + mdat_header + bytes(1000))
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(ftyp + mdat_header + bytes(400))
    assert probe_media(str(cut)) == ProbeVerdict(CORRUPTED, "container size: 'mdat' box declares 1,032 bytes, file has 432")
    verdict = probe_media(str(complete))  # complete layout, so ffprobe gets to judge (no moov)
    assert verdict.level == CORRUPTED and verdict.detail.startswith("probe error: ")


@requires_ffmpeg
def test_a_truncated_mp3_is_corrupted_by_its_cut_last_frame(healthy, tmp_path):
    # What the probe alone finds, in every mode (phase2_decode: off too): fewer bytes than the
    # Info header declares, and the last frame cut, which no stale header explains.
    cut = make_truncated(healthy[".mp3"], tmp_path / "cut.mp3", 0.5)
    verdict = probe_media(str(cut))
    audio = cut.stat().st_size - (healthy[".mp3"].stat().st_size - 16_508)  # less the ID3v2 tag
    assert verdict.level == CORRUPTED
    assert verdict.detail == (f"container size: Info header declares 16,508 bytes of audio, file has {audio:,}, "
                              "and its last frame is cut")


@requires_ffmpeg
def test_an_mp3_that_ends_on_a_whole_frame_short_of_its_header_is_only_suspicious(healthy, tmp_path):
    # Taggers and editors leave the Xing/Info byte count stale on files that play to the end, so
    # the count alone is a doubt; the decode compares where the audio ends with the frame count.
    cut = cut_mp3_on_a_frame(healthy[".mp3"], tmp_path / "cut.mp3", 0.5)
    verdict = probe_media(str(cut))
    audio = cut.stat().st_size - (healthy[".mp3"].stat().st_size - 16_508)  # less the ID3v2 tag
    assert verdict.level == SUSPICIOUS
    assert verdict.detail.startswith(f"container size: Info header declares 16,508 bytes of audio, file has {audio:,}")
    assert "probe warning: filesize and duration do not match (growing file?)" in verdict.detail
    assert verdict.expected_duration == pytest.approx(2.04, abs=0.01)  # 78 frames of 1152 samples


@requires_ffmpeg
def test_truncated_flac_is_caught_by_its_last_packet(healthy, tmp_path):
    verdict = probe_media(str(make_truncated(healthy[".flac"], tmp_path / "cut.flac", 0.4)))
    assert verdict.level == CORRUPTED
    assert verdict.detail.startswith("container size: FLAC STREAMINFO declares 2.0s, the last packet ends at ")


# --- not media at all ------------------------------------------------------------------

@requires_ffmpeg
@pytest.mark.parametrize("name", ["garbage.mkv", "garbage.mp4", "garbage.avi"])
def test_garbage_bytes_are_not_ok(tmp_path, name):
    verdict = probe_media(str(make_garbage(tmp_path / name, 64 * 1024)))
    assert verdict.level == CORRUPTED
    assert verdict.detail.startswith("probe error: ")


def test_an_empty_file_is_not_ok(tmp_path):
    empty = tmp_path / "empty.mkv"
    empty.write_bytes(b"")
    assert probe_media(str(empty)) == ProbeVerdict(CORRUPTED, "empty file")


@requires_ffmpeg
def test_a_text_file_named_mkv_is_not_ok(tmp_path):
    text = tmp_path / "readme.mkv"
    text.write_text("This is not a film, just some text that was renamed.\n" * 50)
    verdict = probe_media(str(text))
    assert verdict.level == CORRUPTED
    assert verdict.detail == "probe error: Invalid data found when processing input (EBML header parsing failed)"


@requires_ffmpeg
def test_a_file_without_video_or_audio_is_not_ok(tmp_path):
    srt = tmp_path / "subs.srt"
    srt.write_text("1\n00:00:00,000 --> 00:00:02,000\nHello\n")
    only_subs = tmp_path / "subs.mkv"
    ffmpeg("-i", str(srt), "-c:s", "srt", str(only_subs))
    verdict = probe_media(str(only_subs))
    assert verdict.level == CORRUPTED
    assert verdict.detail == "probe error: no video or audio stream"
    assert verdict.streams == ("subtitle",)


def test_unreadable_targets_are_not_ok_and_not_corrupted(tmp_path):
    # A file that cannot be read says nothing of its content: the scan shows an io_error, never a removal.
    assert probe_media(str(tmp_path / "gone.mkv")) == ProbeVerdict(UNREADABLE, "reading the file: No such file or directory")
    (tmp_path / "folder.mkv").mkdir()
    assert probe_media(str(tmp_path / "folder.mkv")) == ProbeVerdict(UNREADABLE, "reading the file: Is a directory")


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
    assert probe_media(str(bad)).level == CORRUPTED


@requires_ffmpeg
def test_a_library_symlink_is_judged_by_its_target(healthy, tmp_path):
    good_link, bad_link = tmp_path / "Good (2020).mkv", tmp_path / "Bad (2020).mkv"
    good_link.symlink_to(healthy[".mkv"])
    bad_link.symlink_to(make_truncated(healthy[".mkv"], tmp_path / "source" / "bad.mkv", 0.5))
    assert probe_media(str(good_link)).ok
    assert probe_media(str(bad_link)).detail.startswith("container size: ")


@requires_ffmpeg
def test_a_concat_name_is_not_read_through_the_concat_protocol(healthy, tmp_path, monkeypatch):
    # If ffprobe took "concat:video.mkv" as a protocol it would read the healthy
    # video.mkv next to it and say "ok".
    shutil.copyfile(healthy[".mkv"], tmp_path / "video.mkv")
    make_garbage(tmp_path / "concat:video.mkv", 64 * 1024)
    monkeypatch.chdir(tmp_path)
    assert probe_media("concat:video.mkv").level == CORRUPTED
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
    verdict = ProbeVerdict(OK, "ok", 2.0, ("video",))
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.level = CORRUPTED  # type: ignore[misc]
    assert verdict.ok and not ProbeVerdict(SUSPICIOUS, "no duration").ok
    assert ProbeVerdict(CORRUPTED, "empty file").streams == () and ProbeVerdict(CORRUPTED, "x").duration is None


def test_probe_module_imports_nothing_heavy():
    code = ("import sys, linkdoctor.scanner.probe; "
            "heavy = {'flask', 'sqlalchemy', 'linkdoctor.models', 'ffmpeg'} & set(sys.modules); "
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)


# --- the phase-2 corpus: what the probe alone concludes -------------------------------

CORPUS_PROBE = {
    "pipe.mkv": (SUSPICIOUS, "no duration"),
    "pipe.webm": (SUSPICIOUS, "no duration"),
    "clip.mp4": (OK, "ok"),
    "clip.avi": (OK, "ok"),
    "tone.mp3": (OK, "ok"),
    "tone.flac": (OK, "ok"),
    "pipe.flac": (SUSPICIOUS, "no duration"),
    "pipe.wv": (SUSPICIOUS, "no duration"),
    "pipe.ogg": (OK, "ok"),  # Ogg never declares a length: ffprobe reads the last page
    "tone.wma": (OK, "ok"),
    "tone.ac3": (SUSPICIOUS, "estimated duration"),
    "id3v1.mp3": (OK, "ok"),
    "apev2.mp3": (OK, "ok"),
    "lyrics3.mp3": (OK, "ok"),
    "apev2-id3v1.mp3": (OK, "ok"),
    "big-apev2.mp3": (SUSPICIOUS, "estimated duration; probe warning: invalid concatenated file detected - "
                                  "using bitrate for duration; APEv2 after the media"),
    "capture.ts": (OK, "ok"),
}


@requires_ffmpeg
@pytest.mark.parametrize("name", sorted(CORPUS_PROBE))
def test_clean_files_are_ok_or_suspicious_never_corrupted(corpus, name):
    clean, _ = corpus
    verdict = probe_media(str(clean[name]))
    assert (verdict.level, verdict.detail) == CORPUS_PROBE[name]


@requires_ffmpeg
def test_a_matroska_file_cut_in_its_index_is_only_suspicious(corpus):
    clean, _ = corpus
    verdict = probe_media(str(clean["cues-cut.mkv"]))
    size = clean["cues-cut.mkv"].stat().st_size
    assert verdict.level == SUSPICIOUS
    assert verdict.detail == (f"container size: Matroska segment declares {size - 10 + 46:,} bytes, file has {size:,}; "
                              "only its index (Cues) after the last cluster is cut")
    assert verdict.expected_duration == pytest.approx(2.0, abs=0.05)  # the decode must reach it


@requires_ffmpeg
def test_an_avi_without_its_idx1_index_is_only_suspicious(corpus):
    clean, _ = corpus
    verdict = probe_media(str(clean["no-idx1.avi"]))
    assert verdict.level == SUSPICIOUS
    assert verdict.detail.startswith("container size: RIFF 'AVI ' chunk declares ")
    assert verdict.detail.endswith("; only what follows the media data (index, tags) is cut")


@requires_ffmpeg
@pytest.mark.parametrize("name", ["id3v1.mp3", "apev2.mp3", "lyrics3.mp3", "apev2-id3v1.mp3", "big-apev2.mp3"])
def test_trailing_tags_are_left_out_of_what_is_decoded(corpus, name):
    clean, _ = corpus
    assert probe_media(str(clean[name])).media_end == clean["tone.mp3"].stat().st_size  # the untagged file
    assert probe_media(str(clean["tone.mp3"])).media_end is None


@requires_ffmpeg
def test_a_zero_filled_tail_is_suspicious_with_the_declared_length(corpus):
    _, damaged = corpus
    verdict = probe_media(str(damaged["clip.avi", "zero"]))
    assert (verdict.level, verdict.detail) == (SUSPICIOUS, "zero-filled tail: the last 4,096 bytes are zeros")
    assert verdict.expected_duration == pytest.approx(2.0, abs=0.1)
