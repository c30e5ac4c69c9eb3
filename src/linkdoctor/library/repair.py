"""repair-links and fix-bad-links: find what a link meant among the source files, re-point it, undo it.

A repair keeps the link's name and place and only changes where it points
(relative or absolute like before), atomically: a new link is made beside it and
renamed over it. Every repair is journalled with the old target (repair_entry,
and the repair log) under the library lock, so `--undo` can put it back.
"""

import collections
import contextlib
import contextvars
import os
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import case, func, select

from linkdoctor.errors import ConflictError, LinkdoctorError, NotFoundError, ValidationError
from linkdoctor.events import QUARANTINED as LINKS_QUARANTINED, REPAIRED as LINKS_REPAIRED, UNDONE as LINKS_UNDONE, \
    add_to_open_change, close_change, drop_from_open_change, library_changed, open_change
from linkdoctor.ignores import scan_rules
from linkdoctor.locks import library_lock
from linkdoctor.library.identify import Identity, identify
from linkdoctor.library.integrity import LEGITIMATE, SUSPICIOUS, shared_target_verdicts
from linkdoctor.library.matching import DEFAULT_MIN_SCORE, Candidate, decide, rank
from linkdoctor.library.source_index import Candidates, refresh
from linkdoctor.library.walk import LibraryWalk
from linkdoctor.models import PLANNED, QUARANTINED, REPAIRED, ROLLED_BACK, UNDONE, InventoryItem, QuarantineEntry, \
    RepairEntry, db
from linkdoctor.paths import PATH_WAIT_MAX, checked_paths, is_inside, resolve_in_root
from linkdoctor.repairlog import repair_log

CANDIDATES_SHOWN = 5
SQL_BATCH = 500


@dataclass
class RepairRequest:
    media_root: str
    paths: list[str]
    movie_folders: list[str]
    series_folders: list[str]
    source_roots: list[str]
    max_workers: int = 6
    file_timeout: float = 5.0
    min_score: float = DEFAULT_MIN_SCORE


@dataclass
class Proposal:
    """One link to repair: what it points at now, what it was, and the ranked candidates."""

    path: str
    target: str  # absolute target the link points at now (missing, or shared by other links)
    identity: Identity
    ranked: list[Candidate]
    verdict: str  # repair, ambiguous, below_threshold, no_candidate

    def candidates(self) -> list[dict]:
        return [{"path": c.path, "score": c.score} for c in self.ranked[:CANDIDATES_SHOWN]]


@dataclass
class Findings:
    proposals: list[Proposal] = field(default_factory=list)
    legitimate: list[dict] = field(default_factory=list)  # fix-bad-links: the same item in several folders
    warnings: list[str] = field(default_factory=list)
    ignored: int = 0  # links an ignore rule leaves out, as scans do


def _walk_links(request: RepairRequest, cancel: threading.Event, findings: Findings):
    """Every media link under the request's paths with what its target sample said, through the worker pool.

    A link the user ignores (Settings, or the details of a finding) is left out, as a scan leaves it out.
    """
    ignores = scan_rules()
    links = {p for p in request.paths if os.path.islink(p)}
    folders = [p for p in request.paths if p not in links]
    # A link given by name: its folder is listed, and only that link kept.
    roots = list(dict.fromkeys(folders + [os.path.dirname(p) for p in links]))
    walk = LibraryWalk(roots, request.max_workers, request.file_timeout, cancel,
                       lambda path, target: (None, False) if target else None, request.source_roots)
    for item in walk.run():
        if item.is_link and (item.path in links or any(is_inside(item.path, f) for f in folders)):
            if ignores and ignores.matches(item.path, item.target or None):
                findings.ignored += 1
                continue
            yield item
    for folder, reason in walk.stats.failed_folders:
        findings.warnings.append(f"folder {folder} not listed ({reason}): its links were not looked at")


def _records(paths: list[str]) -> dict[str, InventoryItem]:
    found = {}
    for start in range(0, len(paths), SQL_BATCH):
        query = select(InventoryItem).where(InventoryItem.path.in_(paths[start:start + SQL_BATCH]))
        found.update({row.path: row for row in db.session.execute(query).scalars()})
    return found


