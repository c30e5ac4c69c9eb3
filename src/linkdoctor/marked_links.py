"""Links a webhook marked (renamed, file deleted): the next scan that starts checks them too, then forgets them."""

import os

from sqlalchemy import delete, select

from linkdoctor.models import MarkedLink, db


def _covered(path: str, selected: list[str]) -> bool:
    return any(path == folder or path.startswith(folder.rstrip("/") + "/") for folder in selected)


def take_marked_links(selected: list[str], media_root: str) -> list[str]:
    """The marked links still in the library that the selection does not cover; the marks are consumed."""
    paths = sorted(set(db.session.execute(select(MarkedLink.path)).scalars()))
    if not paths:
        return []
    db.session.execute(delete(MarkedLink))
    root = media_root.rstrip("/") + "/"
    # lstat only (never follows the link into a mount): the library's own folders answer.
    return [path for path in paths if path.startswith(root) and not _covered(path, selected) and os.path.islink(path)]
