"""Which source file a link meant: pure functions scoring candidates against what the link was.

Titles are compared as sets of whole words after normalisation (case, accents,
punctuation, leading articles, `&`/`and`), never as substrings: "S04E02" against
"S04E021" was how an earlier tool linked a whole series to one file. Season and
episode numbers are numbers and must be equal; a multi-episode file serves each
of its episodes. The year decides between remakes.
"""

import functools
import re
import unicodedata
from typing import NamedTuple

from linkdoctor.library.identify import Identity
from linkdoctor.models.inventory import EPISODE, MOVIE

ARTICLES = ("le", "la", "les", "l", "the", "a", "an")
MIN_TITLE_SIMILARITY = 0.6  # below this share of common words, two titles are different works
AMBIGUITY_MARGIN = 5.0  # two candidates closer than this are a coin toss: never applied alone
DEFAULT_MIN_SCORE = 90.0  # --auto's threshold: a full title match, the year known on both sides
YEAR_UNKNOWN_PENALTY = 12.0  # a movie whose year one side does not say might be the remake
MULTI_EPISODE_PENALTY = 2.0  # a file holding exactly the wanted episode(s) beats a multi-episode one
_WORD = re.compile(r"[a-z0-9]+")


class Candidate(NamedTuple):
    """A source file and how well it matches (0-100)."""

    path: str
    score: float


class Decision(NamedTuple):
    """What to do with one link: `repair` (best), `ambiguous`, `below_threshold` or `no_candidate`."""

    verdict: str
    best: Candidate | None
    ranked: list


@functools.lru_cache(maxsize=1 << 17)  # the same titles come back for every link of a run
def normalise_title(title: str) -> tuple[str, ...]:
    """The words of a title: no case, accents or punctuation, `&` read as `and`, no leading article."""
    decomposed = unicodedata.normalize("NFKD", title or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().replace("&", " and ")
    words = _WORD.findall(plain)
    while len(words) > 1 and words[0] in ARTICLES:
        words = words[1:]
    return tuple(words)


def title_similarity(first: str, second: str) -> float:
    """1.0 for the same words in the same order, else the share of whole words both have (Dice)."""
    a, b = normalise_title(first), normalise_title(second)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    common = len(set(a) & set(b))
    return 0.95 * 2 * common / (len(set(a)) + len(set(b)))  # same words in another order is never a perfect match


def score(wanted: Identity, candidate: Identity, titles: tuple[str, ...] = ()) -> float | None:
    """How well `candidate` serves `wanted` (0-100), None when it cannot be the same item.

    `titles` are other names of the wanted item (TMDB's canonical and original titles).
    """
    if not wanted.kind or wanted.kind != candidate.kind:
        return None
    penalty = 0.0
    if wanted.kind == EPISODE:
        if wanted.season is None or not wanted.episodes or candidate.season != wanted.season:
            return None
        if not set(wanted.episodes) <= set(candidate.episodes):
            return None
        if len(candidate.episodes) > len(wanted.episodes):
            penalty += MULTI_EPISODE_PENALTY
    elif wanted.kind == MOVIE:
        if wanted.year is not None and candidate.year is not None:
            if wanted.year != candidate.year:
                return None  # a remake, or another film of the same name
        else:
            penalty += YEAR_UNKNOWN_PENALTY
    similarity = max(title_similarity(name, candidate.title) for name in (wanted.title, *titles) if name is not None)
    if similarity < MIN_TITLE_SIMILARITY:
        return None
    return round(max(0.0, 100.0 * similarity - penalty), 1)


def rank(wanted: Identity, candidates, titles: tuple[str, ...] = ()) -> list[Candidate]:
    """Every (path, Identity) that can serve `wanted`, best first (then by path, so the order is stable)."""
    ranked = []
    for path, identity in candidates:
        value = score(wanted, identity, titles)
        if value is not None:
            ranked.append(Candidate(path, value))
    return sorted(ranked, key=lambda c: (-c.score, c.path))


def decide(ranked: list[Candidate], min_score: float = DEFAULT_MIN_SCORE,
           margin: float = AMBIGUITY_MARGIN) -> Decision:
    """Whether the best candidate can be applied without asking."""
    if not ranked:
        return Decision("no_candidate", None, ranked)
    best = ranked[0]
    if len(ranked) > 1 and best.score - ranked[1].score < margin:
        return Decision("ambiguous", best, ranked)
    if best.score < min_score:
        return Decision("below_threshold", best, ranked)
    return Decision("repair", best, ranked)
