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
    """The tests that use the corpus run in one xdist worker (--dist loadgroup): building it is 15-20 s of
    ffmpeg, done once there instead of once in every worker. Spread over the workers they would gain
    nothing: each worker would first wait for its own copy."""
    for item in items:
        if "corpus" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("corpus"))
