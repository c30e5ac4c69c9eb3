"""Phase-2 layout checks in Python: declared sizes against the file, trailing tags, a zeroed tail.

Stdlib only: this module is imported inside lightweight worker processes. A healthy
file costs a few small reads (its first 4 KiB, its last 4 KiB, a few element headers).

* Matroska/WebM files declare their Segment size, MP4/MOV files are a chain of sized
  top-level boxes, AVI/WAV files a chain of RIFF chunks. A declared end past the end of
  the file is hard evidence of truncation (``corrupted``), unless all that is cut is
  what follows the media: the Matroska Cues or the AVI idx1 index, a WAV's trailing
  chunks. Players rebuild those, so such a file is only ``suspicious``.
* MP3 files carry their stream size in a Xing/Info or VBRI header. Taggers and editors
  leave it stale on files that play to the end, so a mismatch is ``suspicious`` and the
  decode decides, by comparing where the audio really ends with the header's frame count;
  unless the audio is shorter than declared and ends inside a frame, which a stale header
  does not explain: a cut download, ``corrupted`` without a decode.
* ID3v1, APEv2 and Lyrics3 tags after the media are located, so that neither the MP3
  size check nor the decode takes them for audio.
* A file whose last 4 KiB are zeros looks like a preallocated download that never
  finished: ``suspicious``, for the decode to confirm or clear.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass

OK, SUSPICIOUS, CORRUPTED = "ok", "suspicious", "corrupted"

_HEAD_BYTES = 4096
_TAIL_BYTES = 4096
# Cap on layout walking, so that fragmented MP4 and multi-RIFF AVI files cost a bounded
# number of reads. Past the cap the check is inconclusive.
_MAX_CHUNKS = 64

_EBML_MAGIC = b"\x1a\x45\xdf\xa3"
_SEGMENT_ID = b"\x18\x53\x80\x67"
_SEEKHEAD_ID = b"\x11\x4d\x9b\x74"
_SEEK_ID = b"\x4d\xbb"
_SEEK_ID_ID = b"\x53\xab"
_SEEK_POSITION_ID = b"\x53\xac"
_CUES_ID = b"\x1c\x53\xbb\x6b"
_CLUSTER_ID = b"\x1f\x43\xb6\x75"
_MP4_FIRST_BOXES = frozenset({b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot", b"styp"})

# MPEG audio layer III: sample rates by version bits, and the Xing header's offset
# after the 4-byte frame header by (MPEG-1?, mono?).
_MPEG_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
_XING_OFFSET = {(True, False): 32, (True, True): 17, (False, False): 17, (False, True): 9}
_XING_FRAMES, _XING_BYTES = 1, 2
_MPEG1_L3_KBPS = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_MPEG2_L3_KBPS = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
# A truncated MP3 is told from a stale size header by its last frame: the chain of frames
# through the last bytes of the audio (at least this many frames) must end exactly at its end.
_MP3_TAIL_BYTES = 8192
_MP3_CHAIN = 3


@dataclass(frozen=True)
class Layout:
    """What the layout checks saw: ``detail`` says which check fired, "" when none did."""

    size: int
    container: str | None = None  # "matroska", "mp4", "riff", "flac", "mp3" or None
    level: str = OK
    detail: str = ""
    media_end: int = 0  # where the media ends: the size, less the tags that follow it
    tags: tuple[str, ...] = ()  # trailing tags found, last one first
    expected_duration: float | None = None  # what an MP3 header promises, when its size is in doubt


def inspect_layout(path: str) -> Layout:
    """Run the layout checks on ``path``; raises OSError when it cannot be read."""
    with open(path, "rb", buffering=0) as f:
        size = os.fstat(f.fileno()).st_size
        if size == 0:
            return Layout(0, None, CORRUPTED, "empty file")
        head = f.read(_HEAD_BYTES)
        f.seek(max(0, size - _TAIL_BYTES))
        tail = f.read(_TAIL_BYTES)
        reader = _Reader(f, head, tail, size)
        media_end, tags = _trailing_tags(reader, size)
        container, level, detail, expected = _check_container(reader, head, size, media_end)
    notes = [detail] if detail else []
    if level != CORRUPTED and not tail.strip(b"\0"):
        level = SUSPICIOUS
        notes.append(f"zero-filled tail: the last {len(tail):,} bytes are zeros")
    return Layout(size, container, level, "; ".join(notes), media_end, tuple(tags), expected)


class _Reader:
    """Small reads at absolute positions, served from the head and tail already read when possible."""

    def __init__(self, f, head: bytes, tail: bytes, size: int):
        self.f, self.head, self.tail = f, head, tail
        self.tail_start = size - len(tail)

    def read(self, pos: int, length: int) -> bytes:
        if pos + length <= len(self.head):
            return self.head[pos:pos + length]
        if pos >= self.tail_start:
            return self.tail[pos - self.tail_start:pos - self.tail_start + length]
        self.f.seek(pos)
        return self.f.read(length)


def _check_container(reader: _Reader, head: bytes, size: int, media_end: int):
    """(container, level, detail, expected duration) from the declared sizes of the file's container."""
    if head.startswith(_EBML_MAGIC):
        return ("matroska", *_check_matroska(reader, head, size), None)
    if head[4:8] in _MP4_FIRST_BOXES:
        return ("mp4", *_check_boxes(reader, size), None)
    if head.startswith(b"RIFF"):
        return ("riff", *_check_riff(reader, size), None)
    start = id3v2_end(head)
    magic = reader.read(start, 4)
    if magic == b"fLaC":
        return "flac", OK, "", None
    mp3 = _check_mp3(reader, start, magic, media_end)
    if mp3 is not None:
        return ("mp3", *mp3)
    return None, OK, "", None


