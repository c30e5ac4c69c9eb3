"""Shared fixtures: an app on a temporary data folder and media root, its client and CLI runner.

The fixtures of the real outside parts are in tests/support and tests/fakes, registered here for
every test: headless Chromium and the app over HTTP (tests/support/browser.py), FUSE mounts that
fail on purpose (tests/support/faultmount.py), fake Sonarr, Radarr and Docker Engine
(tests/fakes/fixtures.py). Helpers are imported from tests/support, never from another test file.
"""

import os
import shutil
from pathlib import Path

import pytest

# Before the imports below: their asserts get pytest's messages, as in a test file.
pytest.register_assert_rewrite("tests.support", "tests.fakes")

from tests.support import installed  # noqa: E402
from tests.support.apps import started_app  # noqa: E402
from tests.support.cli import run_cli  # noqa: E402
from tests.support.faultmount import hanging_links  # noqa: E402
from tests.support.library import LibraryBuilder  # noqa: E402
from tests.support.release import build_release_folder  # noqa: E402

pytest_plugins = ("tests.support.browser", "tests.support.faultmount", "tests.fakes.fixtures", "tests.support.followup")


@pytest.hookimpl(trylast=True)  # after tests/scanner/conftest.py has marked its groups
def pytest_collection_modifyitems(items):
    """The tests that share one xdist worker (xdist_group: a corpus, an installed package, a library made
    once) first, each group in one piece: a group is a long unit of work, which dealt out near the end of
    the run would keep one worker busy after the others have finished."""
    items.sort(key=lambda item: item.get_closest_marker("xdist_group") is None)


@pytest.fixture
def media_root(tmp_path):
    root = tmp_path / "medias"
    root.mkdir()
    return root


@pytest.fixture
def source_dir(tmp_path):
    """Where link targets live: stands for the debrid or rclone mount."""
    source = tmp_path / "source"
    source.mkdir()
    return source


@pytest.fixture(scope="session")
def media_cache(tmp_path_factory) -> Path:
    """Videos made by ffmpeg once per test process, copied into each test's library (LibraryBuilder.video)."""
    return tmp_path_factory.mktemp("media-cache")


@pytest.fixture
def library(media_root, source_dir, media_cache):
    return LibraryBuilder(media_root, source_dir, media_cache)


@pytest.fixture
def env(monkeypatch, tmp_path, media_root):
    """Point linkdoctor at the temporary folders through its real environment settings."""
    monkeypatch.setenv("LINKDOCTOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LINKDOCTOR_MEDIA_PATH", str(media_root))
    return tmp_path / "data"


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory) -> Path:
    """An empty database brought to the head revision by the real migrations, made once per test process.

    `app` starts on a copy of it instead of running every migration again for each test: create_app
    finds it at head and goes on exactly as after migrating a new file. The migrations themselves are
    tested on their own (tests/test_schema.py, tests/library/test_migration.py), from nothing and from
    release 0.1.0's database."""
    from linkdoctor.schema import head_revision, upgrade_database

    database = tmp_path_factory.mktemp("migrated") / "linkdoctor.db"
    assert upgrade_database(database).to_revision == head_revision()
    assert not Path(f"{database}-wal").exists()  # the whole database is in the one file copied
    return database


@pytest.fixture
def app(env, migrated_database):
    with started_app(migrated_database) as app:
        yield app


@pytest.fixture
def free_app(env, media_root, monkeypatch):
    """An app whose media_path is a setting (not fixed by LINKDOCTOR_MEDIA_PATH)."""
    from linkdoctor import create_app
    from linkdoctor.config import update_config

    monkeypatch.delenv("LINKDOCTOR_MEDIA_PATH")
    app = create_app({"TESTING": True})
    with app.app_context():
        update_config({"media_path": str(media_root)})
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def cli(env, media_root):
    """Run `linkdoctor ...` as a user does, on the test's data folder and media root."""
    return run_cli


@pytest.fixture
def release(tmp_path, monkeypatch):
    """A data folder made by release 0.1.0 (tests/fixtures/release-0.1.0.sql), the environment pointed at it."""
    folder = build_release_folder(tmp_path)
    monkeypatch.setenv("LINKDOCTOR_DATA_DIR", str(folder.data))
    monkeypatch.setenv("LINKDOCTOR_MEDIA_PATH", str(folder.media))
    return folder


@pytest.fixture
def as_root():
    return os.geteuid() == 0


@pytest.fixture(scope="session")
def installed_linkdoctor():
    """The python of a new virtual environment where linkdoctor is installed as the Dockerfile does it."""
    folder = installed.open_folder("linkdoctor-installed-")
    try:
        yield installed.install(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def hanging_library(library, faulty_mount):
    """A library whose links point into a mount where every read of dead/* hangs forever."""
    hanging_links(library, faulty_mount)
    return library
