"""A small corpus of real media for phase 2: the containers and codecs libraries hold, clean and damaged.

Clean files include the ones a probe alone used to call corrupted: Matroska/WebM written to a
pipe (no duration), WavPack and FLAC written without a length, MP3 with tags after the audio
(ID3v1, APEv2, Lyrics3, and an APEv2 tag large enough for ffprobe to warn), a TS capture that
starts mid-GOP, a Matroska file cut in its index and an AVI whose idx1 index is missing.
Every clean file is damaged three ways: 4 KiB inverted in the middle, cut in half, and the last
40% zeroed.

FOUND_BY says which modes of phase2_decode find each damaged file, and why the others cannot.
"""

import shutil
from pathlib import Path

import pytest

from linkdoctor.mediagen import append_tags, make_audio, make_flipped, make_truncated, make_video, make_zero_tail
from linkdoctor.scanner.layout import id3v2_end, mp3_frame_length

requires_ffmpeg = pytest.mark.skipif(
    shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None,
    reason="ffmpeg/ffprobe are not installed; phase-2 tests need real media, a real ffprobe and ffmpeg",
)

MODES = ("off", "suspicious", "sampled", "all")
DAMAGES = ("flip", "trunc", "zero")

# name -> how to make it
VIDEOS = {"pipe.mkv": {"piped": True}, "pipe.webm": {"piped": True}, "clip.mp4": {}, "clip.avi": {}}
AUDIOS = {"tone.mp3": {}, "tone.flac": {}, "pipe.flac": {"piped": True}, "pipe.wv": {"piped": True},
          "pipe.ogg": {"piped": True}, "tone.wma": {}, "tone.ac3": {}}
TAGGED = {"id3v1.mp3": ("id3v1",), "apev2.mp3": ("apev2",), "lyrics3.mp3": ("lyrics3", "id3v1"),
          "apev2-id3v1.mp3": ("apev2", "id3v1")}

PROBE, DOUBT, DECODE = set(MODES), {"suspicious", "sampled", "all"}, {"sampled", "all"}
# Which modes find each damaged file. The probe finds what breaks a declared size or makes
# ffprobe fail (every mode); a decode confirms what the probe doubted (every mode but "off");
# damage in a file the probe finds clean needs "all", or "sampled", which decodes files of
# two seconds whole (too short to sample; tests/support/longclips.py has ten-minute clips).
FOUND_BY = {
    ("pipe.mkv", "flip"): DOUBT, ("pipe.mkv", "trunc"): DOUBT, ("pipe.mkv", "zero"): DOUBT,
    ("pipe.webm", "flip"): DOUBT, ("pipe.webm", "trunc"): DOUBT, ("pipe.webm", "zero"): DOUBT,
    ("clip.mp4", "flip"): DECODE, ("clip.mp4", "trunc"): PROBE, ("clip.mp4", "zero"): DOUBT,
    ("clip.avi", "flip"): DECODE, ("clip.avi", "trunc"): PROBE, ("clip.avi", "zero"): DOUBT,
    ("tone.mp3", "flip"): DECODE, ("tone.mp3", "zero"): DOUBT,
    ("tone.flac", "flip"): DECODE, ("tone.flac", "trunc"): PROBE, ("tone.flac", "zero"): PROBE,
    ("pipe.flac", "flip"): DOUBT, ("pipe.flac", "trunc"): DOUBT, ("pipe.flac", "zero"): DOUBT,
    # A WavPack file without a length: its cut reads as an I/O error, which a failing mount
    # gives too (no verdict), and zeros after the last block read as its end.
    ("pipe.wv", "flip"): DOUBT, ("pipe.wv", "trunc"): set(), ("pipe.wv", "zero"): set(),
    # Ogg pages carry CRCs: ffprobe itself fails on each damage.
    ("pipe.ogg", "flip"): PROBE, ("pipe.ogg", "trunc"): PROBE, ("pipe.ogg", "zero"): PROBE,
    ("tone.wma", "flip"): DECODE, ("tone.wma", "trunc"): DOUBT, ("tone.wma", "zero"): DOUBT,
    # Raw AC-3 has no length (the probe estimates one, a doubt) and a cut one is a valid shorter file.
    ("tone.ac3", "flip"): DOUBT, ("tone.ac3", "trunc"): set(), ("tone.ac3", "zero"): DOUBT,
    **{(name, "flip"): DECODE for name in TAGGED},
    # A cut MP3 ends inside a frame, short of its Info header's byte count: the probe alone sees it.
    ("tone.mp3", "trunc"): PROBE, ("big-apev2.mp3", "trunc"): PROBE,
    **{(name, "trunc"): PROBE for name in TAGGED},
    **{(name, "zero"): DOUBT for name in TAGGED},
    ("big-apev2.mp3", "flip"): DOUBT, ("big-apev2.mp3", "zero"): DOUBT,
}


def build_clean(folder: Path) -> dict[str, Path]:
    """The clean files, one per case, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {name: make_video(folder / name, seconds=2.0, **how) for name, how in VIDEOS.items()}
    files.update({name: make_audio(folder / name, seconds=2.0, **how) for name, how in AUDIOS.items()})
    for name, tags in TAGGED.items():
        files[name] = append_tags(shutil.copyfile(files["tone.mp3"], folder / name), *tags)
    # Over 1/16 of the file: ffprobe then warns "invalid concatenated file" and estimates the duration.
    files["big-apev2.mp3"] = append_tags(shutil.copyfile(files["tone.mp3"], folder / "big-apev2.mp3"),
                                         "apev2", ape_bytes=3000)
    files["capture.ts"] = _capture(folder)
    files["cues-cut.mkv"] = _cut_at(folder / "full.mkv", folder / "cues-cut.mkv",
                                    b"\x1c\x53\xbb\x6b", 10)
    files["no-idx1.avi"] = _cut_at(files["clip.avi"], folder / "no-idx1.avi", b"idx1", 0)
    return files


def build_damaged(clean: dict[str, Path], folder: Path) -> dict[tuple[str, str], Path]:
    """Each file of FOUND_BY, damaged: (name, damage) -> path."""
    makers = {"flip": make_flipped, "trunc": make_truncated, "zero": make_zero_tail}
    return {(name, damage): makers[damage](clean[name], folder / f"{damage}-{name}") for name, damage in FOUND_BY}


def cut_mp3_on_a_frame(src: Path, dst: Path, keep_fraction: float = 0.5) -> Path:
    """Copy the MP3 ``src`` up to the frame boundary nearest ``keep_fraction``: a stale size header, or a cut
    that happened to fall between two frames (what the probe alone cannot tell from each other)."""
    data = src.read_bytes()
    pos = id3v2_end(data[:4096])
    while pos < len(data) * keep_fraction and (length := mp3_frame_length(data[pos:pos + 4])):
        pos += length
    dst.write_bytes(data[:pos])
    return dst


def _capture(folder: Path) -> Path:
    """A TS recording that starts mid-GOP, as a tuner captures it: its decoder complains at first."""
    full = make_video(folder / "full.ts", seconds=4.0).read_bytes()
    start = (len(full) * 2 // 5) // 188 * 188  # a whole number of TS packets
    path = folder / "capture.ts"
    path.write_bytes(full[start:])
    return path


def _cut_at(src: Path, dst: Path, marker: bytes, past: int) -> Path:
    """Copy ``src`` up to ``past`` bytes after the last ``marker`` (the Matroska Cues ID, the AVI idx1 chunk)."""
    if not src.exists():
        make_video(src, seconds=2.0)
    data = src.read_bytes()
    dst.write_bytes(data[:data.rindex(marker) + past])
    return dst
