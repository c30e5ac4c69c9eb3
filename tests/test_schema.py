"""Upgrades that lose nothing: the release-0.1.0 data folder upgraded, backups, failures, newer and corrupt files."""

import hashlib
import os
import sqlite3
import time

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from linkdoctor.schema import BACKUPS_KEPT, DatabaseError, head_revision, upgrade_database
from tests.support.cli import run_cli as cli


def revision_of(database) -> str | None:
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        revision = MigrationContext.configure(connection).get_current_revision()
    engine.dispose()
    return revision


def schema_drift(database) -> list:
    """What the models have that the migrated database lacks (or the other way round)."""
    from linkdoctor.models import db

    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), db.metadata)
    engine.dispose()
    return diff


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_new_data_folder_gets_the_latest_schema_and_no_backup(tmp_path):
    database = tmp_path / "linkdoctor.db"
    result = upgrade_database(database)
    assert result.backup is None and result.to_revision == head_revision()
    assert revision_of(database) == head_revision()
    assert schema_drift(database) == []
    assert not (tmp_path / "backups").exists()


def test_every_model_change_has_its_migration(release):
    upgrade_database(release.database)
    assert schema_drift(release.database) == []


def test_the_release_0_1_0_folder_upgrades_with_everything_kept(release):
    from linkdoctor import quarantine, scans
    from linkdoctor.cli.common import build_app
    from linkdoctor.models import ProbeVerdictEntry, QuarantineEntry, SymlinkConfig, db

    before = sqlite3.connect(release.database)
    old_scans = before.execute("select id, status, total_analyzed, phase1_broken from symlink_scan").fetchall()
    # The release counted healthy as "passed phase 1, not found corrupted or timed out in phase 2".
    old_healthy = before.execute("select id, phase1_ok - phase2_corrupted - phase2_timeout from symlink_scan "
                                 "order by id").fetchall()
    old_findings = before.execute("select count(*) from finding").fetchone()[0]
    before.close()
    assert revision_of(release.database) is None  # release 0.1.0 knew nothing of Alembic

    app = build_app(recover=True, web=True)  # what `serve` starts with
    assert revision_of(release.database) == head_revision()
    backups = list((release.data / "backups").glob("linkdoctor-0001-*.db"))
    assert len(backups) == 1
    with app.app_context():
        history = scans.history()
        assert [(s["scan_id"], s["status"], s["statistics"]["total_analyzed"], s["statistics"]["phase1_broken"])
                for s in reversed(history)] == old_scans
        assert sum(len(scans.all_findings(s["scan_id"])) for s in history) == old_findings
        # Migration 0008 gives the kept scans the phase-2 counters their counts imply, so `healthy`
        # of a finished scan says what it said before.
        assert [(s["scan_id"], s["statistics"]["healthy"]) for s in reversed(history)] == old_healthy
        config = db.session.execute(db.select(SymlinkConfig)).scalars().one()
        assert config.sonarr_api_key == "0123456789abcdef0123456789abcdef"
        assert config.radarr_api_key == "fedcba9876543210fedcba9876543210"
        assert config.sonarr_enabled and config.sonarr_host == "sonarr.lan"
        assert config.small_file_threshold == 2048 and config.file_timeout == 7.5
        assert config.source_roots == [str(release.source)]
        assert db.session.query(ProbeVerdictEntry).count() == 3
        entries = [e.to_dict() for e in db.session.execute(db.select(QuarantineEntry)).scalars()]
        assert len(entries) == 4 and {e["state"] for e in entries} == {"quarantined"}
        restored = quarantine.restore(entries[0]["scan_id"], release.data)
    assert restored["restored"] == 4 and restored["conflicts"] == []
    for entry in entries:
        assert os.path.islink(entry["original_path"]) and not os.path.lexists(entry["quarantine_path"])


