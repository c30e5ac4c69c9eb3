"""Keeps the database's schema in step with the code, at every start (serve and every CLI command).

The schema's history is a chain of Alembic revisions in linkdoctor/migrations.
An existing database that is behind is first copied to
<data>/backups/linkdoctor-<revision>-<timestamp>.db (the last 5 are kept); the
upgrade then runs on a second copy, which replaces the database only once every
migration has succeeded. A failed upgrade therefore leaves the old file exactly
as it was, and the app never starts on a half-migrated database. A database
written by a newer linkdoctor is refused.
"""

import logging
import os
import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from linkdoctor.errors import LinkdoctorError

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BACKUPS_KEPT = 5
# The revision that describes a database made by release 0.1.0 (db.create_all(), no alembic_version).
BASELINE = "0001"
BASELINE_TABLE = "symlink_config"
# `revision = '0014'` and `down_revision = '0013'` in a migration file.
REVISION_LINE = re.compile(r"^(revision|down_revision)\s*=\s*['\"]?([^'\"\s]+)", re.M)


class DatabaseError(LinkdoctorError):
    """The database cannot be used as it is: corrupt, too new, or its upgrade failed."""

    status_code = 503
    error = "database_unavailable"


@dataclass(frozen=True)
class UpgradeResult:
    """What start-up did to the database."""

    from_revision: str | None
    to_revision: str
    backup: Path | None
    # A database made anew in a data folder that shows it had one (its traces): the settings were reset.
    previous_traces: tuple[str, ...] = ()

    @property
    def reset_warning(self) -> str | None:
        """The loud warning to give at start when the database was lost, else None."""
        if not self.previous_traces:
            return None
        return ("a NEW, EMPTY database was created, but this data folder had one before ("
                + "; ".join(self.previous_traces) + "). Reset to their defaults: auth_required (auto), the login "
                "password (none: the first local visitor may choose one), the API key (a new one), allowed_hosts, "
                "the Sonarr/Radarr/TMDB settings and keys, the library settings and the scan history. If the "
                "database was lost by mistake, stop linkdoctor and copy the newest backup over it.")


