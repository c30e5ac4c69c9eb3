"""Generate small, real media files with ffmpeg for the demo library, tests and benchmarks.

Everything is made from lavfi test sources (``testsrc`` picture + ``sine`` tone), so no
sample files are needed. ffmpeg is always run as an argument list, never through a shell,
and output names are passed as ``file:<absolute path>`` so that names with leading dashes,
colons or ``concat:`` prefixes are taken literally. Output is deterministic for a given
ffmpeg build: bitexact flags, one encoder thread and fixed test sources.

``piped=True`` writes the file as ffmpeg writes to a pipe, which is how DVRs, ``ffmpeg
... -f matroska -`` and some remuxers produce files: the muxer cannot go back to fill in
the length, so Matroska/WebM files have no Duration and WavPack/FLAC headers no length.
``append_tags`` adds the ID3v1, APEv2 and Lyrics3 tags taggers put after MP3 audio, and
``make_flipped``, ``make_truncated`` and ``make_zero_tail`` damage a copy of a file.
"""

from __future__ import annotations

import os
import random
import shutil
import struct
import subprocess
from pathlib import Path

__all__ = [
    "MediaGenerationError",
    "append_tags",
    "make_audio",
    "make_damaged_region",
    "make_flipped",
    "make_garbage",
    "make_longer_header",
    "make_truncated",
    "make_video",
    "make_zero_tail",
]

# ffmpeg should finish a few seconds of tiny media in well under a second; this only
# guards against a wedged process.
_TIMEOUT_S = 120
_STDERR_TAIL_CHARS = 1500