def _wanted(request: RepairRequest, path: str, target: str, record: InventoryItem | None) -> tuple:
    """(Identity, other titles) of what a link was: its own name and folders, then the inventory's record."""
    relative = os.path.relpath(path, request.media_root)
    identity = identify(relative, target, request.movie_folders, request.series_folders)
    titles = ()
    if record is not None and not record.pending:
        recorded = Identity(record.kind, record.title, record.year, record.season, tuple(record.episodes or ()))
        if not identity.complete and recorded.complete:
            identity = recorded
        titles = tuple(t for t in (getattr(record, "tmdb_title", ""), getattr(record, "original_title", ""),
                                   record.title) if t)
    return identity, titles


def _index(request: RepairRequest, cancel: threading.Event, findings: Findings) -> Candidates:
    stats = refresh(request.source_roots, request.max_workers, request.file_timeout, cancel)
    findings.warnings += stats.warnings
    return Candidates()


def broken_links(request: RepairRequest, cancel: threading.Event) -> Findings:
    """Every broken link under the request's paths and its ranked candidates; changes nothing."""
    findings = Findings()
    if not request.source_roots:
        raise ValidationError("no source_roots configured: set them (linkdoctor config set source_roots ...) "
                              "so that repair-links knows where to look for replacements")
    broken = []
    for item in _walk_links(request, cancel, findings):
        if item.failure:
            findings.warnings.append(f"{item.path}: {item.failure}")
        elif item.sample is not None and item.sample.missing:
            broken.append((item.path, item.target))
    candidates = _index(request, cancel, findings)
    records = _records([path for path, _ in broken])
    for path, target in sorted(broken):
        identity, titles = _wanted(request, path, target, records.get(path))
        ranked = rank(identity, candidates.for_identity(identity, titles), titles)
        findings.proposals.append(Proposal(path, target, identity, ranked, decide(ranked, request.min_score).verdict))
    return findings


def bad_links(request: RepairRequest, cancel: threading.Event) -> Findings:
    """The links of suspicious shared targets whose own name says another item than the target; changes nothing."""
    findings = Findings()
    if not request.source_roots:
        raise ValidationError("no source_roots configured: set them so that fix-bad-links knows where to look")
    by_target = collections.defaultdict(list)
    for item in _walk_links(request, cancel, findings):
        if item.target and item.sample is not None and not item.sample.missing:
            by_target[item.target].append(item.path)
    shared = {target: links for target, links in by_target.items() if len(links) > 1}
    records = _records(sorted({p for links in shared.values() for p in links}))

    def identity_of(path: str, target: str) -> Identity:
        # The link's own name only: the target is the file in question.
        return _wanted(request, path, "", records.get(path))[0]

    groups = shared_target_verdicts(shared, identity_of)
    candidates = _index(request, cancel, findings) if any(g[2] == SUSPICIOUS for g in groups) else None
    for target, links, verdict in groups:
        if verdict == LEGITIMATE:
            findings.legitimate.append({"target": target, "links": links})
            continue
        for path in links:
            identity, titles = _wanted(request, path, "", records.get(path))
            ranked = rank(identity, candidates.for_identity(identity, titles), titles)
            if ranked and ranked[0].path == target:
                continue  # this link is the one the file really is
            proposal = Proposal(path, target, identity, [c for c in ranked if c.path != target], "")
            proposal.verdict = decide(proposal.ranked, request.min_score).verdict
            findings.proposals.append(proposal)
    return findings


# -- changes ---------------------------------------------------------------

def _link_text(path: str, old_text: str, new_target: str) -> str:
    """The new target written the way the old one was: relative to the link's folder, or absolute."""
    if os.path.isabs(old_text):
        return new_target
    return os.path.relpath(new_target, os.path.dirname(path))


def _replace_link(path: str, text: str) -> None:
    """Point the link at `text` atomically: a new link beside it, renamed over it."""
    temporary = os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.linkdoctor-{os.getpid()}")
    if os.path.lexists(temporary):
        os.unlink(temporary)
    os.symlink(text, temporary)
    try:
        os.replace(temporary, path)
    except OSError:
        os.unlink(temporary)
        raise


