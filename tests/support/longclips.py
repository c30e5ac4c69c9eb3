"""Ten-minute clips for the sampled check of phase 2, clean and damaged in the middle.

Real ffmpeg output, tiny to keep the suite fast: 64x36 at 5 frames per second with a key
frame every second, MPEG audio at 32 kHz (a clip is 1.5-4 MB and takes a second or two
to generate). Clean: Matroska, MP4, MPEG-TS, AVI, Matroska recorded to a pipe (no
duration, no index), MP4 with a variable frame rate, Matroska with three audio tracks.

Damaged copies of the clips that carry a duration (DAMAGES): 5 % of the bytes in the
middle zero-filled, overwritten with random bytes, or cut out; random bytes over 2 % in
the middle; the last 30 % cut off; and (Matroska, MP4) the media of the clip behind the
header of a twelve-minute one. MISSED names the damaged clips a sampled check does not
find, and why.
"""

from pathlib import Path

from linkdoctor.mediagen import make_damaged_region, make_longer_header, make_truncated, make_video

MINUTES = 10
CLIP = {"seconds": MINUTES * 60, "size": "64x36", "rate": 5, "sample_rate": 32000,
        "audio_codec": ["-c:a", "mp2", "-b:a", "32k"]}
CLEAN = {"clip.mkv": {}, "clip.mp4": {}, "clip.ts": {}, "clip.avi": {}, "pipe.mkv": {"piped": True},
         "vfr.mp4": {"vfr": True}, "tracks.mkv": {"audio_tracks": 3}}
DAMAGED_FROM = ("clip.mkv", "clip.mp4", "clip.ts", "clip.avi", "vfr.mp4", "tracks.mkv")
DAMAGES = ("zero5", "random5", "cut5", "random2", "trunc")
LONGER_HEADER = ("clip.mkv", "clip.mp4")
# Damage of 5 % or more that the sampled check misses, and why: MPEG-4 Part 2 in AVI decodes
# random or misplaced bytes without complaint, and the AVI demuxer skips what it cannot parse.
# A full decode sees one error at most in the whole 5 % region, or none.
MISSED = {
    ("clip.avi", "random5"): "MPEG-4 Part 2 in AVI decodes random bytes without an error",
    ("clip.avi", "cut5"): "the AVI index points past the cut; the data it finds decodes without an error",
}


def build_clips(folder: Path) -> dict[str, Path]:
    """The clean clips, by name."""
    folder.mkdir(parents=True, exist_ok=True)
    return {name: make_video(folder / name, **CLIP, **how) for name, how in CLEAN.items()}


def build_damaged(clips: dict[str, Path], folder: Path) -> dict[tuple[str, str], Path]:
    """Each clip of DAMAGED_FROM damaged each way of DAMAGES, and the LONGER_HEADER ones: (name, damage) -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    makers = {
        "zero5": lambda src, dst: make_damaged_region(src, dst, "zero", 0.05),
        "random5": lambda src, dst: make_damaged_region(src, dst, "random", 0.05, seed=5),
        "cut5": lambda src, dst: make_damaged_region(src, dst, "cut", 0.05),
        "random2": lambda src, dst: make_damaged_region(src, dst, "random", 0.02, seed=2),
        "trunc": lambda src, dst: make_truncated(src, dst, 0.7),
    }
    damaged = {(name, damage): makers[damage](clips[name], folder / f"{damage}-{name}")
               for name in DAMAGED_FROM for damage in DAMAGES}
    for name in LONGER_HEADER:
        longer = make_video(folder / f"longer-{name}", **{**CLIP, "seconds": (MINUTES + 2) * 60})
        damaged[(name, "header")] = make_longer_header(clips[name], longer, folder / f"header-{name}")
        longer.unlink()
    return damaged
