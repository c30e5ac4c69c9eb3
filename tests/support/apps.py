"""The app started on a data folder: for one test (conftest's `app`), or once for the tests of a module
that only look at what it holds (shared_app).

A library a module's tests only look at (a scan history, a quarantine, a check's results, read by
Chromium) costs seconds to make: made once per test process and served to each of the module's tests,
each in a fresh tab, it costs that once. Tests that change what the app holds keep an app of their own.
"""

import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.library import LibraryBuilder


@contextmanager
def started_app(migrated_database: Path):
    """create_app on the data folder the environment names, its database copied from the migrated one when
    it has none yet; on the way out, a job still running is cancelled."""
    from linkdoctor import create_app
    from linkdoctor.settings import load_settings

    database = load_settings().database_path  # the environment's data folder, or one a test pointed it at
    if not database.exists():
        # Made as linkdoctor makes them (a data folder 0700, its database 0600), so the start has nothing to narrow.
        database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.copyfile(migrated_database, database)
        database.chmod(0o600)
    app = create_app({"TESTING": True})
    try:
        yield app
    finally:
        job = app.extensions["linkdoctor.tasks"]._job
        if job is not None and not job.done.is_set():
            job.cancel.set()
            job.done.wait(30)


@dataclass
class SharedApp:
    app: object
    library: LibraryBuilder
    data: Path

    @property
    def source(self) -> Path:
        return self.library.source


@contextmanager
def shared_app(folder: Path, migrated_database: Path, media_cache: Path):
    """An app on folder/data and the media root folder/medias (link targets in folder/source), the
    environment pointed at them for as long as it runs, as conftest's env does for one test."""
    media, source, data = folder / "medias", folder / "source", folder / "data"
    media.mkdir()
    source.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LINKDOCTOR_DATA_DIR", str(data))
        patch.setenv("LINKDOCTOR_MEDIA_PATH", str(media))
        with started_app(migrated_database) as app:
            yield SharedApp(app, LibraryBuilder(media, source, media_cache), data)