def _checked_link(path: str, media_root: str) -> str:
    resolved = resolve_in_root(path, media_root)
    if not os.path.islink(resolved):
        raise ConflictError(f"{path} is no longer a symlink: left as it is")
    return resolved


@dataclass
class RepairRun:
    """The repairs made by one run, and the event that announced them (None while it runs or when none)."""

    made: list[dict] = field(default_factory=list)
    event_id: int | None = None


@contextlib.contextmanager
def repair_run(origin: str, command: str, job_id: int | None = None):
    """A run of repairs announced as one library_changed: opened before the first, each link added in the
    transaction that journals it, closed when the run ends (whatever ends it). A run killed mid-way leaves
    the event open with the links it re-pointed, and the next deliverer hands those on: no follow-up is lost.
    Outside a run, apply_repair announces each link."""
    run = RepairRun()
    event_id = open_change(LINKS_REPAIRED, reason=f"{command}: re-pointed at a healthy file", job_id=job_id,
                           origin=origin)
    token = _RUN.set((run.made, event_id, job_id))
    try:
        yield run
    finally:
        _RUN.reset(token)
        event = close_change(event_id)
        run.event_id = event.id if event is not None else None


_RUN: contextvars.ContextVar[tuple | None] = contextvars.ContextVar("repair_run", default=None)


def apply_repair(path: str, expected_target: str, new_target: str, score: float, request: RepairRequest,
                 data_dir: Path, command: str = "repair-links", locked: bool = False, origin: str = "cli") -> dict:
    """Re-point one link at `new_target` under the library lock (`locked`: a job already holds it)."""
    if not any(is_inside(new_target, os.path.abspath(root)) for root in request.source_roots):
        raise ValidationError(f"{new_target} is not inside a source root")
    with contextlib.nullcontext() if locked else library_lock(data_dir):
        path = _checked_link(path, request.media_root)
        old_text = os.readlink(path)
        current = os.path.normpath(os.path.join(os.path.dirname(path), old_text))
        if current != os.path.normpath(expected_target):
            raise ConflictError(f"{path} changed since it was looked at (now -> {old_text}): left as it is")
        text = _link_text(path, old_text, new_target)
        run = _RUN.get()
        # The run's job makes the batch the journal groups and `repairs/undo {"job_id"}` undoes at once.
        entry = RepairEntry(path=path, old_target=old_text, new_target=text, score=score, command=command,
                            job_id=run[2] if run is not None else None)
        db.session.add(entry)
        if run is not None:  # announced with its journal entry: a crash right after still tells the listeners
            add_to_open_change(run[1], {"path": path, "old_target": old_text, "new_target": text})
        db.session.commit()  # journalled before the change: a crash leaves a record to undo from
        try:
            _replace_link(path, text)
        except OSError as exc:
            db.session.delete(entry)
            if run is not None:
                drop_from_open_change(run[1], path)
            db.session.commit()
            raise ConflictError(f"could not re-point {path}: {os.strerror(exc.errno or 0)}") from None
        repair_log(data_dir, "repair", f"#{entry.id} {command}: {path!r} -> {old_text!r} now -> {text!r} "
                                       f"(score {score:g})")
        done = {"id": entry.id, "path": path, "old_target": old_text, "new_target": text, "score": score}
        if run is not None:
            run[0].append(done)
        elif library_changed(LINKS_REPAIRED, [done], reason=f"{command}: re-pointed at a healthy file",
                             origin=origin) is not None:
            db.session.commit()
        return done


def repairs_page(page: int, per_page: int, job_id: int | None = None) -> dict:
    """A page of the repair journal, newest first (of one batch with `job_id`), with a summary of each
    batch (apply job) its rows belong to: how many repairs it made, how many still stand."""
    query = select(RepairEntry)
    if job_id is not None:
        query = query.where(RepairEntry.job_id == job_id)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = db.session.execute(query.order_by(RepairEntry.id.desc())
                              .offset((page - 1) * per_page).limit(per_page)).scalars().all()
    return {"total": total, "page": page, "per_page": per_page, "items": [entry.to_dict() for entry in rows],
            "batches": _batches({entry.job_id for entry in rows if entry.job_id is not None})}


