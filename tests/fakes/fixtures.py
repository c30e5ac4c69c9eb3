"""Pytest fixtures serving the fake Sonarr, Radarr and Docker Engine; import them into a test module."""

import socket

import pytest

from tests.fakes.arr import FakeArr
from tests.fakes.docker_engine import FakeDockerEngine


@pytest.fixture
def sonarr():
    fake = FakeArr("sonarr").start()
    yield fake
    fake.stop()
    assert fake.violations == [], "requests or answers outside the upstream Sonarr spec"


@pytest.fixture
def radarr():
    fake = FakeArr("radarr").start()
    yield fake
    fake.stop()
    assert fake.violations == [], "requests or answers outside the upstream Radarr spec"


@pytest.fixture
def docker_engine(monkeypatch):
    engine = FakeDockerEngine().start()
    monkeypatch.setenv("DOCKER_HOST", engine.docker_host)
    monkeypatch.delenv("DOCKER_TLS_VERIFY", raising=False)
    monkeypatch.delenv("DOCKER_CERT_PATH", raising=False)
    yield engine
    engine.hang = False
    engine.stop()


def free_port() -> int:
    """A port nothing listens on (taken, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
