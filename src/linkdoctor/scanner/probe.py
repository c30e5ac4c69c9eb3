"""Phase-2 probe: is a link target complete media, doubtful, or certainly broken?

Stdlib only: this module is imported inside lightweight worker processes.

A verdict has three levels, because a false ``corrupted`` puts a playable file on the
removal list:

* ``corrupted``, on hard evidence only: ffprobe fails on the file; it holds no video or
  audio stream; its container declares more bytes than the file has (layout.py); a FLAC
  stream ends well before the length its STREAMINFO declares; its declared duration is
  more than its size can hold at any codec's bitrate (under MIN_BITRATE: a 128-byte file
  declaring 15 s, an 80 KB one declaring 47 hours).
* ``suspicious``, on doubt: no duration (Matroska/WebM written to a pipe, WavPack or FLAC
  written without a length), a duration estimated from the bitrate, a warning or an error
  that ffprobe's demuxer, parser or I/O layer logged without failing, and the doubts of
  the layout checks (a stale MP3 size header, a cut index, a zero-filled tail). A decode
  (decode.py) confirms or clears a suspicious file; without one it is never a finding.
* ``ok``.

A healthy file costs one ffprobe process, as much I/O as a plain ``ffprobe``, and a few
small reads from Python (layout.py). The ffprobe run is ``-show_format -show_streams``
with ``-loglevel level+warning``, so that its warnings are read as well as its exit code.
Messages of the decoders are ignored: ffprobe decodes a few frames while it probes, and
healthy streams that start mid-GOP (TS captures) log "non-existing PPS" errors. For FLAC
the same call also reads the last packets (seeking to the end of a FLAC file costs about
4 KB), and the file fails if they end well before the duration in STREAMINFO.

Not seen by the probe: damaged data inside a file of the right size, and truncated
MPEG-TS/PS, Ogg or CBR MP3 without a size header, which read as shorter but valid files.
The decode sees the first when it makes the decoder fail.

ffmpeg-python's ``ffmpeg.probe()`` is not used. It discards ffprobe's stderr when
ffprobe succeeds, and that is where the warnings are. It also does not kill ffprobe on a
timeout.
"""

from __future__ import annotations

import errno
import json
import os
import re
import subprocess
from dataclasses import dataclass

from linkdoctor.scanner.layout import CORRUPTED, OK, SUSPICIOUS, inspect_layout

# The file could not be read (an I/O error of its mount, not of its content): the scan reports
# it as an io_error, never proposes it for removal, and does not remember the verdict.
UNREADABLE = "unreadable"
# What the system says of a read that failed, as ffprobe repeats it (strerror of EIO, ENOTCONN, ...).
READ_FAILURES = tuple(os.strerror(code) for code in (
    errno.EIO, errno.ENOTCONN, errno.ESTALE, errno.ETIMEDOUT, errno.ECONNRESET, errno.ECONNABORTED,
    errno.EHOSTDOWN, errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EACCES, errno.EPERM, errno.EAGAIN,
))

