"""The HTML pages: one page with three tabs, driven by static JavaScript."""

from flask import Blueprint, render_template

from linkdoctor.web.vocabulary import vocabulary

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    """The app: Dashboard, Scanner and Settings tabs."""
    return render_template("index.html", vocabulary=vocabulary())
