"""Migration 0010: the event outbox, and the stored `notify` jobs renamed `arr_followup` (and back on downgrade)."""

import sqlite3

from alembic import command
from sqlalchemy import create_engine

from linkdoctor.schema import alembic_config, upgrade_database


def migrate(database, revision: str, down: bool = False, stamp_first: str | None = None) -> None:
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            if stamp_first:  # release 0.1.0 predates Alembic: its schema is revision 0001, unstamped
                command.stamp(config, stamp_first)
            (command.downgrade if down else command.upgrade)(config, revision)
    finally:
        engine.dispose()


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
