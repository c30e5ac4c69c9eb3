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
SHIPPED = ("requirements.txt", "pyproject.toml", "README.md", "src")  # what the Dockerfile COPYs
NOT_SHIPPED = shutil.ignore_patterns("*.egg-info", "__pycache__")  # (.dockerignore leaves them out too)


def install(folder: Path) -> str:
    """The Dockerfile's steps: a new virtual environment, the pinned requirements, then the package
    from a copy of what the Dockerfile COPYs, not editable; returns its python."""
    def run(*command):
        done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, f"{command}: {done.stdout[-3000:]}{done.stderr[-3000:]}"

    source, venv = folder / "source", folder / "venv"
    source.mkdir()
    for name in SHIPPED:
        copy = shutil.copytree if (REPO / name).is_dir() else shutil.copy2
        copy(REPO / name, source / name, **({"ignore": NOT_SHIPPED} if (REPO / name).is_dir() else {}))
    base = SYSTEM_PYTHON if os.access(SYSTEM_PYTHON, os.X_OK) else sys.executable
    run(base, "-m", "venv", str(venv))
    python = str(venv / "bin" / "python")
    run(python, "-m", "pip", "install", "-q", "-r", str(source / "requirements.txt"))
    run(python, "-m", "pip", "install", "-q", str(source))
    return python


def open_folder(prefix: str) -> Path:
    """A new folder under /tmp that every user can enter (pytest's tmp_path is root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    folder.chmod(0o755)
    return folder