__all__ = [
    "AUDIO_EXTENSIONS",
    "CORRUPTED",
    "MEDIA_EXTENSIONS",
    "OK",
    "SUSPICIOUS",
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

# FLAC tail read: seek far past any real duration (ffprobe lands near the last frame),
# read at most this many packets, and allow this much slack (seconds) between the end
# of the last packet and the duration from STREAMINFO.
_SEEK_PAST_END = "99999999"
_TAIL_PACKETS = 64
_TAIL_SLACK_S = 0.5
_MAX_DOUBTS = 3
# No codec a library holds goes below this (Opus, Speex and AMR stay above 2 kbit/s): a file
# whose size over its declared duration is less is a header promising what the file lacks.
MIN_BITRATE = 400

# Log contexts whose messages are about the file: ffprobe itself (None), I/O, and the
# parser, which logs as "NULL". The demuxer is added per file; it logs under the format name.
_FILE_CONTEXTS = frozenset({None, "NULL", "AVIOContext", "file"})
_ESTIMATED = "Estimating duration from bitrate"
# Remuxes of discs carry subtitle and attachment streams whose parameters ffprobe does not
# look for; it says so on healthy files.
_BENIGN = re.compile(r"Could not find codec parameters for stream \d+ \((Subtitle|Attachment|Data)")
_LOG_LINE = re.compile(
    r"^(?:\[(?P<ctx>[^\]]+?) @ 0x[0-9a-fA-F]+\] )?\[(?P<level>panic|fatal|error|warning)\] (?P<msg>.*)$")


class ProbeError(RuntimeError):
    """ffprobe (or ffmpeg) itself could not be run (missing binary, not executable): no verdict possible."""


@dataclass(frozen=True)
class ProbeVerdict:
    """Outcome of probing one file: ``detail`` is "ok" or which check fired and what it saw."""

    level: str
    detail: str
    duration: float | None = None
    streams: tuple[str, ...] = ()
    media_end: int | None = None  # tags follow the media at this byte: decode only what precedes it
    expected_duration: float | None = None  # the length was in doubt: a decode ending well before this confirms it

    @property
    def ok(self) -> bool:
        return self.level == OK


def is_probeable(path: str) -> bool:
    """Tell whether ``path`` has a video or audio extension worth probing (case-insensitive)."""
    return os.path.splitext(os.fspath(path))[1].lower() in MEDIA_EXTENSIONS


def probe_media(path: str, ffprobe: str = "ffprobe") -> ProbeVerdict:
    """Judge whether ``path`` is complete, readable media. Raises ProbeError if ffprobe cannot run."""
    path = os.path.abspath(os.fspath(path))
    try:
        layout = inspect_layout(path)
    except OSError as exc:
        return ProbeVerdict(UNREADABLE, f"reading the file: {exc.strerror or exc}")
    if layout.level == CORRUPTED:
        return ProbeVerdict(CORRUPTED, layout.detail)
    verdict = _run_ffprobe(ffprobe, path, read_tail=(layout.container == "flac"))
    if verdict.level == CORRUPTED:
        return verdict
    if verdict.duration and layout.size * 8 / verdict.duration < MIN_BITRATE:
        return ProbeVerdict(CORRUPTED, f"container size: the header declares {_length(verdict.duration)}, which "
                                       f"{layout.size:,} bytes cannot hold ({layout.size * 8 / verdict.duration:.0f} "
                                       f"bit/s)", verdict.duration, verdict.streams)
    doubts = ([layout.detail] if layout.detail else []) + ([verdict.detail] if verdict.level != OK else [])
    expected = layout.expected_duration
    if layout.level == SUSPICIOUS and expected is None and "estimated duration" not in verdict.detail.split("; "):
        expected = verdict.duration  # a cut index or a zeroed tail: the declared length is the test
    if doubts and layout.tags:
        doubts.append(f"{', '.join(reversed(layout.tags))} after the media")
    return ProbeVerdict(
        SUSPICIOUS if doubts else OK, "; ".join(doubts) or "ok", verdict.duration, verdict.streams,
        media_end=layout.media_end if layout.tags else None,
        expected_duration=expected if doubts else None,
    )


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
    except subprocess.TimeoutExpired:  # run() has already killed ffprobe; slow is not broken
        return ProbeVerdict(SUSPICIOUS, f"probe warning: ffprobe did not finish within {SAFETY_TIMEOUT_S:.0f}s")
    except OSError as exc:
        raise ProbeError(f"cannot run {ffprobe!r}: {exc}") from exc
    # ffprobe prefixes its own errors with the URL; drop it so that details stay short
    # and a name containing newlines cannot split a message.
    log = parse_log(proc.stderr.decode("utf-8", "replace").replace(url + ": ", ""))
    if proc.returncode != 0:
        detail = _failure_detail(proc.returncode, log)
        if any(msg.endswith(READ_FAILURES) for _ctx, _level, msg in log):
            return ProbeVerdict(UNREADABLE, detail.replace("probe error: ", "ffprobe could not read the file: ", 1))
        return ProbeVerdict(CORRUPTED, detail)
    try:
        data = json.loads(proc.stdout.decode("utf-8", "replace") or "{}")
    except ValueError:
        return ProbeVerdict(CORRUPTED, "probe error: unreadable ffprobe output")
    return _judge(data, log, read_tail)


def parse_log(text: str) -> list[tuple[str | None, str, str]]:
    """Split ffmpeg's stderr into (context, level, message); continuation lines are dropped."""
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
            return "probe error: cannot seek to the end: " + msg.rpartition(": ")[2]
    own = [msg for ctx, msg in errors if ctx is None]
    others = [msg for ctx, msg in errors if ctx is not None]
    if own:
        main = own[-1]
    elif others:
        main = others[0]
    else:
        main = f"exit code {returncode}"
    if others and others[0] != main:
        return f"probe error: {main} ({others[0]})"
    return f"probe error: {main}"


def _judge(data: dict, log: list[tuple[str | None, str, str]], read_tail: bool) -> ProbeVerdict:
    """Verdict for a successful ffprobe run: streams, then duration, log and (FLAC) tail."""
    fmt = data.get("format") or {}
    streams = tuple(_stream_kind(s) for s in data.get("streams") or ())
    # Some containers only know per-stream durations.
    stream_durations = [_positive(s.get("duration")) for s in data.get("streams") or ()]
    duration = _positive(fmt.get("duration")) or max(filter(None, stream_durations), default=None)
    if not {"video", "audio"} & set(streams):
        return ProbeVerdict(CORRUPTED, "probe error: no video or audio stream", duration, streams)
    file_contexts = _FILE_CONTEXTS | {fmt.get("format_name")}
    said = [(level, msg) for ctx, level, msg in log if ctx in file_contexts and not _BENIGN.match(msg)]
    estimated = any(msg.startswith(_ESTIMATED) for _, msg in said)
    doubts = []
    if duration is None:
        doubts.append("no duration")
    elif estimated:
        doubts.append("estimated duration")
    for level, msg in said:
        if not msg.startswith(_ESTIMATED):
            doubts.append(f"probe {'warning' if level == 'warning' else 'error'}: {msg}")
    if read_tail and duration is not None and not estimated:
        tail_end = _tail_end(data.get("packets") or [], _float(fmt.get("start_time")) or 0.0)
        if tail_end is not None and duration - tail_end > _TAIL_SLACK_S:
            return ProbeVerdict(CORRUPTED, f"container size: FLAC STREAMINFO declares {duration:.1f}s, "
                                           f"the last packet ends at {tail_end:.1f}s", duration, streams)
    doubts = list(dict.fromkeys(doubts))[:_MAX_DOUBTS]
    return ProbeVerdict(SUSPICIOUS if doubts else OK, "; ".join(doubts) or "ok", duration, streams)


def _length(seconds: float) -> str:
    """A declared length in words: hours and minutes, or seconds."""
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} hours"
    return f"{seconds / 60:.1f} minutes" if seconds >= 60 else f"{seconds:.1f} s"


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
