"""The HTML pages: one page with three tabs driven by static JavaScript, the login page, and /ping."""

from flask import Blueprint, jsonify, render_template

from linkdoctor.system import app_version
from linkdoctor.web.vocabulary import vocabulary

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    """The app: Dashboard, Scanner and Settings tabs."""
    return render_template("index.html", vocabulary=vocabulary(), version=app_version())


@bp.get("/login")
def login():
    """The login page (and, from this machine with no password yet, choosing the first one)."""
    return render_template("login.html")


@bp.get("/ping")
def ping():
    """Health check, open to all: the server answers."""
    return jsonify({"status": "ok"})
