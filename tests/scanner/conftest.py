"""The phase-2 media corpus, generated once per test session."""

import shutil

import pytest

from tests.support.corpus import build_clean, build_damaged

requires_ffmpeg = pytest.mark.skipif(
    shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None,
    reason="ffmpeg/ffprobe are not installed; phase-2 tests need real media, a real ffprobe and ffmpeg",
)


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    """(clean files by name, damaged files by (name, damage)), see tests/support/corpus.py."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    clean = build_clean(tmp_path_factory.mktemp("clean"))
    return clean, build_damaged(clean, tmp_path_factory.mktemp("damaged"))


@pytest.fixture(scope="session")
def long_clips(tmp_path_factory):
    """(clean ten-minute clips by name, damaged ones by (name, damage)), see tests/support/longclips.py."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    from tests.support.longclips import build_clips, build_damaged

    clips = build_clips(tmp_path_factory.mktemp("clips"))
    return clips, build_damaged(clips, tmp_path_factory.mktemp("damaged-clips"))
