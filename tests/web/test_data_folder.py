"""Finding 10's end: a data folder made read-only while serving answers a clear 503, not a 500."""

import os
import subprocess

import pytest


def release_open_files(app) -> None:
    """Close the database connections and the log file, as a kernel's forced remount would not wait for."""
    import logging

    from linkdoctor.models import db

    with app.app_context():
        db.engine.dispose()
    logger = logging.getLogger("linkdoctor")
    for handler in list(logger.handlers):
        if getattr(handler, "baseFilename", None):
            logger.removeHandler(handler)
            handler.close()


@pytest.fixture
def remountable(tmp_path, monkeypatch):
    """The data folder on its own tmpfs, so that the test can remount it read-only (needs root)."""
    folder = tmp_path / "data"
    folder.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "none", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (not root?)")
    monkeypatch.setenv("LINKDOCTOR_DATA_DIR", str(folder))
    yield folder
    subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def test_finding_10_a_read_only_data_folder_answers_503_and_says_why(remountable, media_root, library, monkeypatch):
    from linkdoctor import create_app

    monkeypatch.setenv("LINKDOCTOR_MEDIA_PATH", str(media_root))
    library.healthy("Films/a.mkv")
    app = create_app({"TESTING": True})
    client = app.test_client()
    assert client.post("/api/symlink/config", json={"max_workers": 5}).status_code == 200
    release_open_files(app)  # Linux refuses a read-only remount while files are open for writing
    remount = subprocess.run(["mount", "-o", "remount,ro", str(remountable)], capture_output=True, text=True)
    assert remount.returncode == 0, remount.stderr
    for answer in (client.post("/api/symlink/config", json={"max_workers": 4}),
                   client.post("/api/symlink/scan/start", json={})):
        assert answer.status_code == 503, answer.get_json()
        body = answer.get_json()
        assert body["error"] == "data_folder_unavailable" and str(remountable) in body["message"]
    subprocess.run(["mount", "-o", "remount,rw", str(remountable)], capture_output=True)
    assert client.post("/api/symlink/config", json={"max_workers": 4}).status_code == 200
    assert os.access(remountable, os.W_OK)
