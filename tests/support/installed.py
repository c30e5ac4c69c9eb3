"""The package installed the Dockerfile's way into a new virtual environment any user can run."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# Debian's Python, as in the image, when there is one: the test's own interpreter may sit in a
# folder only root can enter (pyenv under /root), and the entrypoint's tests run it as PUID.
SYSTEM_PYTHON = "/usr/bin/python3"
NOT_SHIPPED = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "test-output",
                                     "data", "medias", "tests", "bench")


def install(folder: Path) -> str:
    """Build the wheels (pinned requirements + the package, from a copy of the repository as the
    Dockerfile's COPY makes), install linkdoctor from them alone, not editable; returns its python."""
    def run(*command):
        done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, f"{command}: {done.stdout[-3000:]}{done.stderr[-3000:]}"

    source, wheels, venv = folder / "source", folder / "wheels", folder / "venv"
    shutil.copytree(REPO, source, ignore=NOT_SHIPPED)
    base = SYSTEM_PYTHON if os.access(SYSTEM_PYTHON, os.X_OK) else sys.executable
    run(base, "-m", "venv", str(venv))
    python = str(venv / "bin" / "python")
    run(python, "-m", "pip", "wheel", "-q", "-w", str(wheels), "-r", str(source / "requirements.txt"), str(source))
    run(python, "-m", "pip", "install", "-q", "--no-index", "--find-links", str(wheels), "linkdoctor")
    return python


def open_folder(prefix: str) -> Path:
    """A new folder under /tmp that every user can enter (pytest's tmp_path is root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    folder.chmod(0o755)
    return folder
