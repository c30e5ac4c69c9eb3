"""linkdoctor: keeps a media library's symlinks healthy."""

from pathlib import Path

SRC_DIR = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None):
    """Build the Flask app: settings, database, task manager, blueprints. Nothing runs at import."""
    # Flask and SQLAlchemy are imported here, not at module level, so that scan worker
    # processes (which import linkdoctor.scanner.*) start in milliseconds.
    from flask import Flask
    from sqlalchemy import event

    from linkdoctor.config import load_settings
    from linkdoctor.logs import configure_logging
    from linkdoctor.models import db
    from linkdoctor.settings import get_config
    from linkdoctor.tasks import SymlinkTaskManager
    from linkdoctor.web import api, pages

    settings = load_settings()
    if test_config and "SETTINGS" in test_config:
        settings = test_config["SETTINGS"]
    settings.data_dir.mkdir(parents=True, exist_ok=True)

    app = Flask("linkdoctor", root_path=str(SRC_DIR))
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI=settings.database_uri,
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"timeout": 30}},
        LINKDOCTOR_SETTINGS=settings,
        JSON_SORT_KEYS=False,
    )
    if test_config:
        app.config.update({k: v for k, v in test_config.items() if k != "SETTINGS"})

    db.init_app(app)
    configure_logging(settings.log_dir)
    with app.app_context():
        event.listen(db.engine, "connect", _sqlite_pragmas)
        db.create_all()
        config = get_config(default_media_path=str(settings.media_path))
        if settings.media_path_from_env and config.media_path != str(settings.media_path):
            config.media_path = str(settings.media_path)
            db.session.commit()
        app.extensions["linkdoctor.tasks"] = manager = SymlinkTaskManager(app, settings.data_dir)
        manager.recover_interrupted(settings.data_dir)

    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    return app


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets status polls read while the scan thread writes; foreign keys make
    # deleting a scan delete its findings.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
