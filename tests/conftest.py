"""Shared fixtures: an app on a temporary data folder and media root, its client and CLI runner."""

import os
import shutil
import subprocess
import sys
import time

import pytest

from tests.support import installed
from tests.support.library import LibraryBuilder
from tests.support.release import build_release_folder


@pytest.fixture
def media_root(tmp_path):
    root = tmp_path / "medias"
    root.mkdir()
    return root


@pytest.fixture
def source_dir(tmp_path):
    """Where link targets live: stands for the debrid or rclone mount."""
    source = tmp_path / "source"
    source.mkdir()
    return source


@pytest.fixture
def library(media_root, source_dir):
    return LibraryBuilder(media_root, source_dir)


@pytest.fixture
def env(monkeypatch, tmp_path, media_root):
    """Point linkdoctor at the temporary folders through its real environment settings."""
    monkeypatch.setenv("LINKDOCTOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LINKDOCTOR_MEDIA_PATH", str(media_root))
    return tmp_path / "data"


@pytest.fixture
def app(env):
    from linkdoctor import create_app

    app = create_app({"TESTING": True})
    yield app
    manager = app.extensions["linkdoctor.tasks"]
    job = manager._job
    if job is not None and not job.done.is_set():
        job.cancel.set()
        job.done.wait(30)


@pytest.fixture
def client(app):
    return app.test_client()


def wait_for_scan(client, scan_id: int, timeout: float = 60.0) -> dict:
    """Poll the status endpoint until the scan leaves pending/running."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(f"/api/symlink/scan/status/{scan_id}").get_json()
        if status["status"] not in ("pending", "running"):
            return status
        time.sleep(0.05)
    raise AssertionError(f"scan {scan_id} still {status['status']} after {timeout}s")


def run_cli(*args, timeout=120, input=None, extra_env=None, prefix=()):
    """`linkdoctor ...` in a child process with this process's environment (plus extra_env)."""
    return subprocess.run([*prefix, sys.executable, "-m", "linkdoctor", *args], capture_output=True, text=True,
                          timeout=timeout, input=input, env={**os.environ, **(extra_env or {})})


@pytest.fixture
def cli(env, media_root):
    """Run `linkdoctor ...` as a user does, on the test's data folder and media root."""
    return run_cli


@pytest.fixture
def release(tmp_path, monkeypatch):
    """A data folder made by release 0.1.0 (tests/fixtures/release-0.1.0.sql), the environment pointed at it."""
    folder = build_release_folder(tmp_path)
    monkeypatch.setenv("LINKDOCTOR_DATA_DIR", str(folder.data))
    monkeypatch.setenv("LINKDOCTOR_MEDIA_PATH", str(folder.media))
    return folder


@pytest.fixture
def as_root():
    return os.geteuid() == 0


@pytest.fixture(scope="session")
def installed_linkdoctor():
    """The python of a new virtual environment where linkdoctor is installed as the Dockerfile does it."""
    folder = installed.open_folder("linkdoctor-installed-")
    try:
        yield installed.install(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
