"""Source roots of realistic releases and libraries whose links went wrong: what repair-links and fix-bad-links mend."""

import os
from pathlib import Path

MOVIES = "Films"
SHOW = "Séries/The Office (2005)/Season 04"


class Tree:
    """A source root of realistic releases and a library whose links point at releases that went away."""

    def __init__(self, library, source):
        self.source = source
        files = ["The.Office.S04E02.720p.WEB.x264/The.Office.S04E02.720p.WEB.x264.mkv",
                 "The.Office.S04E020.720p.WEB.x264/The.Office.S04E020.720p.WEB.x264.mkv",
                 "The.Office.S04E21.720p.WEB.x264/The.Office.S04E21.720p.WEB.x264.mkv",
                 "Dune.1984.1080p.BluRay/Dune.1984.1080p.BluRay.mkv",
                 "Dune.2021.2160p.WEB-DL/Dune.2021.2160p.WEB-DL.mkv",
                 "Intouchables.2011.FRENCH.1080p/Intouchables.2011.FRENCH.1080p.mkv",
                 "The.Intouchables.2011.1080p/The.Intouchables.2011.1080p.mkv"]
        for name in files:
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            (source / name).write_bytes(b"\0" * 4096)
        self.file = {os.path.basename(n).split(".720p")[0].split(".1080p")[0].split(".2160p")[0]: str(source / n)
                     for n in files}
        root = library.root
        # Absolute links to releases that were re-added under another name.
        self.e02 = self._link(root / SHOW / "The Office - S04E02.mkv", str(source / "old/The.Office.S04E02.HDTV.mkv"))
        self.e21 = self._link(root / SHOW / "The Office - S04E21.mkv", str(source / "old/The.Office.S04E21.HDTV.mkv"))
        # A relative link: it must stay relative.
        dune = root / MOVIES / "Dune (2021)" / "Dune (2021).mkv"
        self.dune = self._link(dune, os.path.relpath(source / "gone/Dune.2021.mkv", dune.parent))
        self.intouchables = self._link(root / MOVIES / "Intouchables (2011)" / "Intouchables (2011).mkv",
                                       str(source / "gone/Intouchables.mkv"))
        self.nothing = self._link(root / MOVIES / "Amélie (2001)" / "Amélie (2001).mkv", str(source / "gone/a.mkv"))

    @staticmethod
    def _link(path, target):
        path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, path)
        return str(path)


class SharedTree:
    """Two episodes' links on one file (one of them wrong) and a film linked from two folders (legitimate)."""

    def __init__(self, library, source):
        show = source / "Dix.Pour.Cent.S01.FRENCH.1080p"
        show.mkdir()
        for number in (3, 4):
            (show / f"Dix.Pour.Cent.S01E0{number}.FRENCH.1080p.mkv").write_bytes(b"\0" * 4096)
        self.e03 = str(show / "Dix.Pour.Cent.S01E03.FRENCH.1080p.mkv")
        self.e04 = str(show / "Dix.Pour.Cent.S01E04.FRENCH.1080p.mkv")
        season = "Séries/Dix pour cent/Saison 01"
        self.good = str(library.link(f"{season}/Dix pour cent - S01E03.mkv", self.e03))
        self.bad = str(library.link(f"{season}/Dix pour cent - S01E04.mkv", self.e03))  # the anchor's substring bug
        self.film = str(source / "Dune.2021.2160p.mkv")
        Path(self.film).write_bytes(b"\0" * 4096)
        self.films = [str(library.link("Films/Dune (2021)/Dune (2021).mkv", self.film)),
                      str(library.link("Films/Science-fiction/Dune (2021).mkv", self.film))]  # legitimate
