"""The `media` fixture: a small French and English library (tests/support/media.py) with its source root set."""

import pytest

from tests.support.media import Media


@pytest.fixture
def media(library, app, source_dir):
    from linkdoctor.config import update_config

    with app.app_context():
        update_config({"source_roots": [str(source_dir)]})
    return Media(library)
