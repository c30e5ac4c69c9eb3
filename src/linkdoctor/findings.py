"""Pages of a scan's findings: filtered by category, searched, sorted, at any page number in constant time.

A finished scan's findings never change but for their `proposed` mark, so once it is finished they
are indexed once (`index_findings`, at the end of the scan, or on the first request for an older
one): the counts per category go on the scan, every order the page offers is stored as positions
(`FindingOrder`: a page is a range of positions, read as one to three blocks of ids by key, never
a COUNT or an OFFSET over the table), and the texts a search reads are stored together by scan
(`FindingSearch`: a search reads that scan's rows only, in one pass). A running scan's findings, and a filter on `proposed`, are read from the
findings table as they are.
"""

import sys
from array import array
from collections import Counter

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import OperationalError

from linkdoctor.errors import ValidationError
from linkdoctor.models import ACTIVE_STATES, Finding, FindingOrder, FindingSearch, SymlinkScan, db
from linkdoctor.scanner.checks import PROBLEM_CATEGORIES
from linkdoctor.scans import check_page, check_query, get_scan, text_filter

FINDING_SORTS = {"path": Finding.path, "category": Finding.category, "target": Finding.target}
RANKED = ("id", "path", "target")  # the orders stored; "category" is the per-category "id" orders in turn


def _little_endian(ids: array) -> array:
    """The blocks are stored little-endian, whatever the machine: a database moved elsewhere reads the same."""
    if sys.byteorder == "big":
        ids.byteswap()
    return ids


class _OrderWriter:
    """Cuts one order of a scan's findings into blocks, over all of them and per category, as the ids stream by."""

    def __init__(self, scan_id: int, ordering: str):
        self.scan_id, self.ordering = scan_id, ordering
        self.open: dict[str, array] = {}
        self.blocks: dict[str, int] = {}
        self.rows: list[dict] = []

    def add(self, finding_id: int, category: str) -> None:
        for name in ("", category):
            ids = self.open.setdefault(name, array("q"))
            ids.append(finding_id)
            if len(ids) == FindingOrder.BLOCK:
                self._close(name)

    def _close(self, name: str) -> None:
        block = self.blocks.get(name, 0)
        self.rows.append({"scan_id": self.scan_id, "ordering": self.ordering, "category": name, "block": block,
                          "ids": _little_endian(self.open.pop(name)).tobytes()})
        self.blocks[name] = block + 1
        if len(self.rows) >= 200:
            self.write()

    def write(self) -> None:
        if self.rows:
            db.session.execute(insert(FindingOrder), self.rows)
            self.rows = []

    def finish(self) -> None:
        for name in list(self.open):
            self._close(name)
        self.write()


def index_findings(scan_id: int) -> dict:
    """Store a finished scan's findings in every order and for search, its counts per category on it: its page index.

    Three sorted reads of the scan's (id, category), cut into blocks in Python (memory: a block per
    category), and one copy of its texts.
    """
    scan = get_scan(scan_id)
    for table in (FindingOrder, FindingSearch):
        db.session.execute(delete(table).where(table.scan_id == scan_id))
    db.session.execute(insert(FindingSearch).from_select(
        ["scan_id", "finding_id", "category", "path", "target"],
        select(Finding.scan_id, Finding.id, Finding.category, Finding.path, Finding.target)
        .where(Finding.scan_id == scan_id).order_by(Finding.id)))
    counts = Counter()
    connection = db.session.connection()
    for ordering in RANKED:
        column = Finding.id if ordering == "id" else FINDING_SORTS[ordering]
        writer = _OrderWriter(scan_id, ordering)
        rows = connection.execute(select(Finding.id, Finding.category).where(Finding.scan_id == scan_id)
                                  .order_by(column, Finding.id))
        for finding_id, category in rows:
            writer.add(finding_id, category)
            if ordering == "id":
                counts[category] += 1
        writer.finish()
    scan.finding_counts = {name: counts.get(name, 0) for name in PROBLEM_CATEGORIES}
    db.session.commit()
    return scan.finding_counts


def _indexed_counts(scan: SymlinkScan) -> dict | None:
    """The scan's counts per category once its findings are indexed (indexing a finished scan now), else None."""
    if scan.finding_counts is not None:
        return scan.finding_counts
    if scan.status in ACTIVE_STATES:
        return None
    try:
        return index_findings(scan.id)
    except OperationalError:  # another request indexed it at the same moment: read the table as it is
        db.session.rollback()
        return None


def _ranked_ids(scan_id: int, ordering: str, category: str, first: int, last: int, descending: bool) -> list[int]:
    """Finding ids at positions first..last (from 1) of a stored order, in that order or reversed."""
    if first > last:
        return []
    size = FindingOrder.BLOCK
    low, high = (first - 1) // size, (last - 1) // size
    ids = array("q")
    for block in db.session.execute(
            select(FindingOrder.ids).where(
                FindingOrder.scan_id == scan_id, FindingOrder.ordering == ordering,
                FindingOrder.category == category, FindingOrder.block.between(low, high))
            .order_by(FindingOrder.block)).scalars():
        ids.frombytes(block)
    shown = _little_endian(ids)[first - 1 - low * size:last - low * size].tolist()
    return shown[::-1] if descending else shown


