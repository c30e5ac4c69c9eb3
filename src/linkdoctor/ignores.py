"""Ignore rules: one link, every link under a folder of the library, or every link whose
target lies under a prefix (a mount, a debrid folder).

A scan counts the links a rule matches as ignored and never checks them, so they are
not findings and cost no I/O on their targets. Rules are stored as absolute, normalised
paths; nothing here touches the library (a rule may name a link that is gone already).
"""

import os

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from linkdoctor.config import get_config
from linkdoctor.ignore_rules import IgnoreRules
from linkdoctor.errors import ConflictError, NotFoundError, ValidationError
from linkdoctor.models import FOLDER, LINK, TARGET, IgnoreRule, db
from linkdoctor.paths import is_inside, real_root

MAX_PATH = 4096
MAX_NOTE = 500


def _matcher(rules) -> IgnoreRules:
    by_kind: dict[str, list[str]] = {LINK: [], FOLDER: [], TARGET: []}
    for kind, value in rules:
        by_kind.setdefault(kind, []).append(value)
    return IgnoreRules(by_kind[LINK], by_kind[FOLDER], by_kind[TARGET])


def scan_rules() -> IgnoreRules:
    """The rules a scan applies."""
    return _matcher(db.session.execute(select(IgnoreRule.kind, IgnoreRule.value)))


def rule_for(path: str, target: str | None) -> dict | None:
    """The oldest rule that ignores this link, or None."""
    for rule in db.session.execute(select(IgnoreRule).order_by(IgnoreRule.id)).scalars():
        if _matcher([(rule.kind, rule.value)]).matches(path, target):
            return rule.to_dict()
    return None


def list_rules() -> list[dict]:
    """Every rule, newest first."""
    rules = db.session.execute(select(IgnoreRule).order_by(IgnoreRule.id.desc())).scalars()
    return [rule.to_dict() for rule in rules]


def _text(name: str, value, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{name} must be a non-empty string", fields={name: "cannot be empty"})
    if len(value) > limit or "\x00" in value:
        raise ValidationError(f"{name} must be at most {limit} characters of text, without NUL")
    return value


def _in_library(value: str, roots: tuple[str, ...]) -> str | None:
    """The path under the resolved media root, when `value` is relative or lies in the root as configured."""
    resolved_root = roots[0]
    if not os.path.isabs(value):
        joined = os.path.normpath(os.path.join(resolved_root, value))
        return joined if is_inside(joined, resolved_root) else None  # "../x" leaves the root
    value = os.path.normpath(value)
    for root in roots:
        if is_inside(value, root):
            return os.path.normpath(resolved_root + value[len(root):]) if root != resolved_root else value
    return None


def _roots() -> tuple[str, ...]:
    configured = os.path.normpath(os.path.abspath(get_config().media_path))
    return (real_root(configured), configured)


def add_rule(path: str | None = None, prefix: str | None = None, note: str = "") -> dict:
    """Add a rule for one link (`path`) or a folder of the library or a target prefix (`prefix`)."""
    note = "" if note is None else note
    if not isinstance(note, str) or len(note) > MAX_NOTE:
        raise ValidationError(f"note must be text of at most {MAX_NOTE} characters")
    kind, value = rule_of(path, prefix)
    existing = _existing(kind, value)
    if existing is not None:
        raise ConflictError(f"{value} is already ignored (rule #{existing.id})", rule=existing.to_dict())
    rule = IgnoreRule(kind=kind, value=value, note=note.strip())
    db.session.add(rule)
    try:
        db.session.commit()
    except IntegrityError:
        # The same rule added at the same moment by another request won the UNIQUE constraint.
        db.session.rollback()
        existing = _existing(kind, value)
        if existing is None:
            raise
        raise ConflictError(f"{value} is already ignored (rule #{existing.id})", rule=existing.to_dict()) from None
    return rule.to_dict()


def rule_of(path: str | None = None, prefix: str | None = None) -> tuple[str, str]:
    """(kind, value) of the rule that `path` (one link) or `prefix` (a folder or a target prefix) makes."""
    if (path is None) == (prefix is None):
        raise ValidationError("give either path (one link) or prefix (a folder or a target prefix)")
    roots = _roots()
    if path is not None:
        value = _in_library(_text("path", path, MAX_PATH), roots)
        if value is None or value == roots[0]:
            raise ValidationError(f"{path} is not a link inside the media root {roots[0]}",
                                  fields={"path": "must be a link inside the media root"})
        kind = LINK
    else:
        text = _text("prefix", prefix, MAX_PATH)
        value = _in_library(text, roots)
        kind = FOLDER
        if value is None:
            if not os.path.isabs(text):
                raise ValidationError(f"{prefix} leaves the media root; a target prefix must be an absolute path",
                                      fields={"prefix": "must be inside the media root, or absolute"})
            value, kind = os.path.normpath(text), TARGET
        if value in (roots[0], "/") or value == "//":
            raise ValidationError(f"{prefix} would ignore every link; ignore a folder inside it instead",
                                  fields={"prefix": "would ignore every link"})
    return kind, value


PREVIEW_WORKERS = 4


def preview_rule(path: str | None = None, prefix: str | None = None) -> dict:
    """What a rule would ignore now, before it is added: {kind, value, links, unread_folders, existing}.

    The library is listed as a scan lists it (in workers, each folder within file_timeout): a folder
    rule counts the links below it, a target prefix every link of the library whose target lies under
    it. Folders that did not answer are counted apart, so the count is a floor when any did not.
    """
    import threading

    from linkdoctor.paths import waiting_on_the_library
    from linkdoctor.workers.pool import Task, WorkerPool

    kind, value = rule_of(path, prefix)
    existing = _existing(kind, value)
    answer = {"kind": kind, "value": value, "links": 0, "unread_folders": 0,
              "existing": existing.to_dict() if existing is not None else None}
    if kind == LINK:
        answer["links"] = 1  # at most the one link: nothing to read
        return answer
    matcher = _matcher([(kind, value)])
    start = value if kind == FOLDER else _roots()[0]
    pending = [Task("list", [start])]
    timeout = max(float(get_config().file_timeout), 1.0)
    pool = WorkerPool(PREVIEW_WORKERS, {"list": timeout}, {"include_files": False}, threading.Event())
    with waiting_on_the_library():
        for outcome in pool.run(lambda: pending.pop() if pending else None):
            if outcome.kind != "list":
                continue  # the pool's ticks
            if outcome.failure or outcome.result.error:
                answer["unread_folders"] += 1
            if outcome.failure:
                continue
            pending.extend(Task("list", [sub]) for sub in outcome.result.subdirs)
            answer["links"] += sum(1 for link, target in outcome.result.links if matcher.matches(link, target))
    return answer


def _existing(kind: str, value: str) -> IgnoreRule | None:
    return db.session.execute(
        select(IgnoreRule).where(IgnoreRule.kind == kind, IgnoreRule.value == value)).scalar_one_or_none()


def remove_rule(rule_id: int) -> dict:
    """Remove a rule: the links it matched are checked again from the next scan on."""
    rule = db.session.get(IgnoreRule, rule_id)
    if rule is None:
        raise NotFoundError(f"ignore rule {rule_id} not found")
    removed = rule.to_dict()
    db.session.delete(rule)
    db.session.commit()
    return removed
