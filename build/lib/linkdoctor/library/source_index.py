"""The index of media files under the source roots: name, parsed identity, size, mtime.

Built on first use, then refreshed incrementally: every folder is stat'ed (on the
worker pool, so a dead mount costs a timeout), and only folders whose mtime
changed are listed again and their files re-identified. A folder that does not
answer keeps what the index knew of it: unknown is not gone.
"""

import collections
import os
import re
import threading
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, or_, select

from linkdoctor.library.identify import Identity, guess_name, parse_standard_name
from linkdoctor.library.matching import normalise_title
from linkdoctor.models import EPISODE, MOVIE, SourceFile, SourceFolder, db
from linkdoctor.scanner.pool import Task, WorkerPool, failure_reason
from linkdoctor.scanner.probe import VIDEO_EXTENSIONS

FOLDER_BATCH = 64
SQL_BATCH = 500  # SQLite caps the parameters of one statement

# Scene names ("Title.2021.2160p...", "Show.S04E02E03.720p...") read without guessit, which takes ~50 ms a name.
_SEP = r"[ ._\-]+"
_SCENE_EPISODE = re.compile(rf"^(?P<title>.+?){_SEP}(?:\(?(?P<year>(?:19|20)\d\d)\)?{_SEP})?"
                            rf"[Ss](?P<season>\d{{1,3}})(?P<episodes>(?:[Ee]\d{{1,4}})+)(?:{_SEP}|$)")
# Greedy: the last year is the release's, an earlier one belongs to the title ("2001.A.Space.Odyssey.1968").
_SCENE_MOVIE = re.compile(rf"^(?P<title>.+){_SEP}\(?(?P<year>(?:19|20)\d\d)\)?(?:{_SEP}|$)")


def identify_release(name: str) -> Identity:
    """What a source file's name says it is: scene and Sonarr/Radarr forms by pattern, the rest by guessit."""
    stem = os.path.splitext(os.path.basename(name))[0]
    standard = parse_standard_name(stem)
    if standard is not None:
        return standard
    match = _SCENE_EPISODE.match(stem)
    if match:
        title = re.sub(_SEP, " ", match["title"]).strip()
        return Identity(EPISODE, title, int(match["year"]) if match["year"] else None, int(match["season"]),
                        tuple(sorted(int(n) for n in re.findall(r"\d+", match["episodes"]))))
    match = _SCENE_MOVIE.match(stem)
    if match and not re.search(r"(?i)[ ._\-]s\d{1,3}[ ._\-]|season", stem):
        return Identity(MOVIE, re.sub(_SEP, " ", match["title"]).strip(), int(match["year"]))
    return guess_name(name)


@dataclass
class RefreshStats:
    listed: int = 0  # folders listed again (new or changed)
    unchanged: int = 0  # folders whose mtime said nothing changed
    files: int = 0  # media files in the index afterwards
    warnings: list = field(default_factory=list)


def refresh(roots: list[str], workers: int, timeout: float, cancel: threading.Event) -> RefreshStats:
    """Bring the index up to date with `roots`; raises ScanCancelled when cancelled."""
    stats = RefreshStats()
    roots = [os.path.abspath(root) for root in roots]
    known = {path: (parent, mtime) for path, parent, mtime in
             db.session.execute(select(SourceFolder.path, SourceFolder.parent, SourceFolder.mtime_ns))}
    children = collections.defaultdict(list)
    for path, (parent, _) in known.items():
        children[parent].append(path)
    _forget_outside(roots, known)
    stack = list(roots)
    parents = dict.fromkeys(roots, "")
    pool = WorkerPool(workers, {"index": timeout}, {}, cancel)

    def next_task():
        if not stack:
            return None
        batch = [stack.pop() for _ in range(min(FOLDER_BATCH, len(stack)))]
        return Task("index", [(folder, known.get(folder, ("", None))[1]) for folder in batch])

    listed = []  # folders listed again, written to the index in batches
    for outcome in pool.run(next_task):
        if outcome.kind != "index":
            continue
        folder = outcome.item[0]
        if outcome.failure:
            reason = failure_reason(outcome.failure, timeout)
            stats.warnings.append(f"source folder {folder} not listed ({reason}): its files were kept as they were")
            continue
        mtime, subdirs, files, error = outcome.result
        if error:
            stats.warnings.append(f"source folder {folder} not listed ({error}): its files were kept as they were")
            continue
        if subdirs is None:  # unchanged: descend into the subfolders known from last time
            stats.unchanged += 1
            stack.extend(children.get(folder, []))
            continue
        stats.listed += 1
        _forget_subtrees(set(children.get(folder, [])) - set(subdirs))
        listed.append((folder, parents.get(folder, known.get(folder, ("", 0))[0]), mtime, files))
        if len(listed) >= SQL_BATCH:
            _replace_folders(listed)
        for sub in subdirs:
            parents[sub] = folder
        stack.extend(subdirs)
    _replace_folders(listed)
    db.session.commit()
    stats.files = db.session.query(SourceFile.id).count()
    return stats


