"""The image's entrypoint (linkdoctor/container.py) run for real as root: PUID/PGID/UMASK, the data folder."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from linkdoctor import container
from tests.support import installed

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="the entrypoint changes user: it needs root, as in the image"),
    # One worker installs the package once for this module and tests/test_packaging.py.
    pytest.mark.xdist_group("installed"),
]

PUID, PGID = 1234, 2345


@pytest.fixture
def entrypoint(installed_linkdoctor, open_folder):
    """Run `python -m linkdoctor.container COMMAND...` as the image does (the package installed the
    Dockerfile's way), with env added (PUID, PGID, UMASK, LINKDOCTOR_*); `python` in COMMAND is that python."""
    bin_dir = str(Path(installed_linkdoctor).parent)

    def run(*command, **env):
        command = [installed_linkdoctor if part == "python" else part for part in command]
        return subprocess.run([installed_linkdoctor, "-m", "linkdoctor.container", *command], capture_output=True,
                              text=True, timeout=120, cwd=open_folder,
                              env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}",
                                   **{k: str(v) for k, v in env.items()}})

    return run


@pytest.fixture
def open_folder():
    """A folder any user can reach (pytest's tmp_path sits under a folder only root can enter)."""
    folder = installed.open_folder("linkdoctor-container-")
    yield folder
    shutil.rmtree(folder)


@pytest.mark.parametrize("variable, value", [("PUID", "abc"), ("PGID", "10OO"), ("PUID", "-1"), ("UMASK", "999"),
                                             ("UMASK", "u=rwx")])
def test_a_setting_that_is_not_a_number_is_one_plain_line_and_exit_2(entrypoint, open_folder, variable, value):
    done = entrypoint("true", **{variable: value, "LINKDOCTOR_DATA_DIR": open_folder / "data"})
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [done.stderr.strip()] and variable in done.stderr
    assert repr(value) in done.stderr and "Traceback" not in done.stderr
    assert not (open_folder / "data").exists()


def test_the_command_runs_as_puid_pgid_with_umask_and_what_it_creates_is_theirs(entrypoint, open_folder):
    media = open_folder / "medias"
    media.mkdir()
    os.chown(media, PUID, PGID)  # the library belongs to the user, as on a real host
    data = open_folder / "data"
    done = entrypoint("python", "-c", "import os; print(os.getuid(), os.getgid(), os.getgroups(), "
                      "os.environ['LINKDOCTOR_DATA_DIR'], os.environ['HOME'])",
                      PUID=PUID, PGID=PGID, UMASK="027", LINKDOCTOR_DATA_DIR=data)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(PUID), str(PGID), "[]", str(data), str(data)]
    made = entrypoint("linkdoctor", "demo", PUID=PUID, PGID=PGID, UMASK="027", LINKDOCTOR_DATA_DIR=data,
                      LINKDOCTOR_MEDIA_PATH=media)
    assert made.returncode == 0, made.stderr
    links = [path for path in media.rglob("*") if path.is_symlink()]
    assert links and {(p.lstat().st_uid, p.lstat().st_gid) for p in links} == {(PUID, PGID)}
    folders = [path for path in media.rglob("*") if path.is_dir() and not path.is_symlink()]
    assert {p.stat().st_mode & 0o777 for p in folders} == {0o750}  # UMASK 027
    assert (data / "linkdoctor.db").stat().st_uid == PUID and data.stat().st_uid == PUID


def test_the_data_folder_is_chowned_but_never_the_library(entrypoint, open_folder):
    data, media = open_folder / "data", open_folder / "medias"
    (data / "trash").mkdir(parents=True)
    media.mkdir()
    (data / "trash" / "old-link").symlink_to(media)  # a quarantined link: chowned itself, never followed
    done = entrypoint("true", PUID=PUID, PGID=PGID, LINKDOCTOR_DATA_DIR=data)
    assert done.returncode == 0, done.stderr
    assert {(p.lstat().st_uid, p.lstat().st_gid) for p in [data, data / "trash", data / "trash" / "old-link"]} \
        == {(PUID, PGID)}
    assert media.stat().st_uid == 0


def test_a_data_folder_the_user_cannot_write_is_one_line_naming_folder_and_user_exit_2(entrypoint, tmp_path):
    # tmp_path's parents are root's alone (0700): the user cannot reach a data folder inside them.
    data = tmp_path / "data"
    done = entrypoint("true", PUID=PUID, PGID=PGID, LINKDOCTOR_DATA_DIR=data)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(data) in lines[0] and f"{PUID}:{PGID}" in lines[0]
    assert "Traceback" not in done.stderr


def test_the_previous_images_data_folder_is_used_until_it_is_moved(tmp_path, monkeypatch):
    config, previous = tmp_path / "config", tmp_path / "app-data"
    monkeypatch.setattr(container, "DATA_DIR", config)
    monkeypatch.setattr(container, "PREVIOUS_DATA_DIR", previous)
    assert container.data_folder({}) == (config, None)
    previous.mkdir()
    (previous / "linkdoctor.db").write_bytes(b"")
    folder, note = container.data_folder({})
    assert folder == previous and str(config) in note
    config.mkdir()
    (config / "linkdoctor.db").write_bytes(b"")
    assert container.data_folder({}) == (config, None)
    assert container.data_folder({"LINKDOCTOR_DATA_DIR": str(config)}) == (config, None)
    (config / "linkdoctor.db").unlink()
    assert container.data_folder({"LINKDOCTOR_DATA_DIR": str(config)})[0] == previous  # the image's own setting
    assert container.data_folder({"LINKDOCTOR_DATA_DIR": "/elsewhere"}) == (Path("/elsewhere"), None)
