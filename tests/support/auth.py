"""Logging in from tests: the password, a client on another machine, the auth mode, the process settings."""

import dataclasses

from tests.support.appstate import api_key  # noqa: F401  (re-exported: the key is part of logging in)

REMOTE = {"REMOTE_ADDR": "192.0.2.10"}  # a client on another machine (TEST-NET-1)
PASSWORD = "correct horse battery"


def set_password(app, password=PASSWORD):
    from linkdoctor import auth

    with app.app_context():
        auth.set_password(password)


def set_mode(app, mode):
    from linkdoctor.config import update_config

    with app.app_context():
        update_config({"auth_required": mode})


def log_in(client, password=PASSWORD, **kwargs):
    return client.post("/api/symlink/auth/login", json={"password": password}, **kwargs)


def with_settings(app, **changes):
    app.config["LINKDOCTOR_SETTINGS"] = dataclasses.replace(app.config["LINKDOCTOR_SETTINGS"], **changes)
