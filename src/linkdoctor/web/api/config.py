"""Settings and the folder tree of the media root."""

from flask import jsonify, request

from linkdoctor.config import config_to_dict, get_config, update_config
from linkdoctor.errors import ValidationError
from linkdoctor.web.api.blueprint import bp
from linkdoctor.web.api.inputs import int_arg, json_body, library_request
from linkdoctor.web.tree import QUICK_SECONDS, directory_tree


@bp.get("/config")
def get_configuration():
    """The library settings, API keys masked."""
    return jsonify(config_to_dict(get_config()))


@bp.post("/config")
def post_configuration():
    """Change settings; every value is validated before any is saved."""
    return jsonify(config_to_dict(update_config(json_body())))


@bp.get("/directories")
def get_directories():
    """The folder tree under the media root with symlink counts: ?path=&depth=&full=1 (count everything;
    by default the counts not finished in QUICK_SECONDS are left partial)&offset= (the folder's sub-folders
    listed from this one on)."""
    depth = int_arg("depth", 2)
    offset = int_arg("offset", 0)
    full = request.args.get("full", "")
    if full not in ("", "0", "1", "true", "false"):
        raise ValidationError("full must be 1/true or 0/false")
    seconds = None if full in ("1", "true") else QUICK_SECONDS
    config = get_config()
    with library_request():
        tree = directory_tree(config.media_path, request.args.get("path") or None, depth, config.file_timeout,
                              seconds=seconds, offset=offset)
    return jsonify(tree)
