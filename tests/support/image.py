"""Build and run the Docker image with podman, on a Debian base made here by debootstrap.

No image registry is reachable from the machines the tests run on, so `python:3.11-slim-bookworm`
cannot be pulled. The base is made from Debian's packages instead (the mirror apt already uses):
bookworm minbase with python3, python3-venv and ffmpeg, and this machine's extra certificate
authorities (an HTTPS proxy's), so that pip inside the build reaches PyPI. It is cached as a
tarball under ~/.cache/linkdoctor-test (LINKDOCTOR_TEST_CACHE), then imported into podman once.
The Dockerfile gets it as --build-arg BASE=...; nothing else differs from a build on Docker.
"""

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("LINKDOCTOR_TEST_CACHE", Path.home() / ".cache" / "linkdoctor-test"))
BASE_TARBALL = CACHE / "bookworm-base-v1.tar"
BASE_IMAGE = "localhost/linkdoctor-base:bookworm-v1"
IMAGE = "localhost/linkdoctor:test"
BASE_PACKAGES = "python3,python3-venv,ffmpeg,ca-certificates"
# crun cannot run here (cgroups in hybrid mode; setrlimit refused), runc can; the ulimits are ones
# the sandbox allows to set.
RUN_OPTIONS = ["--network", "host", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096"]


def podman(*args, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=timeout)
    if check and done.returncode != 0:
        raise AssertionError(f"podman {' '.join(args)}: exit {done.returncode}: {done.stderr[-3000:]}")
    return done


def runtime() -> list[str]:
    return ["--runtime", "runc"] if shutil.which("runc") else []


def debian_mirror() -> str:
    """The Debian mirror apt is configured with (deb822 .sources or sources.list)."""
    sources = [*Path("/etc/apt/sources.list.d").glob("*.sources"), Path("/etc/apt/sources.list")]
    for path in sources:
        text = path.read_text() if path.is_file() else ""
        for uri in re.findall(r"(?:^URIs:\s*|^deb\s+(?:\[[^\]]*\]\s+)?)(\S+)", text, re.M):
            if uri.rstrip("/").endswith("/debian"):
                return uri
    return "http://deb.debian.org/debian"


def build_base_tarball() -> float:
    """debootstrap the base into the cache (several minutes the first time); returns the seconds it took."""
    if shutil.which("debootstrap") is None:
        raise AssertionError("debootstrap is missing: ./dev.sh test installs it (apt-get install debootstrap)")
    started = time.monotonic()
    CACHE.mkdir(parents=True, exist_ok=True)
    rootfs = CACHE / "rootfs.partial"
    shutil.rmtree(rootfs, ignore_errors=True)
    done = subprocess.run(["debootstrap", "--variant=minbase", f"--include={BASE_PACKAGES}", "bookworm", str(rootfs),
                           debian_mirror()], capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise AssertionError(f"debootstrap failed: {done.stdout[-3000:]}{done.stderr[-3000:]}")
    extra = list(Path("/usr/local/share/ca-certificates").glob("*.crt"))
    for certificate in extra:
        shutil.copy2(certificate, rootfs / "usr/local/share/ca-certificates" / certificate.name)
    if extra:
        subprocess.run(["chroot", str(rootfs), "update-ca-certificates"], capture_output=True, check=True)
    subprocess.run(["chroot", str(rootfs), "apt-get", "clean"], capture_output=True, check=True)
    partial = BASE_TARBALL.with_suffix(".partial")
    subprocess.run(["tar", "-C", str(rootfs), "-cf", str(partial), "."], check=True)
    partial.rename(BASE_TARBALL)
    shutil.rmtree(rootfs)
    return time.monotonic() - started


def ensure_base() -> dict:
    """The base image in podman, made or imported when missing; what it cost."""
    cost = {"debootstrap_seconds": 0.0, "import_seconds": 0.0}
    if podman("image", "exists", BASE_IMAGE, check=False).returncode == 0:
        return cost
    if not BASE_TARBALL.exists():
        cost["debootstrap_seconds"] = build_base_tarball()
    started = time.monotonic()
    podman("import", str(BASE_TARBALL), BASE_IMAGE, timeout=600)
    cost["import_seconds"] = time.monotonic() - started
    return cost


def package_version() -> str:
    done = subprocess.run([sys.executable, "-c", "import linkdoctor; print(linkdoctor.__version__)"],
                          capture_output=True, text=True, check=True)
    return done.stdout.strip()


def build_image() -> dict:
    """Build the repository's Dockerfile on the base (HEALTHCHECK needs the docker format); what it cost."""
    cost = ensure_base()
    started = time.monotonic()
    podman("build", "--format", "docker", *runtime(), *RUN_OPTIONS, "--build-arg", f"BASE={BASE_IMAGE}",
           "--build-arg", f"VERSION={package_version()}", "-t", IMAGE, str(REPO), timeout=1200)
    cost["build_seconds"] = time.monotonic() - started
    return cost


def run(name: str, *args, env: dict | None = None, volumes: dict | None = None, detach: bool = True,
        timeout: float = 120) -> subprocess.CompletedProcess:
    """`podman run` of the image (args after the image: a command instead of `linkdoctor serve`)."""
    options = [*runtime(), *RUN_OPTIONS, "--name", name]
    for key, value in (env or {}).items():
        options += ["-e", f"{key}={value}"]
    for host, inside in (volumes or {}).items():
        options += ["-v", f"{host}:{inside}"]
    return podman("run", "-d" if detach else "--rm", *options, IMAGE, *args, timeout=timeout, check=False)


def logs(name: str) -> str:
    done = podman("logs", name, check=False)
    return done.stdout + done.stderr


def remove(name: str) -> None:
    podman("rm", "-f", "-t", "0", name, check=False)