def alembic_config():
    from alembic.config import Config  # Alembic (with Mako and Pygments) only when a migration runs

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The code's revision: the one no other migration revises, read from the migration files.

    Every command asks at start; importing Alembic to know it cost ~0.3 s of each CLI run
    (tests/test_schema.py checks it is Alembic's head)."""
    revisions, revised = set(), set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found = dict(REVISION_LINE.findall(path.read_text()))
        if "revision" in found:
            revisions.add(found["revision"])
            revised.add(found.get("down_revision"))
    heads = revisions - revised
    if len(heads) != 1:
        raise DatabaseError(f"the migrations in {MIGRATIONS_DIR} have {len(heads)} heads ({sorted(heads)}), not one")
    return heads.pop()


def backups_dir(database: Path) -> Path:
    return database.parent / "backups"


def _current_revision(database: Path) -> tuple[str | None, bool]:
    """(revision, has_tables) of an existing database file (sqlite3.DatabaseError when it is not one)."""
    with closing(sqlite3.connect(database)) as connection:
        tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        revision = None
        if "alembic_version" in tables:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
    return revision, BASELINE_TABLE in tables


def _newest_backup(database: Path) -> Path | None:
    backups = sorted(backups_dir(database).glob("linkdoctor-*.db"), key=lambda p: p.stat().st_mtime)
    return backups[-1] if backups else None


def previous_traces(database: Path) -> list[str]:
    """What in the data folder shows that a database was used there before this one (empty on a first start)."""
    folder = database.parent
    traces = []
    backups = sorted(backups_dir(database).glob("linkdoctor-*.db"), key=lambda p: p.stat().st_mtime)
    if backups:
        traces.append(f"{len(backups)} backup(s) in {backups_dir(database)}, the newest {backups[-1].name}")
    for suffix in ("-wal", "-shm", "-journal"):
        if Path(f"{database}{suffix}").exists():
            traces.append(f"a leftover {database.name}{suffix}")
    journal = folder / "trash" / "journal.jsonl"
    if journal.exists() and journal.stat().st_size:
        traces.append(f"the quarantine's journal {journal}")
    quarantine = folder / "trash" / "orphans"
    if quarantine.is_dir() and any(quarantine.iterdir()):
        traces.append(f"quarantined links in {quarantine}")
    logs = sorted(p.name for p in folder.glob("*.log*") if p.is_file() and p.stat().st_size)  # linkdoctor.log, repair-*.log
    if logs:
        traces.append(f"the log {logs[0]}" if len(logs) == 1 else f"{len(logs)} log files ({', '.join(logs[:3])}...)")
    return traces


def unreadable(database: Path, exc: Exception) -> DatabaseError:
    """The plain error for a database that cannot be read, naming the newest backup."""
    cause = str(getattr(exc, "orig", None) or exc).splitlines()[0]  # the driver's words, no SQL
    newest = _newest_backup(database)
    hint = (f"restore the newest backup ({newest}) by copying it over {database}" if newest
            else f"move {database} away to start with an empty database (the quarantine is kept)")
    return DatabaseError(f"the database {database} cannot be read ({cause}); {hint}")


def _copy(source: Path, destination: Path) -> None:
    """A consistent copy of a live SQLite database (WAL included), through SQLite's backup API."""
    with sqlite3.connect(source) as src, sqlite3.connect(destination) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _backup(database: Path, revision: str | None) -> Path:
    folder = backups_dir(database)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"linkdoctor-{revision or BASELINE}-{stamp}.db"
    _copy(database, path)
    for old in sorted(folder.glob("linkdoctor-*.db"), key=lambda p: p.stat().st_mtime)[:-BACKUPS_KEPT]:
        old.unlink()
    return path


def _migrate(database: Path, stamp_first: str | None) -> None:
    from alembic import command
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            if stamp_first:
                command.stamp(config, stamp_first)
            command.upgrade(config, "head")
    finally:
        engine.dispose()


def _checkpoint(database: Path) -> None:
    """Fold the write-ahead log into the file, so that nothing of it is left beside the old file."""
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def upgrade_database(database: Path) -> UpgradeResult:
    """Create the database, or bring it to the code's revision after a backup; refuse a newer one."""
    database = Path(database)
    head = head_revision()
    if not database.exists() or database.stat().st_size == 0:
        traces = previous_traces(database)
        # A write-ahead log left by a deleted database belongs to that file, not to the new one.
        for suffix in ("-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        _migrate(database, None)
        if traces:
            log.warning("a new database was made in %s, which had one before (%s): every setting, the password "
                        "and the API key are reset", database.parent, "; ".join(traces))
        return UpgradeResult(None, head, None, tuple(traces))
    try:
        revision, has_tables = _current_revision(database)
    except Exception as exc:  # sqlite3.DatabaseError: "file is not a database", a torn file...
        raise unreadable(database, exc) from exc
    if revision == head:
        return UpgradeResult(revision, head, None)
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    if revision is not None and revision not in {rev.revision for rev in script.walk_revisions()}:
        raise DatabaseError(
            f"the database {database} was written by a newer linkdoctor (schema revision {revision}; this "
            f"version knows up to {head}). Update linkdoctor, or copy a backup from {backups_dir(database)} "
            f"over it to go back to that point.")
    if revision is None and not has_tables:
        _migrate(database, None)  # an empty database file: nothing to keep
        return UpgradeResult(None, head, None)
    try:
        _checkpoint(database)
        backup = _backup(database, revision)
    except Exception as exc:
        raise unreadable(database, exc) from exc
    upgrading = database.with_name(database.name + ".upgrading")
    try:
        _copy(database, upgrading)
        _migrate(upgrading, BASELINE if revision is None else None)
    except Exception as exc:
        upgrading.unlink(missing_ok=True)
        log.exception("database upgrade failed")
        raise DatabaseError(
            f"could not upgrade the database {database} from schema revision {revision or BASELINE} to {head} "
            f"({type(exc).__name__}: {exc}). Nothing was changed: the database is as it was, and a copy of it "
            f"is in {backup}.") from exc
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    os.replace(upgrading, database)
    log.info("database upgraded from %s to %s; backup in %s", revision or BASELINE, head, backup)
    return UpgradeResult(revision, head, backup)


def database_identity(database: Path) -> tuple[int, int] | None:
    """(device, inode) of the database file, or None when it is gone."""
    try:
        info = os.stat(database)
    except FileNotFoundError:
        return None
    return info.st_dev, info.st_ino


def check_database_file(database: Path, expected: tuple[int, int] | None) -> None:
    """Refuse to go on when the database file was deleted or replaced under the running app.

    SQLite would go on writing into the deleted file (lost at the next start) or quietly
    make a new empty one; both would lose the quarantine's records.
    """
    if expected is not None and database_identity(database) != expected:
        raise DatabaseError(
            f"the database file {database} was deleted or replaced while linkdoctor was running; nothing more "
            f"is written to it. Restart linkdoctor: it starts on the file that is there now, and the quarantine's "
            f"records are made again from {Path(database).parent / 'trash' / 'journal.jsonl'}.")


def ensure_database_file(app) -> None:
    """Raise DatabaseError when the app's database file was deleted or replaced since it started."""
    settings = app.config["LINKDOCTOR_SETTINGS"]
    check_database_file(settings.database_path, app.extensions.get("linkdoctor.database_identity"))
