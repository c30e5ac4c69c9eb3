"""Phase-2 decode: does the whole file decode without an error?

Stdlib only: this module is imported inside lightweight worker processes.

One ``ffmpeg -i FILE -map 0:V? -map 0:a? -f null -`` per file: every video stream but
cover art, and every audio stream, decoded and thrown away, the file read once from
start to end. ffmpeg's log (errors only) and its progress reports share one pipe, in
the order ffmpeg wrote them, so an error is placed at the stream time of the report
before it (reports come every 20 ms of wall time). The decode stops at the first error
that counts, and calls ``on_progress`` as it goes, so that the caller can tell a long
decode from a stuck one.

An error counts, except:

* the complaints of an H.264/HEVC decoder before its first picture ("non-existing PPS",
  "no frame!", ...): a recording that starts mid-GOP, as TS captures do, makes them;
* ffmpeg unable to decode at all (no decoder for a codec, exit without an error about
  the file): no verdict, never a finding;
* a read error (EIO, "Read error"): the decode stops and the file is read again from
  Python. If that fails too, the mount is at fault: UNREADABLE, an io_error, never
  corrupted. If it reads, no verdict (a truncated WavPack file reports its cut that way);
* "the file ends early" messages ("File ended prematurely", "Truncating packet"), when
  the probe gave an expected duration: the decode then goes on to the end, and the file
  is broken only if the media ends well before that duration. A Matroska file cut in
  its Cues, after the last cluster, plays to the end and says so.

ID3v1, APEv2 and Lyrics3 tags after the media are not decoded (``media_end``, read
through ffmpeg's subfile protocol): decoders take a Lyrics3 tag for broken audio.
When the probe doubted a file's length (``expected_duration``), a decode that ends well
before it confirms the truncation; a truncated MP3 decodes without an error.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from typing import Callable, NamedTuple

from linkdoctor.scanner.layout import CORRUPTED, OK
from linkdoctor.scanner.probe import READ_FAILURES, UNREADABLE, ProbeError

INCONCLUSIVE = "inconclusive"
STATS_PERIOD_S = 0.02
# A decode ending this much (or this share) before the expected duration confirms a truncation;
# streams of one file end a frame or two apart.
_SHORT_SLACK_S = 0.5
_SHORT_SLACK_SHARE = 0.02
# A decode yielding less than this share of the declared length: the header promises what the file does not hold.
_DECLARED_SHARE = 0.5
_REREAD_CHUNK = 1 << 20

_STARTUP = ("non-existing PPS", "non-existing SPS", "no frame!", "decode_slice_header error",
            "Missing reference picture", "reference picture missing during reorder",
            "Could not find ref with POC", "PPS id out of range", "SPS id out of range",
            "Error constructing the frame RPS")
_DECODE_FAILED = "Error while decoding stream"
# ffmpeg's own words when it cannot decode a file at all, which says nothing about the file.
_CANNOT = re.compile(r"(Decoder \(codec .*\) not found|Error while opening decoder|Unknown decoder"
                     r"|Stream map .* matches no streams|Error opening output|Could not write header)")
_SUMMARY = ("Conversion failed!",)
_ENDS_EARLY = ("File ended prematurely", "Truncating packet", "partial file")
# A demuxer's words for a read that failed ("Read error") and the system's (strerror of EIO, ...).
_READ_ERROR = "Read error"
_LOG_LINE = re.compile(
    r"^(?:\[(?P<ctx>[^\]]+?) @ 0x[0-9a-fA-F]+\] )?\[(?P<level>panic|fatal|error)\] (?P<msg>.*)$")


class DecodeHint(NamedTuple):
    """What the probe passes on to the decode of one file, and what the scan keeps of the probe."""

    media_end: int | None
    expected_duration: float | None
    probe_level: str
    probe_detail: str
    probe_seconds: float
    declared_duration: float | None = None  # what the container declares (any decode checks it)
    windows: tuple = ()  # sampled mode: the (start, end) stream times to decode, see sampling.py
    check_zeros: bool = False  # sampled mode: a zero-filled region is damage (compressed media)


@dataclass(frozen=True)
class DecodeVerdict:
    """Outcome of decoding one file: OK, CORRUPTED, or INCONCLUSIVE when ffmpeg could not decode it."""

    level: str
    detail: str
    decoded: float = 0.0  # seconds of stream decoded


def decode_media(path: str, *, ffmpeg: str = "ffmpeg", media_end: int | None = None,
                 expected_duration: float | None = None, declared_duration: float | None = None,
                 threads: int = 1, on_progress: Callable[[float], None] | None = None) -> DecodeVerdict:
    """Decode ``path`` to the end; raises ProbeError if ffmpeg cannot run.

    ``declared_duration`` is the length the container declares: a decode that yields less
    than half of it is a file whose header promises more than it holds."""
    path = os.path.abspath(os.fspath(path))
    # "file:" + absolute path, as for ffprobe; subfile's options end at ",,:", so the
    # path after it is never parsed, whatever it holds.
    url = "file:" + path
    source = url if media_end is None else f"subfile,,start,0,end,{media_end},,:{url}"
    reading = _Reading(on_progress, expected_duration, declared_duration)
    return run_decode(ffmpeg, ["-i", source], reading, threads, path, (source, url))


def run_decode(ffmpeg: str, input_args: list[str], reading: "_Reading", threads: int, path: str,
               names: tuple[str, ...]) -> DecodeVerdict:
    """Run one ``ffmpeg ... -f null -`` over ``input_args`` and read its log with ``reading``.

    ``names`` are the strings ffmpeg prefixes its messages with, dropped from the details.
    When ffmpeg reports a read error, ``path`` is read again here: if that fails too, the
    verdict is UNREADABLE (the mount's fault); a file that reads is left INCONCLUSIVE (a
    WavPack file cut short reports its end as a read error)."""
    cmd = [ffmpeg, "-hide_banner", "-nostdin", "-nostats", "-loglevel", "level+error",
           "-progress", "pipe:2", "-stats_period", str(STATS_PERIOD_S),
           "-threads", str(max(1, threads)), *input_args,
           "-map", "0:V?", "-map", "0:a?", "-f", "null", "-"]
    env = dict(os.environ, AV_LOG_FORCE_NOCOLOR="1")
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, env=env)
    except OSError as exc:
        raise ProbeError(f"cannot run {ffmpeg!r}: {exc}") from exc
    with proc:
        for line in _lines(proc.stderr, names[0]):
            for name in names:
                line = line.replace(name + ": ", "")
            if reading.take(line):
                proc.kill()  # the first error that counts is the verdict: no need to read on
                break
        proc.stderr.close()
        returncode = proc.wait()
    verdict = reading.verdict(returncode)
    if reading.read_failed is not None and verdict.level != CORRUPTED:
        failure = read_failure(path, reading.on_progress)
        if failure is not None:
            return DecodeVerdict(UNREADABLE, f"the decode could not read the file: {failure}", verdict.decoded)
    return verdict


def read_failure(path: str, on_progress: Callable[[float], None] | None = None) -> str | None:
    """Read ``path`` whole; the system's words for the first read that fails, or None."""
    try:
        with open(path, "rb", buffering=0) as f:
            while f.read(_REREAD_CHUNK):
                if on_progress is not None:
                    on_progress(0.0)
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def _lines(stream, source: str):
    """ffmpeg's stderr line by line, where a message naming a file with newlines in its name is one line."""
    head, breaks = source.split("\n", 1)[0], source.count("\n")
    raw_lines = iter(stream)
    for raw in raw_lines:
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if breaks and line.endswith(head):
            for _ in range(breaks):
                line += "\n" + next(raw_lines, b"").decode("utf-8", "replace").rstrip("\r\n")
        yield line


