"""A job's scratch tables: the sets an import or a check builds over the whole library, kept on disk.

A re-import needs every known item and every path it saw; a check, every library
path and the links by target. Held in Python, they cost about 1 KiB an item (1 GB
at a million links). Here they live in a temporary SQLite database of the job
(deleted when it is closed, its page cache bounded), filled in batches, and the
set differences and groupings are SQL: memory stays flat whatever the library's size.
"""

import os
import sqlite3
from typing import Iterable, Iterator

from linkdoctor.models import db

BATCH = 1000

# Paths are kept as their bytes: a file name that is not UTF-8 (a lone surrogate in Python) is still a key,
# and bytes sort as the code points of the names do.
key = os.fsencode
text = os.fsdecode
CACHE_KIB = 8 * 1024  # the page cache of the scratch database; the rest spills to its file


def stream(query):
    """The rows of an ORM `query` on the app's database, BATCH at a time (the ORM buffers a whole result otherwise)."""
    return db.session.execute(query.execution_options(yield_per=BATCH))


class Scratch:
    """A temporary on-disk SQLite database (no file name: SQLite deletes it on close); use as a context manager."""

    def __init__(self, schema: str):
        self.db = sqlite3.connect("", isolation_level=None)
        self.db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        self.db.execute("PRAGMA journal_mode = OFF")
        self.db.execute("PRAGMA synchronous = OFF")
        self.db.executescript(schema)
        self.db.execute("BEGIN")
        self._pending: dict[str, list[tuple]] = {}

    def __enter__(self) -> "Scratch":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def add(self, statement: str, row: tuple) -> None:
        """Queue a row for `statement` (an INSERT); written BATCH rows at a time."""
        rows = self._pending.setdefault(statement, [])
        rows.append(row)
        if len(rows) >= BATCH:
            self.db.executemany(statement, rows)
            rows.clear()

    def add_all(self, statement: str, rows: Iterable[tuple]) -> None:
        for row in rows:
            self.add(statement, row)
        self.flush()

    def flush(self) -> None:
        """Write the queued rows; `rows` and `execute` do it first, `one` does not."""
        for statement, rows in self._pending.items():
            if rows:
                self.db.executemany(statement, rows)
                rows.clear()

    def one(self, query: str, params: tuple = ()) -> tuple | None:
        """One row, without writing the queued rows first: a lookup per item stays cheap (see `rows`)."""
        return self.db.execute(query, params).fetchone()

    def rows(self, query: str, params: tuple = ()) -> Iterator[tuple]:
        """The rows of `query`, streamed from a cursor of their own (the scratch can be written meanwhile)."""
        self.flush()
        return iter(self.db.execute(query, params))

    def execute(self, statement: str, params: tuple = ()) -> None:
        self.flush()
        self.db.execute(statement, params)
