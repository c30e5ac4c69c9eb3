"""What a user deploys, for tests: the real `linkdoctor serve` (waitress) in a child process, and Debian's
nginx in front of it as a reverse proxy on loopback ports (HTTP and HTTPS with a throw-away certificate).

nginx is told who the client is by the test (header X-Test-Client-Address, read with nginx's own realip
module, as when nginx sits behind a load balancer), so one machine can stand for visitors from the
internet: nginx then adds that address to X-Forwarded-For exactly as it does for a real visitor.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

CLIENT_HEADER = "X-Test-Client-Address"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, timeout: float, what: str, process: subprocess.Popen | None = None):
    """Poll `condition` until it returns something truthy; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            answer = condition()
            if answer:
                return answer
        except (requests.ConnectionError, ConnectionError, OSError):
            pass
        if process is not None and process.poll() is not None:
            raise AssertionError(f"{what}: the process ended with {process.returncode}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout}s")
        time.sleep(0.05)


@dataclass
class Served:
    url: str
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _start_serve(folder: Path, host: str, extra_env: dict | None) -> "Served":
    """`linkdoctor serve` on a free port, once it says it listens there. The port is free when chosen, but another
    test process may take it before serve binds it (the /ping of that one's server would then answer for
    ours): serve then says it cannot listen and ends, and another port is tried."""
    for _ in range(5):
        port = free_port()
        log = folder / f"serve-{port}.log"
        with open(log, "wb") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "linkdoctor", "serve", "--host", host, "--port", str(port)],
                env={**os.environ, **(extra_env or {})}, stdin=subprocess.DEVNULL, stdout=output,
                stderr=subprocess.STDOUT)
        served = Served(f"http://127.0.0.1:{port}", process, log)
        listening = f"linkdoctor: serving http://{host}:{port}/"
        wait_until(lambda: process.poll() is not None or listening in served.output(), 60, "serve starting")
        if listening in served.output():
            return served
        process.wait(5)
        if "cannot listen" not in served.output():
            raise AssertionError(f"serve ended at start:\n{served.output()[-3000:]}")
    raise AssertionError("serve found no free port in 5 tries")


@contextmanager
def linkdoctor_serve(folder: Path, host: str = "127.0.0.1", extra_env: dict | None = None):
    """`linkdoctor serve` on a free port with this process's environment (plus extra_env); yields Served."""
    served = _start_serve(folder, host, extra_env)
    process = served.process
    try:
        wait_until(lambda: requests.get(f"{served.url}/ping", timeout=2).ok, 30, "serve answering /ping", process)
        yield served
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@dataclass
class Proxy:
    http: str
    https: str

    def get(self, path: str, client: str | None = None, https: bool = False, **kwargs):
        return requests.get(self._url(path, https), headers=self._headers(client, kwargs), verify=False,
                            timeout=10, **kwargs)

    def post(self, path: str, client: str | None = None, https: bool = False, **kwargs):
        return requests.post(self._url(path, https), headers=self._headers(client, kwargs), verify=False,
                             timeout=10, **kwargs)

    def _url(self, path: str, https: bool) -> str:
        return (self.https if https else self.http) + path

    @staticmethod
    def _headers(client: str | None, kwargs: dict) -> dict:
        headers = dict(kwargs.pop("headers", None) or {})
        if client:
            headers[CLIENT_HEADER] = client
        return headers


NGINX_CONF = """
worker_processes 1;
{user}
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    server {{
        listen 127.0.0.1:{http_port};
        listen 127.0.0.1:{https_port} ssl;
        ssl_certificate {folder}/cert.pem;
        ssl_certificate_key {folder}/key.pem;
        set_real_ip_from 127.0.0.0/8;
        real_ip_header {client_header};
        location / {{
            # The usual reverse-proxy block of a self-hoster's nginx (as the *arr wikis give it).
            proxy_pass http://127.0.0.1:{upstream_port};
            proxy_set_header Host $host;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Host $host;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


def nginx_available() -> bool:
    return os.access(NGINX, os.X_OK) and shutil.which("openssl") is not None


@contextmanager
def nginx_proxy(folder: Path, upstream_url: str):
    """Debian's nginx proxying to `upstream_url`, over HTTP and HTTPS; yields Proxy."""
    if not nginx_available():
        pytest.fail(f"nginx and openssl are needed ({NGINX}); ./dev.sh test installs them")
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
                   check=True, capture_output=True, timeout=60)
    http_port, https_port = free_port(), free_port()
    conf = folder / "nginx.conf"
    conf.write_text(NGINX_CONF.format(
        folder=folder, http_port=http_port, https_port=https_port, client_header=CLIENT_HEADER,
        upstream_port=upstream_url.rsplit(":", 1)[1], user="user root;" if os.geteuid() == 0 else ""))
    process = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log"),
                                "-g", "daemon off;"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    proxy = Proxy(f"http://127.0.0.1:{http_port}", f"https://127.0.0.1:{https_port}")
    try:
        wait_until(lambda: requests.get(proxy.http + "/ping", timeout=2).ok, 20, "nginx answering", process)
        yield proxy
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
