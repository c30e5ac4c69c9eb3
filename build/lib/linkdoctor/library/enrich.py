"""enrich: look inventory items up on TMDB and keep their canonical and original titles for the matcher.

Oldest items first; an item already found (or known not to be on TMDB) is not
asked again; one that failed after the client's retries is logged, counted and
tried again on the next run. A series is asked about once, not once per episode.
"""

import logging
import threading
from datetime import datetime
from typing import Callable

from sqlalchemy import select

from linkdoctor.clients.tmdb import TmdbClient, TmdbError
from linkdoctor.errors import ValidationError
from linkdoctor.models import EPISODE, MOVIE, InventoryItem, db

FOUND, NOT_FOUND, FAILED = "found", "not_found", "failed"
COMMIT_EVERY = 50
FAILURES_SHOWN = 20

log = logging.getLogger(__name__)


def require_api_key(api_key: str) -> None:
    """A ValidationError naming the setting when no TMDB key is set (checked before a job starts)."""
    if not api_key:
        raise ValidationError("no TMDB API key: set tmdb_api_key (a v3 key or a v4 read token) in the settings",
                              setting="tmdb_api_key")


def enrich(base_url: str, api_key: str, progress: Callable[[int, int], None], cancel: threading.Event,
           client: TmdbClient | None = None) -> dict:
    """Enrich every item not yet enriched; the summary {enriched, not_found, failed, already, failures}.

    A cancel stops before the next item; what was recorded until then is kept.
    """
    require_api_key(api_key)
    client = client or TmdbClient(base_url, api_key)
    query = (select(InventoryItem).where(InventoryItem.enrich_state.not_in((FOUND, NOT_FOUND)),
                                         InventoryItem.pending.is_(False), InventoryItem.kind.in_((MOVIE, EPISODE)))
             .order_by(InventoryItem.imported_at, InventoryItem.id))
    items = list(db.session.execute(query).scalars())
    already = db.session.query(InventoryItem.id).filter(InventoryItem.enrich_state.in_((FOUND, NOT_FOUND))).count()
    summary = {"enriched": 0, "not_found": 0, "failed": 0, "already": already, "failures": []}
    answers: dict[tuple, object] = {}  # (kind, title, year) -> TmdbMatch, None, or the TmdbError
    for index, item in enumerate(items, 1):
        if cancel.is_set():
            break
        key = (item.kind, item.title.casefold(), item.year)
        if key not in answers:
            try:
                answers[key] = client.search(item.kind, item.title, item.year)
            except TmdbError as exc:
                answers[key] = exc
        _record(item, answers[key], summary)
        if index % COMMIT_EVERY == 0:
            db.session.commit()
        progress(index, len(items))
    db.session.commit()
    return summary


def _record(item: InventoryItem, answer, summary: dict) -> None:
    item.enriched_at = datetime.utcnow()
    if isinstance(answer, TmdbError):
        item.enrich_state = FAILED
        summary["failed"] += 1
        log.warning("enrich: %s (%s %r): %s", item.path, item.kind, item.title, answer.message)
        if len(summary["failures"]) < FAILURES_SHOWN:
            summary["failures"].append({"path": item.path, "reason": answer.message})
    elif answer is None:
        item.enrich_state = NOT_FOUND
        summary["not_found"] += 1
    else:
        item.tmdb_id, item.tmdb_title, item.original_title, item.tmdb_year = answer
        item.enrich_state = FOUND
        summary["enriched"] += 1
