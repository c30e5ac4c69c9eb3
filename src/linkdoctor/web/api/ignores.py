"""Ignore rules: links (one, a folder's, or a target prefix's) that later scans leave out."""

from flask import jsonify, request

from linkdoctor import ignores
from linkdoctor.config import get_config
from linkdoctor.errors import ValidationError
from linkdoctor.paths import real_root
from linkdoctor.web.api.blueprint import bp
from linkdoctor.web.api.inputs import json_body, positive_id


@bp.get("/ignores")
def list_ignores():
    """Every ignore rule, newest first, and the media root (the page shows paths relative to it)."""
    return jsonify({"ignores": ignores.list_rules(), "media_root": real_root(get_config().media_path)})


@bp.get("/ignores/preview")
def preview_ignore():
    """What ignoring ?path= (one link) or ?prefix= (a folder or target prefix) would hide: {kind, value, links}."""
    args = {name: request.args.get(name) for name in ("path", "prefix")}
    unknown = set(request.args) - set(args)
    if unknown:
        raise ValidationError(f"unknown parameter(s): {', '.join(sorted(unknown))}; give path or prefix")
    return jsonify(ignores.preview_rule(args["path"], args["prefix"]))


@bp.post("/ignores")
def add_ignore():
    """Ignore one link {"path"} or a folder or target prefix {"prefix"}, with an optional note."""
    body = json_body({"path", "prefix", "note"})
    rule = ignores.add_rule(body.get("path"), body.get("prefix"), body.get("note", ""))
    return jsonify(rule), 201


@bp.delete("/ignores/<rule_id>")
def remove_ignore(rule_id):
    """Stop ignoring: the links come back in the next scan."""
    return jsonify(ignores.remove_rule(positive_id(rule_id, "ignore rule id")))