def test_restore_of_an_old_scan_works_from_the_cli(release):
    result = cli("restore", "2")
    assert result.returncode == 0, result.stderr
    assert "restored 4 link(s) of scan 2" in result.stdout
    assert (release.media / "Films" / "Gone (1999)" / "Gone (1999).mkv").is_symlink()


def test_an_upgraded_database_is_not_upgraded_or_backed_up_again(release):
    upgrade_database(release.database)
    assert upgrade_database(release.database).backup is None
    assert len(list((release.data / "backups").iterdir())) == 1


def test_only_the_last_five_backups_are_kept(release):
    backups = release.data / "backups"
    backups.mkdir()
    for i in range(BACKUPS_KEPT + 2):
        old = backups / f"linkdoctor-0001-2020010{i}T000000.db"
        old.write_bytes(b"old backup")
        os.utime(old, (time.time() - 1000 + i, time.time() - 1000 + i))
    result = upgrade_database(release.database)
    kept = sorted(backups.iterdir())
    assert len(kept) == BACKUPS_KEPT
    assert result.backup in kept
    assert not (backups / "linkdoctor-0001-20200100T000000.db").exists()  # the oldest went first


def test_a_failed_migration_leaves_the_old_file_and_says_where_the_backup_is(release):
    # A table the next revision wants to create is already there: the upgrade fails half-way.
    with sqlite3.connect(release.database) as connection:
        connection.execute("create table job (id integer primary key)")
    connection.close()
    before = digest(release.database)
    with pytest.raises(DatabaseError) as failure:
        upgrade_database(release.database)
    message = failure.value.message
    assert "Nothing was changed" in message and "backups" in message
    assert digest(release.database) == before
    assert revision_of(release.database) is None
    assert not list(release.data.glob("*.upgrading"))
    backup = next((release.data / "backups").glob("linkdoctor-0001-*.db"))
    assert str(backup) in message


def test_the_cli_refuses_to_start_on_a_failed_upgrade_with_one_plain_line(release):
    with sqlite3.connect(release.database) as connection:
        connection.execute("create table job (id integer primary key)")
    connection.close()
    result = cli("history")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("linkdoctor: could not upgrade the database")


def test_a_database_from_a_newer_linkdoctor_is_refused(release):
    upgrade_database(release.database)
    with sqlite3.connect(release.database) as connection:
        connection.execute("update alembic_version set version_num = '9999'")
    connection.close()
    before = digest(release.database)
    with pytest.raises(DatabaseError, match="written by a newer linkdoctor"):
        upgrade_database(release.database)
    assert digest(release.database) == before
    result = cli("config", "show")
    assert result.returncode == 2 and "newer linkdoctor" in result.stderr and "Traceback" not in result.stderr


def test_a_corrupt_database_gives_a_plain_message(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    (data / "linkdoctor.db").write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("LINKDOCTOR_DATA_DIR", str(data))
    monkeypatch.setenv("LINKDOCTOR_MEDIA_PATH", str(tmp_path))
    with pytest.raises(DatabaseError, match="cannot be read"):
        upgrade_database(data / "linkdoctor.db")
    result = cli("history")
    assert result.returncode == 2 and "cannot be read" in result.stderr and "Traceback" not in result.stderr


def test_the_head_read_from_the_migration_files_is_alembics_head():
    from alembic.script import ScriptDirectory

    from linkdoctor.schema import alembic_config

    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_a_cli_command_on_an_up_to_date_database_does_not_import_alembic(env, library):
    # Every command checks the schema at start; Alembic (with Mako, Pygments) is only for migrating.
    import subprocess
    import sys

    code = ("import runpy, sys\nsys.argv = ['linkdoctor', 'config', 'show', '--json']\n"
            "try:\n    runpy.run_module('linkdoctor', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "print('alembic' in sys.modules, file=sys.stderr)")
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    again = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert first.returncode == 0 and again.returncode == 0, (first.stderr, again.stderr)
    assert again.stderr.strip().splitlines()[-1] == "False", again.stderr
