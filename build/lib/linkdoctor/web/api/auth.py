"""Login, logout, the password, the API key and the auth settings in force."""

from flask import current_app, jsonify, session

from linkdoctor import auth
from linkdoctor.config import get_config
from linkdoctor.web import auth as web_auth
from linkdoctor.web.api import bp
from linkdoctor.web.api.inputs import json_body, settings
from linkdoctor.web.errors import error_response
from linkdoctor.web.security import client_is_local


@bp.get("/auth/status")
def auth_status():
    """Open to all: whether this client is in, whether a password exists and whether it may set the first."""
    return jsonify({
        "authenticated": web_auth.authenticated(),
        "logged_in": web_auth.logged_in(),
        "password_set": auth.password_is_set(),
        "can_set_password": web_auth.can_set_first_password(),
        "auth_required": web_auth.auth_mode(),
    })


@bp.post("/auth/login")
def log_in():
    """Log in with {password}; failures are limited per client address (429 with Retry-After)."""
    body = json_body({"password"})
    throttle, key = web_auth.throttle(), web_auth.throttle_key()
    wait = throttle.retry_after(key)
    if wait:
        response = error_response(429, "too_many_attempts", f"too many failed logins; try again in {wait} s",
                                  retry_after=wait)
        response.headers["Retry-After"] = str(wait)
        return response
    if not auth.password_is_set():
        return error_response(401, "unauthorized", "no password is set: run `linkdoctor auth set-password`")
    if not auth.check_password(body.get("password")):
        throttle.failed(key)
        return error_response(401, "unauthorized", "wrong password")
    throttle.succeeded(key)
    web_auth.log_in_session()
    return jsonify({"authenticated": True})


@bp.post("/auth/logout")
def log_out():
    """End this browser's session."""
    json_body(set())
    session.clear()
    return jsonify({"authenticated": False})


@bp.post("/auth/password")
def change_password():
    """Set the password {password}: the first one from this machine, later ones once logged in."""
    body = json_body({"password"})
    auth.set_password(body.get("password"))
    web_auth.log_in_session()  # the new password ended the old sessions; keep this one
    return jsonify({"password_set": True})


@bp.get("/auth/settings")
def auth_settings():
    """The API key, the auth mode in force and where it comes from, the host names answered to."""
    from linkdoctor.web.security import allowed_host_names

    config = get_config()
    names, any_ip = allowed_host_names()
    process = settings()
    return jsonify({
        "api_key": auth.credentials().api_key,
        "auth_required": web_auth.auth_mode(),
        "auth_required_setting": config.auth_required,
        "bind_host": process.host,
        "bind_is_loopback": auth.is_loopback(process.host),
        "allowed_hosts": config.allowed_hosts or [],
        "answered_host_names": sorted(names),
        "any_ip_address": any_ip,
        "trusted_proxies": list(process.trusted_proxies),
        "client_is_local": client_is_local(),
        "password_set": auth.password_is_set(),
    })


@bp.post("/auth/api-key")
def regenerate_api_key():
    """Make a new API key; the old one stops working at once."""
    json_body(set())
    current_app.logger.info("API key regenerated")
    return jsonify({"api_key": auth.regenerate_api_key()})
