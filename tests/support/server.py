"""A real `linkdoctor serve` (waitress) run as an installed package or a container runs it: any python,
any folder, its own process group; its stderr kept, its children listed, stopped with SIGTERM.

(tests/support/served.py's linkdoctor_serve is the same server for the reverse-proxy tests.)
"""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.support.served import free_port, wait_until


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
        """Wait until /ping answers; fail with the server's stderr if it ends or never answers."""
        try:
            wait_until(lambda: requests.get(f"{self.url}/ping", timeout=2).ok, timeout, "serve answering /ping",
                       self.proc)
        except AssertionError as exc:
            raise AssertionError(f"{exc}: {self.stderr()}") from None
        return self

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
