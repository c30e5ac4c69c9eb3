"""The HTML pages: one page with three tabs driven by static JavaScript, the login page, and /ping."""

import re
import unicodedata
from urllib.parse import unquote

from flask import Blueprint, jsonify, redirect, render_template, request, url_for

from linkdoctor.system import app_version
from linkdoctor.web.vocabulary import vocabulary

bp = Blueprint("pages", __name__)
_BROKEN_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


@bp.get("/")
def index():
    """The app: Dashboard, Scanner and Settings tabs."""
    return render_template("index.html", vocabulary=vocabulary(), version=app_version())


def safe_next(target: str | None) -> str:
    """Where the login may go on to: `target` when it is a path of this app, "/" otherwise.

    A path of this app starts with a single "/" and holds no "//", no backslash, no control character
    and no white space, as given and once more URL-decoded: browsers drop tabs and line feeds from
    addresses and read "\\" as "/", so "/%09/evil.example" (a tab) would become "//evil.example", another site.
    static/js/login.js checks the same (safeNext in static/js/next_page.js).
    """
    if not target:
        return "/"
    try:
        if _BROKEN_ESCAPE.search(target):
            raise ValueError(target)
        decoded = unquote(target, errors="strict")
    except ValueError:  # a broken %-escape is no address of ours (decodeURIComponent throws on it too)
        return "/"
    for text in (target, decoded):
        if not text.startswith("/") or "//" in text or "\\" in text or any(
                ch.isspace() or unicodedata.category(ch) == "Cc" for ch in text):
            return "/"
    return target


@bp.get("/login")
def login():
    """The login page (and, from this machine with no password yet, choosing the first one)."""
    target = request.args.get("next")
    if target is not None and safe_next(target) != target:
        # The page would refuse it too; the address the user sees no longer carries it.
        return redirect(url_for("pages.login"))
    return render_template("login.html")


@bp.get("/setup")
def setup():
    """The first-run setup link's page: choose the password (the token stays in the address, read by setup.js)."""
    return render_template("setup.html")


@bp.get("/metrics")
def metrics():
    """Prometheus text format: links by category, scan durations, quarantine, jobs, follow-ups, notifications.
    Behind the API's authentication (the API key works: Prometheus' `authorization` or `?apikey=`)."""
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    from linkdoctor.metrics import registry

    return generate_latest(registry()), 200, {"Content-Type": CONTENT_TYPE_LATEST}


@bp.get("/ping")
def ping():
    """Health check, open to all: the server answers."""
    return jsonify({"status": "ok"})