# suffix -> (muxer, video codec args, audio codec args, audio sample rate)
_VIDEO_FORMATS: dict[str, tuple[str, list[str], list[str], int]] = {
    ".mkv": ("matroska", ["-c:v", "libx264", "-preset", "ultrafast"], ["-c:a", "aac", "-b:a", "48k"], 44100),
    ".mp4": ("mp4", ["-c:v", "libx264", "-preset", "ultrafast"], ["-c:a", "aac", "-b:a", "48k"], 44100),
    ".m4v": ("mp4", ["-c:v", "libx264", "-preset", "ultrafast"], ["-c:a", "aac", "-b:a", "48k"], 44100),
    ".mov": ("mov", ["-c:v", "libx264", "-preset", "ultrafast"], ["-c:a", "aac", "-b:a", "48k"], 44100),
    ".avi": ("avi", ["-c:v", "mpeg4", "-q:v", "6"], ["-c:a", "libmp3lame", "-b:a", "48k"], 44100),
    ".webm": ("webm", ["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "150k"],
              ["-c:a", "libopus", "-b:a", "48k"], 48000),
    ".ts": ("mpegts", ["-c:v", "libx264", "-preset", "ultrafast"], ["-c:a", "aac", "-b:a", "48k"], 44100),
}

# suffix -> (muxer, audio codec args, sample rate)
_AUDIO_FORMATS: dict[str, tuple[str, list[str], int]] = {
    ".mp3": ("mp3", ["-c:a", "libmp3lame", "-b:a", "64k"], 44100),
    ".flac": ("flac", ["-c:a", "flac"], 44100),
    ".m4a": ("ipod", ["-c:a", "aac", "-b:a", "64k"], 44100),
    ".ogg": ("ogg", ["-c:a", "libvorbis", "-q:a", "2"], 44100),
    ".opus": ("opus", ["-c:a", "libopus", "-b:a", "48k"], 48000),
    ".wav": ("wav", ["-c:a", "pcm_s16le"], 11025),
    ".wv": ("wv", ["-c:a", "wavpack"], 44100),
    ".wma": ("asf", ["-c:a", "wmav2", "-b:a", "64k"], 44100),
    ".ac3": ("ac3", ["-c:a", "ac3", "-b:a", "96k"], 44100),
}

_MOV_FAMILY = {"mp4", "mov", "ipod"}


class MediaGenerationError(RuntimeError):
    """ffmpeg is missing, or it failed to produce the requested file."""


def make_video(path: str | os.PathLike, seconds: float = 2.0, size: str = "160x90", *,
               faststart: bool = True, piped: bool = False, rate: int = 25, audio_tracks: int = 1,
               vfr: bool = False, sample_rate: int | None = None, audio_codec: list[str] | None = None,
               keyint: int | None = None, ffmpeg: str = "ffmpeg") -> Path:
    """Write a video with one picture and ``audio_tracks`` tone streams; the container follows the suffix.

    ``vfr`` drops frames irregularly (two of every five, then one of every three), as
    phone recordings and some web releases have a variable frame rate. ``rate`` (frames per
    second), ``sample_rate`` and ``audio_codec`` (e.g. ``["-c:a", "libmp3lame"]``: ten minutes
    of AAC cost seconds of CPU) make long clips cheap to generate. ``keyint``: frames between key
    frames (default: one a second; x264 alone puts one every 250 frames, as many releases have)."""
    out = Path(path)
    try:
        muxer, vcodec, acodec, default_rate = _VIDEO_FORMATS[out.suffix.lower()]
    except KeyError:
        raise ValueError(f"unsupported video suffix {out.suffix!r}; use one of {sorted(_VIDEO_FORMATS)}") from None
    sample_rate = sample_rate or default_rate
    acodec = audio_codec or acodec
    if audio_tracks < 1:
        raise ValueError(f"audio_tracks must be at least 1, got {audio_tracks}")
    args = ["-f", "lavfi", "-i", f"testsrc=size={size}:rate={rate}:duration={seconds}"]
    for track in range(audio_tracks):
        args += ["-f", "lavfi", "-i", f"sine=frequency={440 + 110 * track}:sample_rate={sample_rate}:duration={seconds}"]
    args += ["-map", "0:v", *[arg for track in range(audio_tracks) for arg in ("-map", f"{track + 1}:a")]]
    if vfr:
        args += ["-vf", "select=lt(mod(n\\,5)\\,3)*lt(mod(n\\,7)\\,5)", "-fps_mode", "vfr"]
    args += [
        # A keyframe every second makes seeking realistic without bloating tiny files.
        *vcodec, "-g", str(keyint or rate), "-pix_fmt", "yuv420p", "-flags:v", "+bitexact",
        *acodec, "-ac", "1", "-flags:a", "+bitexact",
        *_length(seconds, piped),
    ]
    if muxer in _MOV_FAMILY and faststart:
        # Index first, as web releases ship: truncation then keeps a valid-looking header.
        args += ["-movflags", "+faststart"]
    _run_ffmpeg(ffmpeg, args, muxer, out, piped, timeout=max(_TIMEOUT_S, 2.0 * seconds))
    return out


def make_audio(path: str | os.PathLike, seconds: float = 2.0, *, piped: bool = False,
               ffmpeg: str = "ffmpeg") -> Path:
    """Write an audio-only file (a mono sine tone); the codec follows the suffix."""
    out = Path(path)
    try:
        muxer, acodec, rate = _AUDIO_FORMATS[out.suffix.lower()]
    except KeyError:
        raise ValueError(f"unsupported audio suffix {out.suffix!r}; use one of {sorted(_AUDIO_FORMATS)}") from None
    args = [
        "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate={rate}:duration={seconds}",
        *acodec, "-ac", "1", "-flags:a", "+bitexact", *_length(seconds, piped),
    ]
    if muxer in _MOV_FAMILY:
        args += ["-movflags", "+faststart"]
    _run_ffmpeg(ffmpeg, args, muxer, out, piped)
    return out


def _length(seconds: float, piped: bool) -> list[str]:
    # The sources already stop after `seconds`. "-t" would also tell a Matroska muxer the
    # duration up front, which a muxer writing to a pipe does not know.
    return [] if piped else ["-t", str(seconds)]


def make_truncated(src: str | os.PathLike, dst: str | os.PathLike, keep_fraction: float = 0.5) -> Path:
    """Copy the first ``keep_fraction`` of ``src`` to ``dst``, like an interrupted download."""
    if not 0.0 < keep_fraction < 1.0:
        raise ValueError(f"keep_fraction must be between 0 and 1 (exclusive), got {keep_fraction}")
    source, target = Path(src), Path(dst)
    remaining = int(source.stat().st_size * keep_fraction)
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb") as fin, target.open("wb") as fout:
        while remaining > 0:
            chunk = fin.read(min(remaining, 1 << 20))
            if not chunk:
                break
            fout.write(chunk)
            remaining -= len(chunk)
    return target


def make_flipped(src: str | os.PathLike, dst: str | os.PathLike, length: int = 4096) -> Path:
    """Copy ``src`` to ``dst`` with ``length`` bytes in the middle inverted, like a bad block."""
    data = bytearray(Path(src).read_bytes())
    start = max(0, len(data) // 2 - length // 2)
    for index in range(start, min(len(data), start + length)):
        data[index] ^= 0xFF
    return _write(dst, bytes(data))


def make_damaged_region(src: str | os.PathLike, dst: str | os.PathLike, how: str, share: float = 0.05,
                        at: float = 0.5, *, seed: int = 0) -> Path:
    """Copy ``src`` to ``dst`` with a region of ``share`` of its bytes, centred at ``at`` of the file, damaged.

    ``how``: "zero" (zero-filled, as a sparse download or a lost chunk of a remote), "random"
    (pseudo-random bytes, as a bad sector or a corrupt chunk) or "cut" (removed, as a
    download that skipped a chunk)."""
    if how not in ("zero", "random", "cut"):
        raise ValueError(f"how must be zero, random or cut, not {how!r}")
    if not 0.0 < share < 1.0 or not 0.0 <= at <= 1.0:
        raise ValueError(f"share must be in (0, 1) and at in [0, 1], got {share}, {at}")
    data = Path(src).read_bytes()
    length = int(len(data) * share)
    start = min(max(0, int(len(data) * at) - length // 2), len(data) - length)
    if how == "cut":
        middle = b""
    elif how == "zero":
        middle = bytes(length)
    else:
        middle = random.Random(seed).randbytes(length)
    return _write(dst, data[:start] + middle + data[start + length:])


def make_longer_header(short: str | os.PathLike, long: str | os.PathLike, dst: str | os.PathLike) -> Path:
    """``short``'s media behind ``long``'s header: what a remux that reused the header of a longer file gives.

    The header is everything before the first Matroska Cluster, or up to the payload of the
    MP4 ``mdat`` box: its duration, index and sizes are the longer file's."""
    short_data, long_data = Path(short).read_bytes(), Path(long).read_bytes()
    return _write(dst, long_data[:_media_start(long_data)] + short_data[_media_start(short_data):])


def _media_start(data: bytes) -> int:
    """Where the media data of a Matroska or MP4 file begins."""
    if data.startswith(b"\x1a\x45\xdf\xa3"):
        return data.index(b"\x1f\x43\xb6\x75")  # the first Cluster
    mdat = data.find(b"mdat")
    if mdat < 4:
        raise ValueError("neither Matroska nor MP4 with an mdat box")
    return mdat + 4


def make_zero_tail(src: str | os.PathLike, dst: str | os.PathLike, zero_fraction: float = 0.4) -> Path:
    """Copy ``src`` to ``dst`` with its last ``zero_fraction`` zeroed, like a preallocated, unfinished download."""
    if not 0.0 < zero_fraction < 1.0:
        raise ValueError(f"zero_fraction must be between 0 and 1 (exclusive), got {zero_fraction}")
    data = Path(src).read_bytes()
    keep = len(data) - int(len(data) * zero_fraction)
    return _write(dst, data[:keep] + bytes(len(data) - keep))


def append_tags(path: str | os.PathLike, *tags: str, ape_bytes: int = 100) -> Path:
    """Append tags after the media, in the order given: "apev2", "lyrics3", "id3v1" (ID3v1 comes last)."""
    makers = {"apev2": lambda: _apev2_tag(ape_bytes), "lyrics3": _lyrics3_tag, "id3v1": _id3v1_tag}
    unknown = [tag for tag in tags if tag not in makers]
    if unknown:
        raise ValueError(f"unknown tags {unknown}; use {sorted(makers)}")
    out = Path(path)
    with out.open("ab") as handle:
        for tag in tags:
            handle.write(makers[tag]())
    return out


def _id3v1_tag() -> bytes:
    """128 bytes: "TAG", title, artist, album (30 each), year (4), comment (30), genre (1)."""
    fields = [b"Tone".ljust(30, b"\0"), b"linkdoctor".ljust(30, b"\0"), b"Tests".ljust(30, b"\0"),
              b"2024", b"generated".ljust(30, b"\0"), b"\x0c"]
    return b"TAG" + b"".join(fields)


def _apev2_tag(value_bytes: int) -> bytes:
    """An APEv2 tag with a header, one text item of ``value_bytes`` bytes, and a footer."""
    value = b"x" * value_bytes
    item = struct.pack("<II", len(value), 0) + b"Comment\0" + value
    size = len(item) + 32  # items and footer, not the header
    header = b"APETAGEX" + struct.pack("<IIII", 2000, size, 1, 0xA0000000) + bytes(8)  # has header, is header
    footer = b"APETAGEX" + struct.pack("<IIII", 2000, size, 1, 0x80000000) + bytes(8)  # has header
    return header + item + footer


def _lyrics3_tag() -> bytes:
    """A Lyrics3 v2 tag: "LYRICSBEGIN", fields, a six-digit size, "LYRICS200"."""
    body = b"LYRICSBEGIN" + b"IND00002" + b"10" + b"LYR00011" + b"[00:01]la!!"
    return body + b"%06d" % len(body) + b"LYRICS200"


def _write(dst: str | os.PathLike, data: bytes) -> Path:
    target = Path(dst)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def make_garbage(path: str | os.PathLike, size: int = 64 * 1024, *, seed: int = 0) -> Path:
    """Write ``size`` deterministic pseudo-random bytes, e.g. under a ``.mkv`` name."""
    if size < 0:
        raise ValueError(f"size must be >= 0, got {size}")
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(random.Random(seed).randbytes(size))
    return out


def _run_ffmpeg(ffmpeg: str, args: list[str], muxer: str, out: Path, piped: bool = False,
                timeout: float = _TIMEOUT_S) -> None:
    """Run ffmpeg writing ``out`` with ``muxer`` (through a pipe if asked); raise MediaGenerationError on any failure."""
    exe = shutil.which(ffmpeg)
    if exe is None:
        raise MediaGenerationError(f"ffmpeg not found (looked for {ffmpeg!r} on PATH)")
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = [
        exe, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
        *args,
        # One thread and bitexact muxing keep the bytes identical across runs and machines
        # with the same ffmpeg build (x264 output depends on the thread count).
        "-threads", "1", "-map_metadata", "-1", "-fflags", "+bitexact",
        "-f", muxer,
        # "file:" + absolute path: a name can never be read as an option or a protocol.
        "pipe:1" if piped else "file:" + os.path.abspath(out),
    ]
    try:
        with open(out, "wb") if piped else open(os.devnull, "wb") as stdout:
            proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=stdout,
                                  stderr=subprocess.PIPE, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        out.unlink(missing_ok=True)
        raise MediaGenerationError(f"could not run ffmpeg for {out}: {exc}") from exc
    if proc.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
        out.unlink(missing_ok=True)
        tail = proc.stderr.decode("utf-8", "replace").strip()[-_STDERR_TAIL_CHARS:]
        raise MediaGenerationError(
            f"ffmpeg failed (exit {proc.returncode}) writing {out}: {tail or 'no output file'}")