def _batches(job_ids: set[int]) -> dict[str, dict]:
    """job id -> {total, standing, first_at}: the size of each batch and the repairs of it not yet undone."""
    if not job_ids:
        return {}
    query = (select(RepairEntry.job_id, func.count(), func.sum(case((RepairEntry.state == REPAIRED, 1), else_=0)),
                    func.min(RepairEntry.created_at))
             .where(RepairEntry.job_id.in_(sorted(job_ids))).group_by(RepairEntry.job_id))
    return {str(job): {"total": total, "standing": int(standing or 0), "first_at": first.isoformat()}
            for job, total, standing, first in db.session.execute(query)}


def _undo_one(entry: RepairEntry, media_root: str, looked_at: bool = False) -> dict:
    """Point one repaired link back at its old target (the caller holds the library lock); the change made.
    `looked_at`: its folder already answered the workers (a batch looks at all its links at once)."""
    if not looked_at:
        checked_paths([entry.path], media_root, PATH_WAIT_MAX, must_exist=False)  # in a worker: a hung folder refuses
    path = _checked_link(entry.path, media_root)  # never outside the media root
    if os.readlink(path) != entry.new_target:
        raise ConflictError(f"{path} changed since repair #{entry.id} (now -> {os.readlink(path)}): left as it is")
    _replace_link(path, entry.old_target)
    entry.state, entry.undone_at = UNDONE, datetime.utcnow()
    return {"path": path, "old_target": entry.new_target, "new_target": entry.old_target}


def undo_repair(repair_id: int, media_root: str, data_dir: Path, origin: str = "web") -> dict:
    """Point a repaired link back at its old target, when nobody changed it since."""
    with library_lock(data_dir):
        entry = db.session.get(RepairEntry, repair_id)
        if entry is None:
            raise NotFoundError(f"there is no repair #{repair_id}")
        if entry.state == UNDONE:
            raise ConflictError(f"repair #{repair_id} was already undone")
        change = _undo_one(entry, media_root)
        event = library_changed(LINKS_UNDONE, [change], reason=f"repair #{repair_id} undone", origin=origin)
        db.session.commit()
        repair_log(data_dir, "undo", f"#{entry.id}: {change['path']!r} back -> {entry.old_target!r}")
        return {**entry.to_dict(), "event_id": event.id}


def undo_batch(job_id: int, media_root: str, data_dir: Path, origin: str = "web") -> dict:
    """Undo every standing repair of one apply job; a link changed since (or gone) is left and reported."""
    with library_lock(data_dir):
        entries = db.session.execute(select(RepairEntry).where(RepairEntry.job_id == job_id)
                                     .order_by(RepairEntry.id.desc())).scalars().all()
        if not entries:
            raise NotFoundError(f"job #{job_id} made no repair: there is no batch to undo")
        undone, skipped, changes = [], [], []
        standing = [entry for entry in entries if entry.state != UNDONE]
        try:  # every link looked at in one round of the workers; on a refusal, each on its own to say which
            checked_paths([entry.path for entry in standing], media_root, PATH_WAIT_MAX, must_exist=False)
            looked_at = True
        except LinkdoctorError:
            looked_at = False
        for entry in standing:
            try:
                changes.append(_undo_one(entry, media_root, looked_at))
            except LinkdoctorError as exc:  # changed since, outside the root now, or its folder does not answer
                skipped.append({"id": entry.id, "path": entry.path, "reason": exc.message})
                continue
            except OSError as exc:
                skipped.append({"id": entry.id, "path": entry.path, "reason": os.strerror(exc.errno or 0)})
                continue
            undone.append(entry)
        # One event for the batch, committed with the journal's new states (as undo_repair does for one).
        event = library_changed(LINKS_UNDONE, changes, reason=f"the repairs of job #{job_id} undone",
                                origin=origin)
        db.session.commit()
        for entry in undone:
            repair_log(data_dir, "undo", f"#{entry.id} (job {job_id}): {entry.path!r} back -> {entry.old_target!r}")
        undone = [entry.to_dict() for entry in undone]
        return {"job_id": job_id, "undone": undone, "skipped": skipped,
                "already_undone": len(entries) - len(undone) - len(skipped),
                "event_id": event.id if event is not None else None}


