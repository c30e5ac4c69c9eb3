"""linkdoctor: keeps a media library's symlinks healthy."""

import logging
from pathlib import Path

# The version, written once in linkdoctor/version.py: pyproject.toml reads it, and so do `linkdoctor --version`,
# GET /api/symlink/system, the page's footer and the image's label.
from linkdoctor.version import __version__  # noqa: E402,F401  (re-exported)

PACKAGE_DIR = Path(__file__).resolve().parent
# Where Flask finds templates/ and static/: inside the package once installed (pyproject maps
# src/templates and src/static there), the src folder in the repository (editable install too).
WEB_ROOT = PACKAGE_DIR if (PACKAGE_DIR / "templates").is_dir() else PACKAGE_DIR.parent


def create_app(test_config: dict | None = None, web: bool = True):
    """Build the Flask app: settings, database (upgraded), job runner, blueprints. Nothing runs at import.

    `web=False` (the CLI's commands other than `serve`): no pages, API routes or request checks, which
    a command never serves; their modules are not even imported (a quicker start for `linkdoctor scan`).

    Recovery of work a crash interrupted is not done here: `serve` and the commands
    that touch scans or the quarantine run linkdoctor.jobs.recovery themselves.
    """
    # Flask and SQLAlchemy are imported here, not at module level, so that scan worker
    # processes (which import linkdoctor.scanner.*) start in milliseconds.
    from flask import Flask
    from sqlalchemy import event

    from linkdoctor.arr.followup import register_followup
    from linkdoctor.media.refresh import register_media_refresh
    from linkdoctor.notify.listeners import register_notifications
    from linkdoctor.config import get_config, refuse_media_root
    from linkdoctor.datafolder import secure_data_folder
    from linkdoctor.events import EventDispatcher
    from linkdoctor.jobs.runner import JobRunner
    from linkdoctor.jobs.scan_manager import SymlinkTaskManager
    from linkdoctor.logs import configure_logging
    from linkdoctor.models import db
    from linkdoctor.schema import database_identity, upgrade_database
    from linkdoctor.settings import load_settings

    settings = load_settings()
    if test_config and "SETTINGS" in test_config:
        settings = test_config["SETTINGS"]
    narrowed = secure_data_folder(settings.data_dir)
    configure_logging(settings.log_dir)
    if narrowed:
        logging.getLogger("linkdoctor").warning(
            "the data folder holds secrets: made %s readable by its owner only", ", ".join(map(str, narrowed)))
    upgraded = upgrade_database(settings.database_path)

    app = Flask("linkdoctor", root_path=str(WEB_ROOT))
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI=settings.database_uri,
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"timeout": 30}},
        LINKDOCTOR_SETTINGS=settings,
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=1024 * 1024,  # no setting or path list comes near; larger bodies are refused (413)
    )
    if test_config:
        app.config.update({k: v for k, v in test_config.items() if k != "SETTINGS"})

    db.init_app(app)
    with app.app_context():
        event.listen(db.engine, "connect", _sqlite_pragmas)
        if settings.media_path_from_env:
            refuse_media_root(str(settings.media_path))
        config = get_config(default_media_path=str(settings.media_path))
        if settings.media_path_from_env and config.media_path != str(settings.media_path):
            config.media_path = str(settings.media_path)
            db.session.commit()
        if web:
            _register_request_checks(app)
    app.extensions["linkdoctor.database_identity"] = database_identity(settings.database_path)
    # Said again by `serve` on its terminal: a lost database silently reopened the app to the first visitor.
    app.extensions["linkdoctor.database_reset"] = upgraded.reset_warning
    runner = JobRunner(app, settings.data_dir)
    app.extensions["linkdoctor.jobs"] = runner
    app.extensions["linkdoctor.tasks"] = SymlinkTaskManager(app, runner)
    # What follows a change to the library is a listener of its event, never a call in a route.
    app.extensions["linkdoctor.events"] = EventDispatcher(app, settings.data_dir)
    _deliver_events_after_commit()
    register_followup(app)
    register_media_refresh(app)  # after the follow-up: its job waits for the rescans Sonarr/Radarr were sent
    register_notifications(app)

    if web:
        from linkdoctor.web import api, pages

        app.register_blueprint(api.bp)
        app.register_blueprint(pages.bp)
    return app


def _register_request_checks(app) -> None:
    """Order matters: a database file deleted under us is refused before anything reads it (a new
    connection would quietly make an empty one); then the Host and cross-site checks; then the credentials."""
    from linkdoctor.web.auth import register_auth
    from linkdoctor.web.security import register_security

    app.before_request(_database_still_there)
    register_security(app)
    register_auth(app)


def _deliver_events_after_commit() -> None:
    """Wake the app's event dispatcher when a transaction that carried an event commits (once per process)."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from linkdoctor.events import forget_after_rollback, wake_after_commit

    if not event.contains(Session, "after_commit", wake_after_commit):
        event.listen(Session, "after_commit", wake_after_commit)
        event.listen(Session, "after_rollback", forget_after_rollback)


def _database_still_there():
    from flask import current_app, request

    from linkdoctor.schema import DatabaseError, ensure_database_file

    if request.path == "/ping":
        return None
    try:
        ensure_database_file(current_app)
    except DatabaseError as exc:
        from linkdoctor.web.errors import error_response

        current_app.logger.error(exc.message)
        # Answered before the credentials are checked (they are in that database): the client is told
        # what happened and what to do, never the data folder's path, which only the log gives.
        return error_response(exc.status_code, exc.error,
                              "the database file was deleted or replaced while linkdoctor was running; nothing more "
                              "is written to it. Restart linkdoctor (the server's log names the file and how the "
                              "quarantine's records are made again)")
    return None


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets status polls read while the scan thread writes; foreign keys make
    # deleting a scan delete its findings.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
