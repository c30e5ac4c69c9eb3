"""The demo library: Films/ and Séries/ folders of symlinks into a demo source folder, with
replacement releases in that folder for repair to find.

Everything is generated with ffmpeg on the spot, so nothing binary is committed.
"""

import os
from pathlib import Path

from linkdoctor.errors import ConflictError
from linkdoctor.mediagen import make_garbage, make_truncated, make_video

# (link inside the media root, file inside the demo source or None when the target is missing, kind)
DEMO_LINKS = [
    ("Films/Dune (2021)/Dune (2021).mkv", "films/Dune.2021.1080p.mkv", "video"),
    ("Films/Arrival (2016)/Arrival (2016).mp4", "films/Arrival.2016.mp4", "video"),
    ("Films/Le Fabuleux Destin d'Amélie Poulain (2001)/Amélie (2001).mkv", "films/Amelie.2001.mkv", "video"),
    ("Films/Blade Runner (1982)/Blade Runner (1982).mkv", "films/Blade.Runner.1982.mkv", "missing"),
    ("Films/Heat (1995)/Heat (1995).mkv", "films/Heat.1995.mkv", "empty"),
    ("Films/Alien (1979)/Alien (1979).mkv", "films/Alien.1979.mkv", "truncated"),
    ("Séries/The Expanse/Season 01/The Expanse - S01E01.mkv", "series/The.Expanse.S01E01.mkv", "video"),
    ("Séries/The Expanse/Season 01/The Expanse - S01E02.mkv", "series/The.Expanse.S01E02.mkv", "missing"),
    ("Séries/The Expanse/Season 01/The Expanse - S01E03.mkv", "series/The.Expanse.S01E03.mkv", "garbage"),
    ("Séries/Dark/Season 01/Dark - S01E01.mkv", "series/Dark.S01E01.mkv", "video"),
    ("Séries/Dark/Season 01/Dark - S01E01.fr.srt", "series/Dark.S01E01.fr.srt", "subtitle"),
    # A shared wrong target: episode 2's link points at episode 1's file (fix-bad-links re-points it).
    ("Séries/Dark/Season 01/Dark - S01E02.mkv", "series/Dark.S01E01.mkv", "video"),
]
# Files of the demo source no link points at: the releases repair-links and fix-bad-links offer
# for the broken links and the wrong one (re-added under another name, as *arr and debrid do).
DEMO_RELEASES = [
    "films/Blade.Runner.1982.The.Final.Cut.1080p.BluRay.x264.mkv",
    "series/The.Expanse.S01E02.1080p.WEB.x264.mkv",
    "series/Dark.S01E02.1080p.WEB.x264.mkv",
]
SUBTITLE = "1\n00:00:00,000 --> 00:00:02,000\nLinkdoctor demo subtitle, long enough to pass the size check.\n" * 20


def _write_source(path: Path, kind: str, healthy: Path | None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "video":
        make_video(path, seconds=2.0)
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "truncated":
        make_truncated(healthy, path, keep_fraction=0.5)
    elif kind == "garbage":
        make_garbage(path, 64 * 1024)
    elif kind == "subtitle":
        path.write_text(SUBTITLE, encoding="utf-8")


def write_demo_library(media_root: str | os.PathLike, source_dir: str | os.PathLike, force: bool = False) -> list[str]:
    """Create the demo links (and their sources); refuses a non-empty media root unless `force`."""
    root, source = Path(media_root), Path(source_dir)
    root.mkdir(parents=True, exist_ok=True)
    if not force and any(entry.name != ".gitkeep" for entry in root.iterdir()):
        raise ConflictError(f"the media root {root} is not empty; use --force to add the demo folders anyway")
    healthy = source / "films" / "Dune.2021.1080p.mkv"
    created = []
    for link, target, kind in DEMO_LINKS:
        target_path = source / target
        if kind != "missing" and not target_path.exists():
            if kind == "truncated" and not healthy.exists():
                _write_source(healthy, "video", None)
            _write_source(target_path, kind, healthy)
        link_path = root / link
        link_path.parent.mkdir(parents=True, exist_ok=True)
        if not os.path.lexists(link_path):
            os.symlink(target_path, link_path)
            created.append(str(link_path))
    for release in DEMO_RELEASES:
        if not (source / release).exists():
            _write_source(source / release, "video", None)
    return created
