"""Phase-2 sampled check: short decoded windows spread through a file, and small reads through its bytes.

Stdlib only: this module is imported inside lightweight worker processes.

``phase2_decode: sampled`` gives every file the probe found ok this check instead of a
full decode (a file the probe doubts is decoded whole, as in ``suspicious``):

* **reads**: READS blocks of READ_BYTES at evenly spaced offsets from the start to the
  end of the file. A read that fails is the mount's fault (UNREADABLE, an io_error). Two
  neighbouring blocks that are all zeros mean a zero-filled region of at least 1/READS of
  the file: a download preallocated and never filled, a chunk a remote lost. Compressed
  audio and video never hold that many zeros; raw PCM silence does, so the zeros are
  only judged in files with a video stream.
* **windows**: WINDOW_S seconds decoded every MAX_GAP_SHARE of the duration (at most
  MAX_GAP_S apart), plus the last TAIL_S seconds, in one ffmpeg run: the concat demuxer
  reads a list naming the file once per window with ``inpoint``/``outpoint``. A decode
  starts at a key frame, so the windows are moved onto key frames first (one ffprobe run
  seeking to LOOKUPS times, one packet read at each): a window then costs its own length,
  not the up to 10 s of frames before it in its group of pictures. Where key frames are
  too far apart for the file's length, it is decoded whole. A decoder error in a window is corrupted, at
  the stream time of the window; so is a run in which the windows yield less than half
  their length (windows past the real end of the media yield nothing). A file too short to be worth sampling (the windows
  would cover half of it) is decoded whole.

What it cannot see: damage that lies wholly between two windows and is not zeros, such
as a few KiB of flipped bits or random bytes over less than the gap between windows;
a cut MPEG-TS or Ogg file, which reads as a shorter valid file. A full decode (``all``)
sees the first.

Measured here (bench/phase2.py): one concat run was the fastest way that places errors;
several ``-ss``/``-t`` inputs in one run decode their windows interleaved, so an error
cannot be placed, and the null muxer rejects their overlapping timestamps.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import tempfile
from typing import Callable, NamedTuple

from linkdoctor.scanner.decode import DecodeHint, DecodeVerdict, _Reading, clock, decode_media, run_decode
from linkdoctor.scanner.layout import CORRUPTED, OK
from linkdoctor.scanner.probe import UNREADABLE

WINDOW_S = 1.0  # from a key frame: the key frame and the frames that depend on it
TAIL_S = 5.0
MAX_GAP_SHARE = 0.05
MAX_GAP_S = 300.0
# Sampling a file costs less than decoding it only if the windows cover well under half of it.
MAX_SAMPLED_SHARE = 0.5
READS = 64
READ_BYTES = 4096
# Key frames are looked up at this many evenly spaced times, one ffprobe run reading one packet at each.
LOOKUPS = 50
_LOOKUP_TIMEOUT_S = 120.0
# A key frame this far past the planned gap is still taken: 5 % and a second is "about 5 %".
_GAP_SLACK_S = 1.0


class Window(NamedTuple):
    """A stretch of stream time to decode: from ``start`` to ``end`` (None: to the end of the file)."""

    start: float
    end: float | None


def plan_windows(duration: float | None) -> tuple[Window, ...]:
    """The windows that sample a file of ``duration`` seconds; () when it should be decoded whole."""
    if not duration or duration <= 0:
        return ()
    spacing = min(MAX_GAP_SHARE * duration, MAX_GAP_S)
    tail = max(0.0, duration - TAIL_S)
    count = math.ceil(tail / spacing)
    if (count * WINDOW_S + TAIL_S) >= MAX_SAMPLED_SHARE * duration:
        return ()
    windows = [Window(round(k * spacing, 3), round(min(k * spacing + WINDOW_S, tail), 3))
               for k in range(count) if k * spacing < tail]
    return (*windows, Window(round(tail, 3), None))


def check_hinted(path: str, hint: DecodeHint, threads: int = 1,
                 on_progress: Callable[[float], None] | None = None) -> DecodeVerdict:
    """The decode phase 2 asked for in ``hint``: sampled when it has windows, else the whole file."""
    if hint.windows:
        return sample_media(path, hint.windows, threads=threads, on_progress=on_progress,
                            check_zeros=hint.check_zeros)
    return decode_media(path, media_end=hint.media_end, expected_duration=hint.expected_duration,
                        declared_duration=hint.declared_duration, threads=threads, on_progress=on_progress)


def sample_media(path: str, windows: tuple[Window, ...], *, ffmpeg: str = "ffmpeg", threads: int = 1,
                 check_zeros: bool = True, on_progress: Callable[[float], None] | None = None) -> DecodeVerdict:
    """Read spaced blocks of ``path`` and decode its ``windows``; raises ProbeError if ffmpeg cannot run."""
    path = os.path.abspath(os.fspath(path))
    try:
        zeros = zero_region(path, on_progress)
    except OSError as exc:
        return DecodeVerdict(UNREADABLE, f"reading the file: {exc.strerror or exc}")
    if zeros is not None and check_zeros:
        return DecodeVerdict(CORRUPTED, zeros)
    duration = windows[-1].start + TAIL_S
    frames = key_frames(path, video=check_zeros, duration=duration)
    windows = on_key_frames(windows, frames)
    if on_progress is not None:
        on_progress(0.0)
    if decode_cost(windows, frames) >= MAX_SAMPLED_SHARE * duration:
        # Key frames too far apart for this length (a short clip of a release with 10 s GOPs):
        # the windows would decode most of the file, and more than once.
        return decode_media(path, ffmpeg=ffmpeg, declared_duration=duration, threads=threads, on_progress=on_progress)
    folder = tempfile.mkdtemp(prefix="linkdoctor-sample-")
    try:
        # The list names a link in a folder of our own, so no quoting rule of the concat
        # format can meet the file's name; the suffix lets ffmpeg guess raw formats.
        suffix = os.path.splitext(path)[1]
        media = os.path.join(folder, "media" + (suffix if suffix[1:].isalnum() else ""))
        os.symlink(path, media)
        listing = os.path.join(folder, "windows.ffconcat")
        with open(listing, "w", encoding="utf-8") as f:
            f.write(concat_list(os.path.basename(media), windows))
        reading = _SampledReading(on_progress, windows)
        return run_decode(ffmpeg, ["-f", "concat", "-safe", "0", "-i", "file:" + listing], reading, threads,
                          path, ("file:" + listing, "file:" + media, media))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def key_frames(path: str, *, video: bool, duration: float, ffprobe: str = "ffprobe") -> list[float]:
    """Times of key frames found by seeking to LOOKUPS times through ``path`` (sorted, without repeats)."""
    seeks = ",".join(f"{duration * k / LOOKUPS:.3f}%+#1" for k in range(1, LOOKUPS))
    cmd = [ffprobe, "-v", "error", "-select_streams", "v:0" if video else "a:0", "-read_intervals", seeks,
           "-show_entries", "packet=pts_time,flags", "-of", "csv=p=0", "file:" + path]
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=_LOOKUP_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return []  # the windows then start where they were planned, and the decode says what is wrong
    found, answers, keys = set(), 0, 0
    for line in proc.stdout.decode("ascii", "replace").splitlines():
        fields = line.split(",")
        try:
            time = float(fields[0])
        except ValueError:
            continue
        answers += 1
        if len(fields) >= 2 and fields[1].startswith("K"):
            keys += 1
            found.add(time)
    # Seeks in MPEG-TS land on any packet: the few key frames found there say nothing of the others.
    return sorted(found) if answers and keys >= 0.9 * answers else []


def on_key_frames(windows: tuple[Window, ...], frames: list[float]) -> tuple[Window, ...]:
    """The windows of a plan moved to start on key frames, leaving no longer gaps than the plan.

    A window that starts on a key frame costs its own length to decode; one that starts
    between key frames costs the frames since the key frame before it too (up to 10 s of
    them in a typical release). Where no key frame is known in reach (MPEG-TS, whose seeks
    do not land on key frames), a window starts where the plan would have it."""
    if len(windows) < 2 or not frames:
        return windows
    tail = windows[-1].start
    max_gap = windows[1].start - windows[0].end if len(windows) > 2 else tail
    placed, end = [], 0.0
    while end + max_gap < tail:
        limit = end + max_gap + _GAP_SLACK_S
        reachable = [t for t in frames if end < t <= limit]
        start = reachable[-1] if reachable else limit
        placed.append(Window(round(start, 3), round(min(start + WINDOW_S, tail), 3)))
        end = start + WINDOW_S
    return (*placed, windows[-1])


def decode_cost(windows: tuple[Window, ...], frames: list[float]) -> float:
    """Seconds of stream the windows decode: each from the key frame before it (when known) to its end."""
    cost = 0.0
    for window in windows:
        before = max((t for t in frames if t <= window.start), default=window.start)
        cost += (window.end if window.end is not None else window.start + TAIL_S) - before
    return cost


def concat_list(name: str, windows: tuple[Window, ...]) -> str:
    """An ffconcat script naming ``name`` once per window."""
    lines = ["ffconcat version 1.0"]
    for window in windows:
        lines += [f"file '{name}'", f"inpoint {window.start:.3f}"]
        if window.end is not None:
            lines.append(f"outpoint {window.end:.3f}")
    return "\n".join(lines) + "\n"


def zero_region(path: str, on_progress: Callable[[float], None] | None = None) -> str | None:
    """Read READS blocks through ``path``: where two neighbours are all zeros, else None; raises OSError."""
    with open(path, "rb", buffering=0) as f:
        size = os.fstat(f.fileno()).st_size
        if size < 2 * READS * READ_BYTES:
            return None  # small files: the layout checks and the decode see them whole
        step = (size - READ_BYTES) / (READS - 1)
        zero = []
        for k in range(READS):
            f.seek(int(k * step))
            block = f.read(READ_BYTES)
            zero.append(bool(block) and not block.strip(b"\0"))
            if on_progress is not None:
                on_progress(0.0)
    for k in range(READS - 1):
        if zero[k] and zero[k + 1]:
            last = k + 1
            while last + 1 < READS and zero[last + 1]:
                last += 1
            start, end = int(k * step), int(last * step) + READ_BYTES
            return (f"zero-filled region: the bytes read from {start:,} to {end:,} of {size:,} are all zeros "
                    f"(about {start / size:.0%}-{end / size:.0%} of the file)")
    return None


class _SampledReading(_Reading):
    """ffmpeg's log and progress over the concat of windows: errors placed in the file's own time."""

    # Each window starts at a seek: a decoder may complain before its first picture there.
    lenient_startup = True

    def __init__(self, on_progress, windows: tuple[Window, ...]):
        super().__init__(on_progress, None)
        self.windows = windows

    def take(self, line: str) -> bool:
        # The null muxer's complaints are about the output: the frames decoded before each
        # window's in-point carry times before the previous window's end.
        if line.startswith("[null @ "):
            return False
        return super().take(line)

    def file_time(self, position: float) -> tuple[float, int]:
        """(stream time in the file, window number from 1) of a position in the concatenated output."""
        elapsed = 0.0
        for number, window in enumerate(self.windows, 1):
            length = (window.end - window.start) if window.end is not None else math.inf
            if position < elapsed + length:
                return window.start + max(0.0, position - elapsed), number
            elapsed += length
        return self.windows[-1].start, len(self.windows)

    def verdict(self, returncode: int) -> DecodeVerdict:
        if self.error is not None:
            at, message = self.error
            time, number = self.file_time(at)
            return DecodeVerdict(CORRUPTED, f"decode error at {clock(time)} (sampled window {number} of "
                                            f"{len(self.windows)}): {message}", time)
        verdict = super().verdict(returncode)
        planned = sum((w.end if w.end is not None else w.start + TAIL_S) - w.start for w in self.windows)
        if verdict.level == OK and self.position < 0.5 * planned:
            # Windows past the real end of the media yield nothing: the header promises more than the file holds.
            _, number = self.file_time(self.position)
            return DecodeVerdict(CORRUPTED, f"decode error at {clock(self.windows[number - 1].start)}: the media ends "
                                            f"before sampled window {number} of {len(self.windows)}, its header "
                                            f"declares {clock(self.windows[-1].start + TAIL_S)}", self.position)
        return verdict

