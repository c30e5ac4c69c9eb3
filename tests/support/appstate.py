"""What the app holds, read in its own context: settings, credentials, and what a request could have changed."""


def config_value(app, name):
    from linkdoctor.config import get_config

    with app.app_context():
        return getattr(get_config(), name)


def api_key(app):
    from linkdoctor.auth import credentials

    with app.app_context():
        return credentials().api_key


def world(app):
    """What a cross-site request could change: scans, jobs, quarantine states, settings."""
    from linkdoctor.models import Job, QuarantineEntry, SymlinkScan, db

    with app.app_context():
        return (
            [(s.id, s.status) for s in db.session.execute(db.select(SymlinkScan)).scalars()],
            [(j.id, j.state) for j in db.session.execute(db.select(Job)).scalars()],
            [(q.id, q.state) for q in db.session.execute(db.select(QuarantineEntry)).scalars()],
            config_value(app, "max_workers"),
        )
