"""Phase-2 verdict: is a link target complete, playable media?

Stdlib only: this module is imported inside lightweight worker processes.

A healthy file costs one ffprobe process, as much I/O as a plain ``ffprobe``, and a
few hundred bytes read from Python:

1. Layout check, in Python. Matroska/WebM files declare their Segment size, MP4/MOV
   files are a chain of sized top-level boxes, AVI/WAV files a chain of RIFF chunks. If
   the declared end lies past the end of the file, the file is truncated. This is how
   truncation is caught for those containers: ffprobe exits 0 and prints nothing for a
   truncated MKV or faststart MP4, and seeking to the end to read packets costs one to
   two whole GOPs per file (MBs), or the whole file for raw MP3/AAC/AC3 and for FLV.
2. ``ffprobe -show_format -show_streams`` with ``-loglevel level+warning``. It fails the
   file on a non-zero exit; on errors from the demuxer, the parser or I/O; on the
   truncation warnings "File ended prematurely", "partial file" and "filesize and
   duration do not match"; on "Packet corrupt"; and when there is no video or audio
   stream or no positive duration. Decoder errors are ignored. ffprobe decodes a few
   frames while it probes, and healthy streams that start mid-GOP (TS captures) log
   "non-existing PPS" errors.
3. FLAC only: seeking to the end is cheap there (about 4 KB), so the same ffprobe call
   also reads the last packets, and the file fails if they end well before the duration
   in STREAMINFO.

Not detected: zeroed or garbled data inside a file of the right size (that needs a
decode), and truncated MPEG-TS/PS, Ogg or CBR MP3, which read as shorter but valid files.

ffmpeg-python's ``ffmpeg.probe()`` is not used. It discards ffprobe's stderr when
ffprobe succeeds, and that is where the truncation warnings are. It also does not kill
ffprobe on a timeout.
"""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
from dataclasses import dataclass

__all__ = [
    "AUDIO_EXTENSIONS",
    "MEDIA_EXTENSIONS",
    "VIDEO_EXTENSIONS",
    "ProbeError",
    "ProbeVerdict",
    "is_probeable",
    "probe_media",
]

VIDEO_EXTENSIONS = frozenset({
    ".mkv", ".mk3d", ".mp4", ".m4v", ".avi", ".divx", ".mov", ".wmv", ".asf", ".ts", ".m2ts",
    ".mts", ".webm", ".mpg", ".mpeg", ".vob", ".flv", ".ogm", ".ogv", ".3gp",
})
AUDIO_EXTENSIONS = frozenset({
    ".mp3", ".flac", ".m4a", ".m4b", ".aac", ".ac3", ".dts", ".ogg", ".oga", ".opus", ".wav",
    ".wma", ".mka", ".ape", ".wv", ".aiff", ".aif",
})
# Everything else (subtitles, images, .nfo, .txt, ...) is not probed.
MEDIA_EXTENSIONS = VIDEO_EXTENSIONS | AUDIO_EXTENSIONS

# Only a guard against a wedged ffprobe. The caller enforces the real per-file timeout
# by killing the worker process.
SAFETY_TIMEOUT_S = 600.0

_HEAD_BYTES = 4096
# Cap on layout walking, so that fragmented MP4 and multi-RIFF AVI files cost a bounded
# number of reads. Past the cap the check is inconclusive.
_MAX_CHUNKS = 64
# FLAC tail read: seek far past any real duration (ffprobe lands near the last frame),
# read at most this many packets, and allow this much slack (seconds) between the end
# of the last packet and the duration from STREAMINFO.
_SEEK_PAST_END = "99999999"
_TAIL_PACKETS = 64
_TAIL_SLACK_S = 0.5

