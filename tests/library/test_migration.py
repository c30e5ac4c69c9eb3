"""Migration 0005 on a release-0.1.0 data folder: the stored settings get the default folder names."""


def test_an_upgraded_config_row_gets_the_default_folder_names_and_an_empty_inventory(release):
    from linkdoctor.cli.common import build_app
    from linkdoctor.models import InventoryItem, SymlinkConfig, db

    app = build_app(recover=True)
    with app.app_context():
        config = db.session.execute(db.select(SymlinkConfig)).scalars().one()
        assert config.movie_folders == ["Films", "Movies"]
        assert config.series_folders == ["Séries", "Series", "TV", "Shows"]
        assert db.session.query(InventoryItem).count() == 0
