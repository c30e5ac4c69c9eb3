"""Migration 0010: the event outbox, and the stored `notify` jobs renamed `arr_followup` (and back on downgrade)."""

import sqlite3

from linkdoctor.schema import upgrade_database
from tests.support.migrations import migrate


def kinds(database) -> list[str]:
    with sqlite3.connect(database) as connection:
        return [row[0] for row in connection.execute("SELECT kind FROM job ORDER BY id")]


def test_stored_notify_jobs_become_arr_followup_and_come_back_on_downgrade(release):
    migrate(release.database, "0009", stamp_first="0001")
    with sqlite3.connect(release.database) as connection:
        connection.executemany("INSERT INTO job (kind, state, phase, progress, message, params, result, origin, "
                               "cancel_requested, created_at) VALUES (?, 'completed', '', 1.0, '', '{}', '{}', "
                               "'web', 0, '2026-12-01 10:00:00')", [("notify",), ("import",), ("notify",)])
    upgrade_database(release.database)  # what a start does: to 0010 and beyond
    assert kinds(release.database) == ["arr_followup", "import", "arr_followup"]
    with sqlite3.connect(release.database) as connection:
        assert connection.execute("SELECT count(*) FROM event_outbox").fetchone() == (0,)

    migrate(release.database, "0009", down=True)
    assert kinds(release.database) == ["notify", "import", "notify"]
    with sqlite3.connect(release.database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "event_outbox" not in tables