def _forget_outside(roots: list[str], known: dict) -> None:
    """Drop what the index holds outside the configured roots (a root removed from the settings)."""
    def inside(path):
        return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)
    stale = [path for path in known if not inside(path)]
    for start in range(0, len(stale), SQL_BATCH):
        part = stale[start:start + SQL_BATCH]
        db.session.execute(delete(SourceFolder).where(SourceFolder.path.in_(part)))
        db.session.execute(delete(SourceFile).where(SourceFile.folder.in_(part)))


def _forget_subtrees(gone: set) -> None:
    """Forget the subfolders that went away, and everything under them."""
    for sub in gone:
        prefix = sub.rstrip("/") + "/"
        db.session.execute(delete(SourceFolder).where(or_(SourceFolder.path == sub,
                                                          SourceFolder.path.startswith(prefix, autoescape=True))))
        db.session.execute(delete(SourceFile).where(or_(SourceFile.folder == sub,
                                                        SourceFile.folder.startswith(prefix, autoescape=True))))


def _replace_folders(listed: list) -> None:
    """Record folders listed again, their files re-identified; empties `listed`.

    A few statements per batch of folders, through SQLAlchemy Core: per-folder ORM
    statements made the first build of a 50,000-file index take 35 s instead of a few.
    """
    if not listed:
        return
    folders = [folder for folder, _, _, _ in listed]
    db.session.execute(delete(SourceFile.__table__).where(SourceFile.__table__.c.folder.in_(folders)))
    db.session.execute(delete(SourceFolder.__table__).where(SourceFolder.__table__.c.path.in_(folders)))
    db.session.execute(insert(SourceFolder.__table__), [{"path": folder, "parent": parent, "mtime_ns": mtime}
                                                         for folder, parent, mtime, _ in listed])
    rows = []
    for folder, _, _, files in listed:
        for path, size, mtime_ns in files:
            if os.path.splitext(path)[1].lower() not in VIDEO_EXTENSIONS:
                continue
            identity = identify_release(path)
            rows.append({"path": path, "folder": folder, "kind": identity.kind, "title": identity.title,
                         "year": identity.year, "season": identity.season, "episodes": list(identity.episodes),
                         "size": size, "mtime_ns": mtime_ns})
    if rows:
        db.session.execute(insert(SourceFile.__table__), rows)
    listed.clear()


class Candidates:
    """The index in memory, keyed so that a link is scored against a few files, not all of them."""

    def __init__(self):
        self.by_episode = collections.defaultdict(list)  # (season, episode) -> [(path, Identity)]
        self.by_word = collections.defaultdict(list)  # title word of a movie -> [(path, Identity)]
        self.sizes: dict[str, int] = {}
        for row in db.session.execute(select(SourceFile.path, SourceFile.kind, SourceFile.title, SourceFile.year,
                                             SourceFile.season, SourceFile.episodes, SourceFile.size)):
            identity = Identity(row.kind, row.title, row.year, row.season, tuple(row.episodes or ()))
            self.sizes[row.path] = row.size
            if row.kind == EPISODE and row.season is not None:
                for number in identity.episodes:
                    self.by_episode[(row.season, number)].append((row.path, identity))
            elif row.kind == MOVIE:
                for word in set(normalise_title(row.title)):
                    self.by_word[word].append((row.path, identity))

    def for_identity(self, wanted: Identity, titles: tuple[str, ...] = ()) -> list:
        """The files that could be `wanted`: the same episode numbers, or a title word in common."""
        if wanted.kind == EPISODE:
            found = {}
            for number in wanted.episodes:
                for path, identity in self.by_episode.get((wanted.season, number), []):
                    found[path] = identity
            return list(found.items())
        if wanted.kind == MOVIE:
            found = {}
            for name in (wanted.title, *titles):
                for word in set(normalise_title(name)):
                    for path, identity in self.by_word.get(word, []):
                        found[path] = identity
            return list(found.items())
        return []