class _Reading:
    """ffmpeg's interleaved log and progress, read line by line."""

    lenient_startup = False  # start-up complaints ignored only before the first frame

    def __init__(self, on_progress, expected_duration: float | None, declared_duration: float | None = None):
        self.on_progress = on_progress
        self.expected = expected_duration
        self.declared = declared_duration
        self.read_failed: str | None = None
        self.frames = 0
        self.position = 0.0
        self.error: tuple[float, str] | None = None
        self.ended_early: str | None = None
        self.cannot: str | None = None
        self.starting = False  # the last error was a start-up complaint

    def take(self, line: str) -> bool:
        """Read one line; True when it is an error that decides the verdict."""
        if not line.startswith("["):
            key, _, value = line.partition("=")
            if key == "frame" and value.isdigit():
                self.frames = int(value)
            elif key == "out_time_us" and value.lstrip("-").isdigit():
                self.position = max(0.0, int(value) / 1e6)
            elif key == "progress" and self.on_progress is not None:
                self.on_progress(self.position)
            return False
        match = _LOG_LINE.match(line)
        if match is None:
            return False
        message = match["msg"].strip()
        if message == _READ_ERROR or message.endswith(READ_FAILURES):
            self.cannot = self.read_failed = message
            return True  # the file is read again (run_decode) to tell the mount's fault from the media's
        if match["ctx"] is None and _CANNOT.match(message):
            self.cannot = message
            return False
        if message.startswith(_SUMMARY):
            return False
        if (self.lenient_startup or not self.frames) and (message.startswith(_STARTUP) or self.starting and message.startswith(_DECODE_FAILED)):
            self.starting = True
            return False
        if self.expected and message.startswith(_ENDS_EARLY):
            self.ended_early = self.ended_early or message  # the length decides, at the end
            return False
        self.error = (self.position, message)
        return True

    def verdict(self, returncode: int) -> DecodeVerdict:
        if self.error is not None:
            at, message = self.error
            return DecodeVerdict(CORRUPTED, f"decode error at {clock(at)}: {message}", at)
        if self.cannot is not None:
            return DecodeVerdict(INCONCLUSIVE, f"not decodable here: {self.cannot}", self.position)
        if returncode != 0:
            return DecodeVerdict(INCONCLUSIVE, f"ffmpeg stopped with exit code {returncode}", self.position)
        if self.expected and self.expected - self.position > max(_SHORT_SLACK_S, _SHORT_SLACK_SHARE * self.expected):
            why = f" ({self.ended_early})" if self.ended_early else ""
            return DecodeVerdict(CORRUPTED, f"decode error at {clock(self.position)}: the media ends there, "
                                            f"its header declares {clock(self.expected)}{why}", self.position)
        if self.declared and self.position < _DECLARED_SHARE * self.declared:
            return DecodeVerdict(CORRUPTED, f"decode error at {clock(self.position)}: the media ends there, "
                                            f"its header declares {clock(self.declared)}", self.position)
        return DecodeVerdict(OK, "ok", self.position)


def clock(seconds: float) -> str:
    """A stream time as HH:MM:SS.s."""
    tenths = int(round(seconds * 10))
    hours, rest = divmod(tenths, 36000)
    minutes, rest = divmod(rest, 600)
    return f"{hours:02}:{minutes:02}:{rest // 10:02}.{rest % 10}"