def id3v2_end(head: bytes) -> int:
    """Where the media starts behind an ID3v2 tag (0 without one)."""
    if not head.startswith(b"ID3") or len(head) < 10:
        return 0
    # The tag size is a 28-bit "syncsafe" integer; a footer flag adds 10 more bytes.
    end = 10 + ((head[6] & 0x7F) << 21 | (head[7] & 0x7F) << 14 | (head[8] & 0x7F) << 7 | head[9] & 0x7F)
    return end + 10 if head[5] & 0x10 else end


# --- Matroska -----------------------------------------------------------------------------

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


def _element(buf: bytes, pos: int) -> tuple[bytes, int, int, bool] | None:
    """The EBML element at ``pos``: (id, data position, data size, size unknown)."""
    if pos >= len(buf) or not 0x10 <= buf[pos]:
        return None
    id_length = 8 - buf[pos].bit_length() + 1  # IDs are 1 to 4 bytes, marked like vints
    size = _read_vint(buf, pos + id_length)
    if size is None:
        return None
    return buf[pos:pos + id_length], pos + id_length + size[1], size[0], size[2]


def _check_matroska(reader: _Reader, head: bytes, size: int) -> tuple[str, str]:
    """Compare the Segment's declared end with the file size."""
    header_size = _read_vint(head, len(_EBML_MAGIC))
    if header_size is None:
        return OK, ""
    seg_pos = len(_EBML_MAGIC) + header_size[1] + header_size[0]
    segment = _element(head, seg_pos)
    if segment is None or segment[0] != _SEGMENT_ID or segment[3]:
        # An unusual layout, a header past the first 4 KB, or an "unknown size"
        # segment (live recordings) that declares no end: leave it to ffprobe.
        return OK, ""
    end = segment[1] + segment[2]
    if end <= size:
        return OK, ""
    detail = f"container size: Matroska segment declares {end:,} bytes, file has {size:,}"
    cues = _matroska_cues_after_clusters(reader, segment[1], size)
    if cues is not None and size >= cues:
        return SUSPICIOUS, detail + "; only its index (Cues) after the last cluster is cut"
    return CORRUPTED, detail


def _matroska_cues_after_clusters(reader: _Reader, data_start: int, size: int) -> int | None:
    """Where the Cues start, when the SeekHead lists them after the first Cluster; else None."""
    pos, cues, first_cluster = data_start, None, None
    for _ in range(_MAX_CHUNKS):
        if pos >= size:
            break
        element = _element(reader.read(pos, 12), 0)
        if element is None:
            break
        element_id, data, length, unknown = element
        if element_id == _CLUSTER_ID:
            first_cluster = pos
            break
        if element_id == _SEEKHEAD_ID and not unknown:
            content = reader.read(pos + data, min(length, _HEAD_BYTES))
            relative = _seek_position(content, _CUES_ID)
            cues = None if relative is None else data_start + relative
        if unknown:
            break
        pos += data + length
    if cues is None or first_cluster is None or cues <= first_cluster:
        return None
    return cues