_EBML_MAGIC = b"\x1a\x45\xdf\xa3"
_SEGMENT_ID = b"\x18\x53\x80\x67"
_MP4_FIRST_BOXES = frozenset({b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot", b"styp"})

_TRUNCATION_MARKERS = ("File ended prematurely", "partial file", "filesize and duration do not match")
_CORRUPTION_MARKERS = ("Packet corrupt",)
# Log contexts whose errors are fatal: ffprobe itself (None), I/O, and the parser, which
# logs as "NULL". The demuxer is added per file; it logs under the format name.
_FATAL_CONTEXTS = frozenset({None, "NULL", "AVIOContext", "file"})
_LOG_LINE = re.compile(
    r"^(?:\[(?P<ctx>[^\]]+?) @ 0x[0-9a-fA-F]+\] )?\[(?P<level>panic|fatal|error|warning)\] (?P<msg>.*)$")


class ProbeError(RuntimeError):
    """ffprobe itself could not be run (missing binary, not executable): no verdict possible."""


@dataclass(frozen=True)
class ProbeVerdict:
    """Outcome of probing one file: ``detail`` is "ok" or a short human-readable reason."""

    ok: bool
    detail: str
    duration: float | None = None
    streams: tuple[str, ...] = ()


def is_probeable(path: str) -> bool:
    """Tell whether ``path`` has a video or audio extension worth probing (case-insensitive)."""
    return os.path.splitext(os.fspath(path))[1].lower() in MEDIA_EXTENSIONS


def probe_media(path: str, ffprobe: str = "ffprobe", ffmpeg: str = "ffmpeg") -> ProbeVerdict:
    """Judge whether ``path`` is complete, readable media. Raises ProbeError if ffprobe cannot run.

    ``ffmpeg`` is not used; it is accepted so that callers can pass both tools. No
    decode step is needed to detect truncation (see the module docstring).
    """
    path = os.path.abspath(os.fspath(path))
    try:
        size, container, problem = _inspect_layout(path)
    except OSError as exc:
        return ProbeVerdict(False, f"unreadable: {exc.strerror or exc}")
    if size == 0:
        return ProbeVerdict(False, "empty file")
    if problem:
        return ProbeVerdict(False, problem)
    return _run_ffprobe(ffprobe, path, read_tail=(container == "flac"))


# --- layout checks (pure Python, a few small reads) -------------------------------------

def _inspect_layout(path: str) -> tuple[int, str | None, str | None]:
    """Return (file size, container family or None, truncation detail or None)."""
    with open(path, "rb", buffering=0) as f:
        size = os.fstat(f.fileno()).st_size
        head = f.read(_HEAD_BYTES)
        if head.startswith(_EBML_MAGIC):
            return size, "matroska", _check_matroska(head, size)
        if head[4:8] in _MP4_FIRST_BOXES:
            return size, "mp4", _check_boxes(f, size)
        if head.startswith(b"RIFF"):
            return size, "riff", _check_riff(f, size)
        if _is_flac(f, head):
            return size, "flac", None
        return size, None, None


def _is_flac(f, head: bytes) -> bool:
    """Tell FLAC by its magic, also behind the ID3v2 tag some taggers put in front of it."""
    offset = 0
    if head.startswith(b"ID3") and len(head) >= 10:
        # The tag size is a 28-bit "syncsafe" integer; a footer flag adds 10 more bytes.
        offset = 10 + ((head[6] & 0x7F) << 21 | (head[7] & 0x7F) << 14 | (head[8] & 0x7F) << 7 | head[9] & 0x7F)
        if head[5] & 0x10:
            offset += 10
    if offset + 4 <= len(head):
        return head[offset:offset + 4] == b"fLaC"
    f.seek(offset)  # a large tag (cover art): one more small read
    return f.read(4) == b"fLaC"


def _read_vint(buf: bytes, pos: int) -> tuple[int, int, bool] | None:
    """Decode an EBML variable-size integer at ``pos``: (value, length, all value bits set)."""
    if pos >= len(buf) or buf[pos] == 0:
        return None
    length = 8 - buf[pos].bit_length() + 1
    if pos + length > len(buf):
        return None
    value = buf[pos] & (0xFF >> length)
    for byte in buf[pos + 1:pos + length]:
        value = (value << 8) | byte
    return value, length, value == (1 << (7 * length)) - 1


def _check_matroska(head: bytes, size: int) -> str | None:
    """Compare the Segment's declared end with the file size."""
    header_size = _read_vint(head, len(_EBML_MAGIC))
    if header_size is None:
        return None
    seg_pos = len(_EBML_MAGIC) + header_size[1] + header_size[0]
    if head[seg_pos:seg_pos + 4] != _SEGMENT_ID:
        return None  # unusual layout (or header past the first 4 KB): leave it to ffprobe
    seg_size = _read_vint(head, seg_pos + 4)
    if seg_size is None or seg_size[2]:
        return None  # "unknown size" segments (live recordings) declare no end
    end = seg_pos + 4 + seg_size[1] + seg_size[0]
    if end > size:
        return f"truncated: Matroska segment ends at byte {end}, file has {size}"
    return None


def _check_boxes(f, size: int) -> str | None:
    """Walk MP4/MOV top-level boxes; a box running past the end of the file means truncation."""
    pos = 0
    for _ in range(_MAX_CHUNKS):
        if pos >= size:
            return None
        f.seek(pos)
        header = f.read(16)
        if len(header) < 8:
            return None  # a few trailing bytes: not a box, let ffprobe judge
        box_size, box_type = struct.unpack(">I4s", header[:8])
        if not all(0x20 <= c <= 0x7E for c in box_type):
            return None  # trailing junk rather than a box
        if box_size == 0:
            return None  # last box, runs to the end of the file by definition
        if box_size == 1:
            if len(header) < 16:
                return None
            box_size, min_size = struct.unpack(">Q", header[8:16])[0], 16
        else:
            min_size = 8
        if box_size < min_size:
            return None
        if pos + box_size > size:
            name = box_type.decode("ascii")
            return f"truncated: '{name}' box ends at byte {pos + box_size}, file has {size}"
        pos += box_size
    return None


def _check_riff(f, size: int) -> str | None:
    """Walk RIFF chunks (AVI, OpenDML AVIX extensions, WAV) and compare declared sizes."""
    pos = 0
    for _ in range(_MAX_CHUNKS):
        if pos >= size:
            return None
        f.seek(pos)
        header = f.read(12)
        if len(header) < 12 or header[:4] != b"RIFF":
            return None
        declared = struct.unpack("<I", header[4:8])[0]
        if declared in (0, 0xFFFFFFFF):
            return None  # streaming writers leave the size unset
        end = pos + 8 + declared
        if end > size:
            form = header[8:12].decode("latin-1")
            return f"truncated: RIFF '{form}' chunk ends at byte {end}, file has {size}"
        pos = end + (declared & 1)  # chunks are padded to an even length
    return None


# --- ffprobe ------------------------------------------------------------------------------

def _run_ffprobe(ffprobe: str, path: str, read_tail: bool) -> ProbeVerdict:
    """Run one ffprobe on ``path`` and turn its exit code, JSON and log into a verdict."""
    # "file:" + absolute path: whatever the name holds (leading "-", "concat:", newlines)
    # it is one argv element that ffprobe can read neither as an option nor a protocol.
    url = "file:" + path
    entries = ("format=format_name,duration,start_time"
               ":stream=index,codec_type,duration:stream_disposition=attached_pic")
    cmd = [ffprobe, "-hide_banner", "-loglevel", "level+warning", "-of", "json"]
    if read_tail:
        cmd += ["-read_intervals", f"{_SEEK_PAST_END}%+#{_TAIL_PACKETS}"]
        entries += ":packet=pts_time,duration_time"
    cmd += ["-show_entries", entries, url]
    env = dict(os.environ, AV_LOG_FORCE_NOCOLOR="1")
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=SAFETY_TIMEOUT_S, env=env, check=False)
    except subprocess.TimeoutExpired:  # run() has already killed ffprobe
        return ProbeVerdict(False, f"ffprobe: timed out after {SAFETY_TIMEOUT_S:.0f}s")
    except OSError as exc:
        raise ProbeError(f"cannot run {ffprobe!r}: {exc}") from exc
    # ffprobe prefixes its own errors with the URL; drop it so that details stay short
    # and a name containing newlines cannot split a message.
    log = _parse_log(proc.stderr.decode("utf-8", "replace").replace(url + ": ", ""))
    if proc.returncode != 0:
        return ProbeVerdict(False, _failure_detail(proc.returncode, log))
    try:
        data = json.loads(proc.stdout.decode("utf-8", "replace") or "{}")
    except ValueError:
        return ProbeVerdict(False, "ffprobe: unreadable output")
    return _judge(data, log, read_tail)


def _parse_log(text: str) -> list[tuple[str | None, str, str]]:
    """Split ffprobe's stderr into (context, level, message); continuation lines are dropped."""
    entries = []
    for line in text.splitlines():
        match = _LOG_LINE.match(line)
        if match:
            entries.append((match["ctx"], match["level"], match["msg"].strip()))
    return entries


def _failure_detail(returncode: int, log: list[tuple[str | None, str, str]]) -> str:
    """Describe a failed ffprobe run: its final error, plus the demuxer's first complaint."""
    errors = [(ctx, msg) for ctx, level, msg in log if level != "warning"]
    for ctx, msg in errors:
        if ctx is None and msg.startswith("Could not seek to position"):
            return "cannot seek to the end: " + msg.rpartition(": ")[2]
    own = [msg for ctx, msg in errors if ctx is None]
    others = [msg for ctx, msg in errors if ctx is not None]
    if own:
        main = own[-1]
    elif others:
        main = others[0]
    else:
        main = f"exit code {returncode}"
    if others and others[0] != main:
        return f"ffprobe: {main} ({others[0]})"
    return f"ffprobe: {main}"


def _judge(data: dict, log: list[tuple[str | None, str, str]], read_tail: bool) -> ProbeVerdict:
    """Verdict for a successful ffprobe run: log, then streams, duration and (FLAC) tail."""
    fmt = data.get("format") or {}
    streams = tuple(_stream_kind(s) for s in data.get("streams") or ())
    # Some containers only know per-stream durations.
    stream_durations = [_positive(s.get("duration")) for s in data.get("streams") or ()]
    duration = _positive(fmt.get("duration")) or max(filter(None, stream_durations), default=None)

    def fail(detail: str) -> ProbeVerdict:
        return ProbeVerdict(False, detail, duration, streams)

    for markers, label in ((_TRUNCATION_MARKERS, "truncated"), (_CORRUPTION_MARKERS, "corrupt")):
        for _, _, msg in log:
            if any(marker in msg for marker in markers):
                return fail(f"{label}: {msg}")
    fatal_contexts = _FATAL_CONTEXTS | {fmt.get("format_name")}
    for ctx, level, msg in log:
        if level != "warning" and ctx in fatal_contexts:
            return fail(f"ffprobe: {msg}")
    if not {"video", "audio"} & set(streams):
        return fail("no video or audio stream")
    if duration is None:
        return fail("no duration")
    if read_tail:
        estimated = any("Estimating duration" in msg for _, _, msg in log)
        tail_end = _tail_end(data.get("packets") or [], _float(fmt.get("start_time")) or 0.0)
        if tail_end is not None and not estimated and duration - tail_end > _TAIL_SLACK_S:
            return fail(f"truncated: last packet at {tail_end:.1f}s of {duration:.1f}s")
    return ProbeVerdict(True, "ok", duration, streams)


def _tail_end(packets: list[dict], start: float) -> float | None:
    """End time of the last packet read, relative to the start; None if inconclusive."""
    if not packets or len(packets) >= _TAIL_PACKETS:
        return None  # nothing read, or the cap was hit before the end of the file
    ends = [pts + (_float(p.get("duration_time")) or 0.0)
            for p in packets if (pts := _float(p.get("pts_time"))) is not None]
    return max(ends) - start if ends else None


def _stream_kind(stream: dict) -> str:
    """ffprobe's codec_type, except that cover art is reported as "attached_pic", not video."""
    if (stream.get("disposition") or {}).get("attached_pic"):
        return "attached_pic"
    return str(stream.get("codec_type") or "unknown")


def _float(value) -> float | None:
    """Parse an ffprobe number; "N/A" and missing values give None."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _positive(value) -> float | None:
    """Parse an ffprobe duration, keeping only positive values."""
    number = _float(value)
    return number if number is not None and number > 0 else None