def quarantine_link(path: str, target: str, media_root: str, data_dir: Path, quarantine_dir: Path,
                    origin: str = "cli") -> dict:
    """Move a broken link into the quarantine (journalled like a scan's; restorable from the Quarantine tab)."""
    from linkdoctor.quarantine.journal import JournalFile
    from linkdoctor.quarantine.moves import quarantine_destination

    with library_lock(data_dir):
        path = _checked_link(path, media_root)
        destination = quarantine_destination(quarantine_dir, media_root, path)
        # scan_id 0: moved by repair-links, not by a scan.
        entry = QuarantineEntry(scan_id=0, original_path=path, quarantine_path=str(destination), target=target,
                                category="broken", reason="moved by repair-links", state=PLANNED)
        db.session.add(entry)
        db.session.commit()
        Path(quarantine_dir).mkdir(parents=True, exist_ok=True)
        journal = JournalFile(quarantine_dir)
        journal.record([entry])
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.rename(path, destination)  # a link: on the data folder's disk or not, a rename or a copy of a link
        except OSError:
            try:
                os.symlink(os.readlink(path), destination)
                os.unlink(path)
            except OSError as exc:
                entry.state = ROLLED_BACK
                journal.record([entry])
                db.session.commit()
                raise ConflictError(f"could not move {path} into the quarantine: {os.strerror(exc.errno or 0)}") \
                    from None
        entry.state = QUARANTINED
        journal.record([entry])
        event = library_changed(LINKS_QUARANTINED, [{"path": path, "old_target": target, "new_target": None,
                                                     "scan_id": 0}],
                                reason="repair-links: a broken link with no candidate, moved aside", origin=origin)
        db.session.commit()
        repair_log(data_dir, "quarantine", f"repair-links: {path!r} -> {target!r} moved to {str(destination)!r}")
        return {"id": entry.id, "path": path, "quarantine_path": str(destination), "event_id": event.id}


def report(proposals: list[Proposal], repaired: list[dict], skipped: list[dict]) -> dict:
    """The JSON document of repair-links and fix-bad-links."""
    done = {r["path"] for r in repaired} | {s["path"] for s in skipped}
    return {
        "repaired": [{k: r[k] for k in ("path", "old_target", "new_target", "score")} | {"id": r["id"]}
                     for r in repaired],
        "ambiguous": [{"path": p.path, "candidates": p.candidates()} for p in proposals
                      if p.verdict == "ambiguous" and p.path not in done],
        "no_candidate": [{"path": p.path, "target": p.target} for p in proposals
                         if p.verdict == "no_candidate" and p.path not in done],
        "skipped": skipped,
    }


def auto_apply(proposals: list[Proposal], request: RepairRequest, data_dir: Path, dry_run: bool,
               command: str = "repair-links", locked: bool = False, origin: str = "cli") -> tuple[list[dict], list[dict]]:
    """Apply every unambiguous candidate at or above the threshold; (repaired, skipped)."""
    repaired, skipped = [], []
    for proposal in proposals:
        if proposal.verdict == "below_threshold":
            skipped.append({"path": proposal.path, "reason": f"best score {proposal.ranked[0].score:g} is below "
                                                             f"{request.min_score:g}",
                            "candidates": proposal.candidates()})
        if proposal.verdict != "repair":
            continue
        best = proposal.ranked[0]
        if dry_run:
            old = os.readlink(proposal.path) if os.path.islink(proposal.path) else proposal.target
            repaired.append({"id": None, "path": proposal.path, "old_target": old,
                             "new_target": _link_text(proposal.path, old, best.path), "score": best.score})
            continue
        try:
            repaired.append(apply_repair(proposal.path, proposal.target, best.path, best.score, request, data_dir,
                                         command, locked, origin))
        except (ConflictError, ValidationError) as exc:
            skipped.append({"path": proposal.path, "reason": exc.message})
    return repaired, skipped