def _seek_position(content: bytes, wanted: bytes) -> int | None:
    """The SeekPosition of ``wanted`` in a SeekHead's content, if listed."""
    pos = 0
    while (seek := _element(content, pos)) is not None:
        seek_id, data, length, _ = seek
        if seek_id == _SEEK_ID:
            found_id, position, inner = None, None, data
            while inner < data + length and (child := _element(content, inner)) is not None:
                child_id, child_data, child_length, _ = child
                value = content[child_data:child_data + child_length]
                if child_id == _SEEK_ID_ID:
                    found_id = value
                elif child_id == _SEEK_POSITION_ID:
                    position = int.from_bytes(value, "big")
                inner = child_data + child_length
            if found_id == wanted and position is not None:
                return position
        pos = data + length
    return None


# --- MP4 and RIFF -------------------------------------------------------------------------

def _check_boxes(reader: _Reader, size: int) -> tuple[str, str]:
    """Walk MP4/MOV top-level boxes; a box running past the end of the file means truncation."""
    pos = 0
    for _ in range(_MAX_CHUNKS):
        if pos >= size:
            return OK, ""
        header = reader.read(pos, 16)
        if len(header) < 8:
            return OK, ""  # a few trailing bytes: not a box, let ffprobe judge
        box_size, box_type = struct.unpack(">I4s", header[:8])
        if not all(0x20 <= c <= 0x7E for c in box_type):
            return OK, ""  # trailing junk rather than a box
        if box_size == 0:
            return OK, ""  # last box, runs to the end of the file by definition
        if box_size == 1:
            if len(header) < 16:
                return OK, ""
            box_size, min_size = struct.unpack(">Q", header[8:16])[0], 16
        else:
            min_size = 8
        if box_size < min_size:
            return OK, ""
        if pos + box_size > size:
            name = box_type.decode("ascii")
            return CORRUPTED, f"container size: '{name}' box declares {pos + box_size:,} bytes, file has {size:,}"
        pos += box_size
    return OK, ""


def _check_riff(reader: _Reader, size: int) -> tuple[str, str]:
    """Walk RIFF chunks (AVI, OpenDML AVIX extensions, WAV) and compare declared sizes."""
    pos = 0
    for _ in range(_MAX_CHUNKS):
        if pos >= size:
            return OK, ""
        header = reader.read(pos, 12)
        if len(header) < 12 or header[:4] != b"RIFF":
            return OK, ""
        declared = struct.unpack("<I", header[4:8])[0]
        if declared in (0, 0xFFFFFFFF):
            return OK, ""  # streaming writers leave the size unset
        end = pos + 8 + declared
        if end > size:
            form = header[8:12].decode("latin-1")
            detail = f"container size: RIFF '{form}' chunk declares {end:,} bytes, file has {size:,}"
            media_end = _riff_media_end(reader, pos + 12, min(end, size))
            if media_end is not None and media_end <= size:
                return SUSPICIOUS, detail + "; only what follows the media data (index, tags) is cut"
            return CORRUPTED, detail
        pos = end + (declared & 1)  # chunks are padded to an even length
    return OK, ""


def _riff_media_end(reader: _Reader, pos: int, limit: int) -> int | None:
    """End of the chunk holding the media (AVI 'LIST movi', WAV 'data') inside one RIFF chunk."""
    for _ in range(_MAX_CHUNKS):
        if pos + 8 > limit:
            return None
        header = reader.read(pos, 12)
        if len(header) < 8:
            return None
        length = struct.unpack("<I", header[4:8])[0]
        end = pos + 8 + length
        if header[:4] == b"data" or header[:4] == b"LIST" and header[8:12] == b"movi":
            return end
        pos = end + (length & 1)
    return None


# --- MP3 ----------------------------------------------------------------------------------

