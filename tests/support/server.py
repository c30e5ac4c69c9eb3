"""A real `linkdoctor serve` (waitress) in a child process: a free port, its stderr kept, waiting on /ping."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`linkdoctor serve` started by `python` (any interpreter with linkdoctor installed) from `cwd`."""

    def __init__(self, data_dir: Path, media_root: Path, log: Path, host: str = "127.0.0.1",
                 python: str = sys.executable, cwd: Path | None = None, extra_env: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir, self.log = Path(data_dir), Path(log)
        env = {**os.environ, "LINKDOCTOR_DATA_DIR": str(data_dir), "LINKDOCTOR_MEDIA_PATH": str(media_root),
               **(extra_env or {})}
        # stderr goes to a file: a pipe nobody reads would block the server once it filled up.
        self._stderr = open(self.log, "wb")
        self.proc = subprocess.Popen([python, "-m", "linkdoctor", "serve", "--host", host, "--port", str(self.port)],
                                     env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=self._stderr,
                                     start_new_session=True)

    def wait_ready(self, timeout: float = 60.0) -> "Server":
        """Poll /ping until it answers; fail with the server's stderr if it ends or never answers."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"serve ended with {self.proc.returncode}: {self.stderr()}")
            try:
                if requests.get(f"{self.url}/ping", timeout=2).status_code == 200:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"serve did not answer /ping within {timeout}s: {self.stderr()}")

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")

    def setup_link(self) -> str | None:
        """The one-time /setup?token=... link `serve` printed, if any."""
        found = re.findall(r"https?://\S+/setup\?token=[\w-]+", self.stderr())
        return found[-1] if found else None

    def children(self) -> list[int]:
        """Process ids of the server's direct children (its scan workers), from /proc."""
        found = []
        for task in Path(f"/proc/{self.proc.pid}/task").glob("*"):
            try:
                found += [int(pid) for pid in (task / "children").read_text().split()]
            except OSError:
                pass
        return found

    def stop(self, timeout: float = 10.0) -> float:
        """SIGTERM, as `docker stop` sends; returns the seconds until the process ended."""
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout)
        return time.monotonic() - started

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        self._stderr.close()

    def __enter__(self) -> "Server":
        return self.wait_ready()

    def __exit__(self, *exc) -> None:
        self.close()
