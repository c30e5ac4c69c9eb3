"""The phase-2 media corpus, generated once per test session."""

import shutil

import pytest

from tests.support.corpus import build_clean, build_damaged


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    """(clean files by name, damaged files by (name, damage)), see tests/support/corpus.py."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    clean = build_clean(tmp_path_factory.mktemp("clean"))
    return clean, build_damaged(clean, tmp_path_factory.mktemp("damaged"))


def pytest_collection_modifyitems(items):
    """The tests that use the corpus (or the ten-minute clips) run in one xdist worker each (--dist loadgroup):
    building them is seconds of ffmpeg, done once there instead of once in every worker. Spread over the
    workers they would gain nothing: each worker would first wait for its own copy."""
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "corpus" in names:
            item.add_marker(pytest.mark.xdist_group("corpus"))
        elif "long_clips" in names:
            item.add_marker(pytest.mark.xdist_group("long_clips"))


@pytest.fixture(scope="session")
def long_clips(tmp_path_factory):
    """(clean ten-minute clips by name, damaged ones by (name, damage)), see tests/support/longclips.py."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    from tests.support.longclips import build_clips, build_damaged

    clips = build_clips(tmp_path_factory.mktemp("clips"))
    return clips, build_damaged(clips, tmp_path_factory.mktemp("damaged-clips"))
