"""The first-run setup link's route: choose the first password with the one-time token from the log."""

from flask import current_app, jsonify

from linkdoctor import setup_token
from linkdoctor.web import auth as web_auth
from linkdoctor.web.api.blueprint import bp
from linkdoctor.web.api.inputs import json_body


@bp.post("/auth/setup")
def set_first_password():
    """Open to all: {token, password} sets the first password and logs this browser in; 403 for a bad token."""
    body = json_body({"token", "password"})
    setup_token.set_first_password(current_app, body.get("token"), body.get("password"))
    current_app.logger.info("first password set through the setup link")
    web_auth.log_in_session()
    return jsonify({"password_set": True, "authenticated": True})
