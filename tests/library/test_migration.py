"""Migration 0005 on a release-0.1.0 data folder: the stored settings get the default folder names."""

import pytest

from tests.support.release import build_release_folder


@pytest.fixture
def release(tmp_path, monkeypatch):
    folder = build_release_folder(tmp_path)
    monkeypatch.setenv("LINKDOCTOR_DATA_DIR", str(folder.data))
    monkeypatch.setenv("LINKDOCTOR_MEDIA_PATH", str(folder.media))
    return folder


def test_an_upgraded_config_row_gets_the_default_folder_names_and_an_empty_inventory(release):
    from linkdoctor.cli.common import build_app
    from linkdoctor.models import InventoryItem, SymlinkConfig, db

    app = build_app(recover=True)
    with app.app_context():
        config = db.session.execute(db.select(SymlinkConfig)).scalars().one()
        assert config.movie_folders == ["Films", "Movies"]
        assert config.series_folders == ["Séries", "Series", "TV", "Shows"]
        assert db.session.query(InventoryItem).count() == 0
