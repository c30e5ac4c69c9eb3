"""What a media file is (movie or episode, title, year, season, episodes), from its names alone.

The kind follows the library's own folders (`Films/`, `Séries/`, ... a setting),
else guessit's guess. Identity comes from the link's own name and folders first
(Sonarr and Radarr name them well), and what is missing there from the target's
name. Names already in the Sonarr/Radarr form (`Title (2001).mkv`,
`Title - S01E02E03 - Name.mkv`) are read by two strict patterns, because guessit
takes some 50 ms a name; every other name goes to guessit.
"""

import functools
import os
import re
import unicodedata
from typing import NamedTuple

from linkdoctor.models.inventory import EPISODE, MOVIE

_TITLE = r"(?P<title>[^._\[\]{}()/]+?)"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_MOVIE = re.compile(rf"^{_TITLE} \({_YEAR}\)(?: [^()]*)?$")
_EPISODE = re.compile(rf"^{_TITLE}(?: \({_YEAR}\))? - [Ss](?P<season>\d{{1,3}})(?P<episodes>(?:[Ee]\d{{1,4}})+)(?: - .*)?$")


class Identity(NamedTuple):
    """What an item is; `complete` tells whether it is known well enough to leave the pending list."""

    kind: str = ""
    title: str = ""
    year: int | None = None
    season: int | None = None
    episodes: tuple[int, ...] = ()

    @property
    def complete(self) -> bool:
        if self.kind == MOVIE:
            return bool(self.title) and self.year is not None
        if self.kind == EPISODE:
            return bool(self.title) and self.season is not None and bool(self.episodes)
        return False

    def same_item(self, other: "Identity") -> bool:
        """The same movie or episode (titles compared without case or accents)."""
        return (self.kind, _fold(self.title), self.year if self.kind == MOVIE else None, self.season, self.episodes) == \
               (other.kind, _fold(other.title), other.year if other.kind == MOVIE else None, other.season, other.episodes)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def kind_from_folders(folders: list[str], movie_folders: list[str], series_folders: list[str]) -> str:
    """movie or episode when one of the folders is a configured movie or series folder, else ""."""
    movies = {_fold(name) for name in movie_folders}
    series = {_fold(name) for name in series_folders}
    for folder in folders:
        name = _fold(folder)
        if name in series:
            return EPISODE
        if name in movies:
            return MOVIE
    return ""


def parse_standard_name(stem: str) -> Identity | None:
    """A name in the Sonarr/Radarr form, read without guessit; None for any other name."""
    match = _EPISODE.match(stem)
    if match:
        episodes = tuple(int(n) for n in re.findall(r"\d+", match["episodes"]))
        return Identity(EPISODE, match["title"].strip(), int(match["year"]) if match["year"] else None,
                        int(match["season"]), episodes)
    match = _MOVIE.match(stem)
    if match and " - " not in match["title"]:
        return Identity(MOVIE, match["title"].strip(), int(match["year"]))
    return None


def identity_from_guess(guess: dict, kind: str = "") -> Identity:
    """guessit's answer as an Identity (pure: turns its dict into our record)."""
    kind = kind or (EPISODE if guess.get("type") == "episode" else MOVIE)
    title = guess.get("title") or ""
    title = title if isinstance(title, str) else " ".join(map(str, title))
    year = guess.get("year")
    year = year[0] if isinstance(year, list) else year
    season = guess.get("season")
    season = season[0] if isinstance(season, list) else season
    episode = guess.get("episode")
    episodes = tuple(sorted(episode)) if isinstance(episode, list) else ((episode,) if episode is not None else ())
    if kind == MOVIE:
        season, episodes = None, ()
    return Identity(kind, title.strip(), year if isinstance(year, int) else None,
                    season if isinstance(season, int) else None, tuple(e for e in episodes if isinstance(e, int)))


@functools.lru_cache(maxsize=8192)  # a repair lists, then applies, the same names: guessit once each
def guess_name(name: str, kind: str = "") -> Identity:
    """guessit's identity of a name or relative path, its type forced when the kind is known."""
    stem = os.path.splitext(os.path.basename(name))[0]
    standard = parse_standard_name(stem)
    if standard is not None and (not kind or standard.kind == kind):
        return standard
    from guessit import guessit  # imported on first use: it takes a second to load

    options = {"type": kind} if kind else {}
    try:
        guess = dict(guessit(name, options))
    except Exception:  # guessit raises on some odd names; that name is then simply unidentified
        return Identity(kind)
    return identity_from_guess(guess, kind)


def _merge(first: Identity, second: Identity) -> Identity:
    """`first` with its missing fields taken from `second`, when both are the same kind."""
    if first.kind != second.kind:
        return first
    return Identity(first.kind, first.title or second.title,
                    first.year if first.year is not None else second.year,
                    first.season if first.season is not None else second.season,
                    first.episodes or second.episodes)


def identify(relative_path: str, target: str, movie_folders: list[str], series_folders: list[str]) -> Identity:
    """The identity of a library item: its path below the media root first, then its target's name."""
    parts = relative_path.split("/")
    kind = kind_from_folders(parts[:-1], movie_folders, series_folders)
    # The file's own folder carries the year ("Dune (2021)/Dune.mkv") and the series ("Série/Saison 1/...").
    name = "/".join(parts[-3:]) if kind == EPISODE else "/".join(parts[-2:])
    identity = guess_name(parts[-1], kind)
    if not identity.complete and len(parts) > 1:
        identity = _merge(identity, guess_name(name, kind or identity.kind))
    if not identity.complete and target:
        identity = _merge(identity, guess_name(os.path.basename(target), kind or identity.kind))
    return identity