def _page_ids(scan_id: int, counts: dict, category: str | None, sort: str | None, descending: bool,
              start: int, size: int) -> list[int]:
    """The ids of `size` findings from position `start` (from 0) of the asked order, read from the stored ranks."""
    if sort == "category" and not category:
        # By category, then discovery order: the categories one after the other.
        ids, offset = [], start
        for name in sorted(counts, reverse=descending):
            count = counts[name]
            if offset < count and len(ids) < size:
                take = min(size - len(ids), count - offset)
                ids += _ranked_ids(scan_id, "id", name, *_positions(count, offset, take, descending), descending)
                offset = 0
            else:
                offset -= min(offset, count)
        return ids
    ordering = "id" if sort in (None, "category") else sort
    total = counts.get(category, 0) if category else sum(counts.values())
    take = max(0, min(size, total - start))
    return _ranked_ids(scan_id, ordering, category or "", *_positions(total, start, take, descending), descending)


def _positions(total: int, start: int, take: int, descending: bool) -> tuple[int, int]:
    """The ascending positions (from 1) holding `take` rows from `start` (from 0) of an order of `total`, maybe reversed."""
    if descending:
        return total - start - take + 1, total - start
    return start + 1, start + take


def _rows(ids: list[int]) -> list[Finding]:
    """The findings of these ids, in that order."""
    found = {f.id: f for f in db.session.execute(select(Finding).where(Finding.id.in_(ids))).scalars()} if ids else {}
    return [found[i] for i in ids if i in found]


def _searched_page(scan_id: int, category: str | None, sort: str | None, descending: bool, q: str,
                   start: int, size: int) -> tuple[dict, list[int]]:
    """Counts per category and one page of ids of an indexed scan's findings matching q.

    One pass over that scan's texts gives every match, id and category, in the asked order: the
    counts and the page both come from it, whatever the page.
    """
    column = {"path": FindingSearch.path, "target": FindingSearch.target,
              "category": FindingSearch.category}.get(sort, FindingSearch.finding_id)
    order = (column.desc(), FindingSearch.finding_id.desc()) if descending else (column, FindingSearch.finding_id)
    matches = db.session.execute(
        select(FindingSearch.finding_id, FindingSearch.category)
        .where(FindingSearch.scan_id == scan_id, text_filter(q, FindingSearch.path, FindingSearch.target))
        .order_by(*order)).all()
    counts = Counter(match.category for match in matches)
    shown = [match.finding_id for match in matches if not category or match.category == category]
    return counts, shown[start:start + size]


def _unindexed_page(scan_id: int, category: str | None, sort: str | None, descending: bool, q: str | None,
                    proposed: bool | None, start: int, size: int) -> tuple[dict, list[Finding]]:
    """Counts and one page read from the findings table itself: a running scan's, or filtered on `proposed`."""
    conditions = [Finding.scan_id == scan_id]
    if proposed is not None:
        conditions.append(Finding.proposed.is_(proposed))
    matching = text_filter(q, Finding.path, Finding.target)
    if matching is not None:
        conditions.append(matching)
    counts = dict(db.session.execute(
        select(Finding.category, func.count()).where(*conditions).group_by(Finding.category)).all())
    query = select(Finding).where(*conditions)
    if category:
        query = query.where(Finding.category == category)
    column = FINDING_SORTS[sort] if sort else Finding.id
    ordering = (column.desc(), Finding.id.desc()) if descending else (column.asc(), Finding.id.asc())
    return counts, list(db.session.execute(query.order_by(*ordering).offset(start).limit(size)).scalars())


def findings_page(scan_id: int, category: str | None, page: int, per_page: int,
                  proposed: bool | None = None, q: str | None = None, sort: str | None = None,
                  order: str = "asc") -> dict:
    """One page of a scan's findings: optionally of one category, proposed or not, matching q.

    Sorted by path, category or target when asked, in discovery order otherwise. `counts` are per
    category over the search, whatever category is shown (the chips that filter when clicked).
    """
    scan = get_scan(scan_id)
    if category and category not in PROBLEM_CATEGORIES:
        raise ValidationError(f"category must be one of {', '.join(PROBLEM_CATEGORIES)}")
    check_page(page, per_page)
    if sort is not None and sort not in FINDING_SORTS:
        raise ValidationError(f"sort must be one of {', '.join(FINDING_SORTS)}")
    if order not in ("asc", "desc"):
        raise ValidationError("order must be asc or desc")
    check_query(q)
    start, descending = (page - 1) * per_page, order == "desc"
    indexed = _indexed_counts(scan) if proposed is None else None
    if indexed is None:
        counts, rows = _unindexed_page(scan_id, category, sort, descending, q, proposed, start, per_page)
    elif q:
        counts, ids = _searched_page(scan_id, category, sort, descending, q, start, per_page)
        rows = _rows(ids)
    else:
        counts = indexed
        rows = _rows(_page_ids(scan_id, counts, category, sort, descending, start, per_page))
    total = counts.get(category, 0) if category else sum(counts.values())
    return {
        "scan_id": scan_id, "category": category or None, "page": page, "per_page": per_page,
        "q": q or "", "sort": sort or "", "order": order,
        "total": total, "pages": (total + per_page - 1) // per_page,
        "counts": {name: counts.get(name, 0) for name in PROBLEM_CATEGORIES},
        "items": [row.to_dict() for row in rows],
    }