def _check_mp3(reader: _Reader, start: int, frame: bytes, media_end: int):
    """Compare an MP3's Xing/Info or VBRI stream size with its audio; None if not an MP3."""
    if len(frame) < 4 or frame[0] != 0xFF or frame[1] & 0xE0 != 0xE0:
        return None
    version, layer = (frame[1] >> 3) & 3, (frame[1] >> 1) & 3
    rate_index, bitrate_index = (frame[2] >> 2) & 3, frame[2] >> 4
    if version == 1 or layer != 1 or rate_index == 3 or bitrate_index in (0, 15):
        return None  # not MPEG audio layer III
    mpeg1, mono = version == 3, frame[3] >> 6 == 3
    rate = _MPEG_RATES[version][rate_index]
    samples_per_frame = 1152 if mpeg1 else 576
    frames = declared = None
    xing = reader.read(start + 4 + _XING_OFFSET[(mpeg1, mono)], 16)
    if xing[:4] in (b"Xing", b"Info") and len(xing) == 16:
        flags = struct.unpack(">I", xing[4:8])[0]
        fields = iter(struct.unpack(">II", xing[8:16]))
        frames = next(fields) if flags & _XING_FRAMES else None
        declared = next(fields) if flags & _XING_BYTES else None
        source = f"{xing[:4].decode()} header"
    else:
        vbri = reader.read(start + 4 + 32, 18)
        if vbri[:4] != b"VBRI" or len(vbri) < 18:
            return OK, "", None
        declared, frames = struct.unpack(">II", vbri[10:18])
        source = "VBRI header"
    audio = media_end - start
    if not declared or audio <= 0 or abs(declared - audio) <= min(declared, audio) >> 4:
        return OK, "", None  # within ffmpeg's own tolerance (1/16)
    expected = frames * samples_per_frame / rate if frames else None
    detail = f"container size: {source} declares {declared:,} bytes of audio, file has {audio:,}"
    if declared > audio and _ends_mid_frame(reader, start, media_end):
        # A stale header sits on audio that ends with a whole frame; a cut download ends inside one.
        return CORRUPTED, detail + ", and its last frame is cut", expected
    return SUSPICIOUS, detail, expected


def mp3_frame_length(header: bytes) -> int:
    """Length in bytes of the MPEG audio layer III frame with this 4-byte header; 0 if it is not one."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return 0
    version, layer = (header[1] >> 3) & 3, (header[1] >> 1) & 3
    rate_index, bitrate_index = (header[2] >> 2) & 3, header[2] >> 4
    if version == 1 or layer != 1 or rate_index == 3 or bitrate_index in (0, 15):
        return 0
    mpeg1 = version == 3
    kbps = (_MPEG1_L3_KBPS if mpeg1 else _MPEG2_L3_KBPS)[bitrate_index]
    return (144 if mpeg1 else 72) * kbps * 1000 // _MPEG_RATES[version][rate_index] + ((header[2] >> 1) & 1)


def _ends_mid_frame(reader: _Reader, start: int, media_end: int) -> bool:
    """Whether the MP3 audio ends inside a frame: a chain of whole frames through its last KiB runs past the end."""
    first = max(start, media_end - _MP3_TAIL_BYTES)
    buf = reader.read(first, media_end - first)
    for sync in range(len(buf) - 3):
        pos, chained = sync, 0
        while pos + 4 <= len(buf) and (length := mp3_frame_length(buf[pos:pos + 4])):
            pos, chained = pos + length, chained + 1
        if chained >= _MP3_CHAIN and pos != len(buf):
            return pos > len(buf) or pos + 4 > len(buf)  # a frame (or its header) runs past the end
        if chained >= _MP3_CHAIN:
            return False  # whole frames to the last byte
    return False  # no chain of frames found: no evidence


# --- trailing tags ------------------------------------------------------------------------

def _trailing_tags(reader: _Reader, size: int) -> tuple[int, list[str]]:
    """Where the media ends before ID3v1, APEv2 and Lyrics3 tags, and which tags follow it."""
    end, tags = size, []
    for _ in range(8):
        if end >= 128 and reader.read(end - 128, 3) == b"TAG":
            end, tag = end - 128, "ID3v1"
        elif end >= 32 and reader.read(end - 32, 8) == b"APETAGEX":
            footer = reader.read(end - 32, 32)
            tag_size, flags = struct.unpack("<I", footer[12:16])[0], struct.unpack("<I", footer[20:24])[0]
            total = tag_size + (32 if flags & 0x80000000 else 0)  # bit 31: a header precedes the items
            if tag_size < 32 or total > end:
                break
            end, tag = end - total, "APEv2"
        elif end >= 15 and reader.read(end - 9, 9) == b"LYRICS200":
            digits = reader.read(end - 15, 6)
            start = end - 15 - int(digits) if digits.isdigit() else -1
            if start < 0 or reader.read(start, 11) != b"LYRICSBEGIN":
                break
            end, tag = start, "Lyrics3"
        elif end >= 9 and reader.read(end - 9, 9) == b"LYRICSEND":
            window = max(0, end - 9 - 5100)  # Lyrics3 v1 holds at most 5100 bytes of lyrics
            found = reader.read(window, end - window).rfind(b"LYRICSBEGIN")
            if found < 0:
                break
            end, tag = window + found, "Lyrics3"
        else:
            break
        tags.append(tag)
    return end, tags
