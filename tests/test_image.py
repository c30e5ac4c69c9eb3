"""The Docker image built and run for real with podman (tests/support/image.py says how, without a registry)."""

import json
import os
import re
import shutil
import time
import uuid
from pathlib import Path

import pytest
import requests

from tests.support import image
from tests.support.installed import open_folder
from tests.support.served import free_port, wait_until

pytestmark = pytest.mark.skipif(shutil.which("podman") is None,
                                reason="podman is not installed (./dev.sh test installs podman, buildah, debootstrap)")

PUID, PGID = 1500, 1600
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def built():
    """The image, built once for this module; what it cost (printed with -s)."""
    cost = image.build_image()
    print(f"\nimage: {cost}")
    return cost


@pytest.fixture
def folders():
    """A data folder and a library on the host, the library the user's own (PUID:PGID)."""
    folder = open_folder("linkdoctor-image-")
    (folder / "config").mkdir()
    (folder / "medias").mkdir()
    os.chown(folder / "medias", PUID, PGID)
    yield folder
    # What the container made belongs to PUID; root removes it.
    shutil.rmtree(folder)


@pytest.fixture
def container_name():
    name = f"linkdoctor-test-{uuid.uuid4().hex[:8]}"
    yield name
    image.remove(name)


def test_the_label_has_the_package_version_and_the_healthcheck_needs_no_curl(built):
    from linkdoctor import __version__

    inspected = json.loads(image.podman("image", "inspect", image.IMAGE).stdout)[0]
    labels = inspected.get("Labels") or inspected["Config"]["Labels"]
    assert labels["org.opencontainers.image.version"] == __version__
    check = (inspected.get("Healthcheck") or inspected["Config"]["Healthcheck"])["Test"]
    assert check[0] == "CMD" and check[1].endswith("/python") and "/api/symlink/health" in check[-1]
    assert not any("curl" in part for part in check)


def test_the_container_runs_as_puid_shows_the_setup_link_serves_the_page_and_stops_within_10s(
        built, folders, container_name):
    from linkdoctor import __version__

    volumes = {folders / "config": "/config", folders / "medias": "/app/medias"}
    ids = {"PUID": PUID, "PGID": PGID}
    # A one-off command goes through the entrypoint too: the demo links it writes are the user's.
    demo = image.run(f"{container_name}-demo", "linkdoctor", "demo", env=ids, volumes=volumes, detach=False)
    assert demo.returncode == 0, demo.stderr
    links = [path for path in (folders / "medias").rglob("*") if path.is_symlink()]
    assert links and {(p.lstat().st_uid, p.lstat().st_gid) for p in links} == {(PUID, PGID)}

    port = free_port()
    started = image.run(container_name, env={**ids, "LINKDOCTOR_PORT": port}, volumes=volumes)
    assert started.returncode == 0, started.stderr
    url = f"http://127.0.0.1:{port}"

    def answers():
        try:
            return requests.get(f"{url}/ping", timeout=2).status_code == 200
        except requests.ConnectionError:
            return False

    try:
        wait_until(answers, 60, "the container answering /ping")
    except AssertionError as exc:
        raise AssertionError(f"{exc}: {image.logs(container_name)}") from None
    assert image.podman("healthcheck", "run", container_name, check=False).returncode == 0
    # First run on 0.0.0.0: login required, and one setup link in the log.
    assert requests.get(f"{url}/", timeout=10, allow_redirects=False).status_code == 302
    found = re.findall(r"http://localhost:(\d+)/setup\?token=([\w-]+)", image.logs(container_name))
    assert len(found) == 1 and found[0][0] == str(port)
    browser = requests.Session()
    assert browser.get(f"{url}/setup?token={found[0][1]}", timeout=10).status_code == 200
    answer = browser.post(f"{url}/api/symlink/auth/setup", json={"token": found[0][1], "password": PASSWORD},
                          timeout=30)
    assert answer.status_code == 200, answer.text
    page = browser.get(f"{url}/", timeout=10)
    assert page.status_code == 200 and f'<span id="app-version">{__version__}</span>' in page.text
    assert browser.get(f"{url}/api/symlink/system", timeout=10).json()["version"] == __version__
    # Everything in the data folder is the user's, never root's.
    owners = {(p.lstat().st_uid, p.lstat().st_gid) for p in [folders / "config", *(folders / "config").rglob("*")]}
    assert owners == {(PUID, PGID)}

    stopping = time.monotonic()
    image.podman("stop", "-t", "10", container_name, timeout=30)
    assert time.monotonic() - stopping < 10
    state = json.loads(image.podman("inspect", container_name).stdout)[0]["State"]
    assert state["ExitCode"] == 0 and "linkdoctor: stopped" in image.logs(container_name)


def test_a_puid_that_is_not_a_number_stops_the_container_with_one_line(built, folders, container_name):
    done = image.run(container_name, env={"PUID": "abc"}, volumes={folders / "config": "/config"}, detach=False)
    assert done.returncode == 2
    assert "PUID must be a number" in done.stderr and "Traceback" not in done.stderr


def test_a_data_folder_the_user_cannot_write_stops_the_container_with_exit_2(built, folders, container_name):
    done = image.run(container_name, env={"PUID": PUID, "PGID": PGID}, volumes={folders / "config": "/config:ro"},
                     detach=False)
    assert done.returncode == 2
    assert f"the data folder /config cannot be written by user {PUID}:{PGID}" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_volume_at_the_previous_images_data_folder_is_still_used(built, folders, container_name):
    old = Path(folders / "old-data")
    old.mkdir()
    # What the previous image left: a database in the volume at /app/data.
    first = image.run(f"{container_name}-old", "linkdoctor", "config", "show", env={"LINKDOCTOR_DATA_DIR": "/app/data"},
                      volumes={old: "/app/data"}, detach=False)
    assert first.returncode == 0 and (old / "linkdoctor.db").exists(), first.stderr
    done = image.run(container_name, "linkdoctor", "config", "show", volumes={old: "/app/data"}, detach=False)
    assert done.returncode == 0, done.stderr
    assert "using the data folder of the previous image, /app/data" in done.stderr
