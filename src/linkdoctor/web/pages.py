"""The HTML pages: one page with three tabs driven by static JavaScript, the login page, and /ping."""

from flask import Blueprint, jsonify, render_template

from linkdoctor.web.vocabulary import vocabulary

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    """The app: Dashboard, Scanner and Settings tabs."""
    return render_template("index.html", vocabulary=vocabulary())


@bp.get("/login")
def login():
    """The login page (and, from this machine with no password yet, choosing the first one)."""
    return render_template("login.html")


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
