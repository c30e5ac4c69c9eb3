"""Issue 17, finding 3: login sessions end on the server (logout, a new password, their lifetime), and a new
password needs the current one; finding 5: the data folder and its secrets are readable by their owner only."""

import os
import stat
from datetime import timedelta

from tests.support.api import assert_error
from tests.support.auth import PASSWORD, REMOTE, api_key, log_in, set_mode, set_password

COOKIE = "linkdoctor_session"


def logged_in_client(app):
    client = app.test_client()
    assert log_in(client, environ_base=REMOTE).status_code == 200
    return client


def replay(app, cookie_value):
    """A new browser presenting a copied cookie (an attacker who kept it)."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, cookie_value)
    return thief.get("/api/symlink/config", environ_base=REMOTE)


def test_finding_3_a_cookie_replayed_after_logout_is_refused(app):
    set_mode(app, "enabled")
    set_password(app)
    client = logged_in_client(app)
    cookie = client.get_cookie(COOKIE).value
    assert replay(app, cookie).status_code == 200
    assert client.post("/api/symlink/auth/logout", json={}, environ_base=REMOTE).status_code == 200
    assert_error(replay(app, cookie), 401, "unauthorized")
    assert client.get("/api/symlink/auth/status", environ_base=REMOTE).get_json()["logged_in"] is False


def test_finding_3_a_new_password_ends_every_other_session(app):
    set_mode(app, "enabled")
    set_password(app)
    mine, other = logged_in_client(app), logged_in_client(app)
    stolen = other.get_cookie(COOKIE).value
    changed = mine.post("/api/symlink/auth/password", environ_base=REMOTE,
                        json={"password": "a brand new one", "current_password": PASSWORD})
    assert changed.status_code == 200
    assert_error(replay(app, stolen), 401)
    assert_error(other.get("/api/symlink/config", environ_base=REMOTE), 401)
    assert mine.get("/api/symlink/config", environ_base=REMOTE).status_code == 200  # the one that changed it stays in


def test_finding_3_a_password_change_from_a_session_needs_the_current_password(app):
    from linkdoctor import auth

    set_mode(app, "enabled")
    set_password(app)
    client = logged_in_client(app)
    missing = client.post("/api/symlink/auth/password", json={"password": "taken over!"}, environ_base=REMOTE)
    assert_error(missing, 400)
    assert "current_password" in missing.get_json()["fields"]
    wrong = client.post("/api/symlink/auth/password", json={"password": "taken over!", "current_password": "nope"},
                        environ_base=REMOTE)
    assert_error(wrong, 403, "wrong_password")
    with app.app_context():
        assert auth.check_password(PASSWORD) and not auth.check_password("taken over!")
    # Wrong current passwords count against the login throttle, like wrong logins.
    for _ in range(4):
        client.post("/api/symlink/auth/password", json={"password": "taken over!", "current_password": "nope"},
                    environ_base=REMOTE)
    assert_error(client.post("/api/symlink/auth/password", environ_base=REMOTE,
                             json={"password": "taken over!", "current_password": PASSWORD}), 429)
    # The API key gives everything already (like the *arr apps), a password change included.
    by_key = app.test_client().post("/api/symlink/auth/password", json={"password": "set by a script"},
                                    headers={"X-Api-Key": api_key(app)}, environ_base=REMOTE)
    assert by_key.status_code == 200


def test_finding_3_a_session_has_a_bounded_lifetime(app):
    from linkdoctor import auth
    from linkdoctor.models import LoginSession, db

    set_mode(app, "enabled")
    set_password(app)
    client = logged_in_client(app)
    assert "Expires=" in client.post("/api/symlink/auth/login", json={"password": PASSWORD},
                                     environ_base=REMOTE).headers["Set-Cookie"]  # not a cookie for ever
    with app.app_context():
        for row in db.session.execute(db.select(LoginSession)).scalars():
            row.last_seen_at -= auth.SESSION_IDLE + timedelta(seconds=1)  # a week without a visit
        db.session.commit()
    assert_error(client.get("/api/symlink/config", environ_base=REMOTE), 401)
    client = logged_in_client(app)
    with app.app_context():
        for row in db.session.execute(db.select(LoginSession)).scalars():
            row.created_at -= auth.SESSION_MAX
            row.expires_at -= auth.SESSION_MAX  # used every day, but logged in a month ago
        db.session.commit()
    assert_error(client.get("/api/symlink/config", environ_base=REMOTE), 401)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_finding_5_a_new_data_folder_keeps_its_secrets_to_its_owner(app, env, cli):
    assert mode(env) == 0o700
    assert mode(env / "linkdoctor.db") == 0o600
    with app.app_context():
        set_password(app)  # writes through SQLite: its -wal file takes the database's mode
    for name in ("linkdoctor.db-wal", "linkdoctor.db-shm"):
        if (env / name).exists():
            assert mode(env / name) == 0o600, name


def test_finding_5_an_existing_world_readable_data_folder_is_fixed_at_start(env, cli, media_root):
    from linkdoctor.quarantine.journal import JournalFile

    assert cli("auth", "api-key").returncode == 0  # made by this version; then opened up as an old one left it
    journal = JournalFile(env / "trash" / "orphans").path
    journal.parent.mkdir(parents=True, exist_ok=True)
    journal.write_text("")
    os.chmod(env, 0o755)
    for path in (env / "linkdoctor.db", journal):
        os.chmod(path, 0o644)
    assert cli("auth", "api-key").returncode == 0
    assert mode(env) == 0o700 and mode(env / "linkdoctor.db") == 0o600 and mode(journal) == 0o600
