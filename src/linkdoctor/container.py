"""The image's entrypoint: as root, become PUID:PGID with UMASK (as linuxserver images do), then run the command.

`python -m linkdoctor.container linkdoctor serve`. Links that repair creates and restore puts back
then belong to the same user as the rest of the library (Sonarr running as 1000 can rename or
delete them), never to root. Only the data folder is chowned, never the library.
Started as another user already (`--user`), it only applies UMASK and checks the data folder.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DATA_DIR = Path("/config")  # the *arr convention
PREVIOUS_DATA_DIR = Path("/app/data")  # where images before 0.9.0 kept it
DOCKER_SOCKET = Path("/var/run/docker.sock")
USER_NAME = "linkdoctor"  # made by the Dockerfile with 1000:1000; moved to PUID:PGID here
EXIT_BAD_SETTING, EXIT_CANNOT_RUN = 2, 2


class ContainerError(Exception):
    """A plain message for the container's log; the container exits with `exit_code`."""

    def __init__(self, message: str, exit_code: int = EXIT_CANNOT_RUN):
        super().__init__(message)
        self.message, self.exit_code = message, exit_code


def number(name: str, default: str, base: int = 10, low: int = 0, high: int = 2**31 - 2) -> int:
    """An environment variable that must be a whole number (PUID, PGID; UMASK in octal)."""
    text = os.environ.get(name, "").strip() or default
    try:
        value = int(text, base)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        kind = "an octal mask such as 022" if base == 8 else "a number such as 1000"
        raise ContainerError(f"{name} must be {kind}, not {text!r}", EXIT_BAD_SETTING)
    return value


def data_folder(environ=os.environ) -> tuple[Path, str | None]:
    """The data folder, and a note when the previous image's folder is used.

    LINKDOCTOR_DATA_DIR (the image sets /config) wins, except that a volume still mounted at
    /app/data with a database in it, while /config has none, is used as it is (an upgrade from an
    image before 0.9.0).
    """
    folder = Path(environ.get("LINKDOCTOR_DATA_DIR") or DATA_DIR)
    if folder != DATA_DIR:
        return folder, None
    if (PREVIOUS_DATA_DIR / "linkdoctor.db").exists() and not (DATA_DIR / "linkdoctor.db").exists():
        return PREVIOUS_DATA_DIR, (f"using the data folder of the previous image, {PREVIOUS_DATA_DIR}; mount the "
                                   f"volume at {DATA_DIR} instead (see the README, Docker)")
    return DATA_DIR, None


def adjust_user(uid: int, gid: int) -> None:
    """Give the image's user and group the ids asked for (when the image made them)."""
    if shutil.which("usermod") is None or subprocess.run(["id", "-u", USER_NAME], capture_output=True).returncode:
        return
    for command in (["groupmod", "-o", "-g", str(gid), USER_NAME], ["usermod", "-o", "-u", str(uid), USER_NAME]):
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode:
            raise ContainerError(f"could not give the user {USER_NAME} the ids {uid}:{gid}: {done.stderr.strip()}")


def own(folder: Path, uid: int, gid: int) -> None:
    """chown the data folder and what it holds (links not followed) where it is not theirs yet."""
    for path in [folder, *folder.rglob("*")]:
        try:
            info = path.lstat()
            if (info.st_uid, info.st_gid) != (uid, gid):
                os.chown(path, uid, gid, follow_symlinks=False)
        except OSError as exc:  # a read-only or squashed mount: the write check below says it plainly
            print(f"linkdoctor: could not give {path} to {uid}:{gid}: {exc.strerror}", file=sys.stderr)
            return


def become(uid: int, gid: int) -> None:
    """Drop root for good: the group, then the user; the only supplementary group is the Docker
    socket's, when one is mounted (for the optional detection of Sonarr/Radarr containers)."""
    try:
        os.setgroups([DOCKER_SOCKET.stat().st_gid])
    except FileNotFoundError:
        os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)


def check_writable(folder: Path, uid: int, gid: int) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-check-"):
            pass
    except OSError as exc:
        raise ContainerError(f"the data folder {folder} cannot be written by user {uid}:{gid} (PUID/PGID): "
                             f"{exc.strerror}; give it to that user on the host, or set PUID/PGID to its owner")


def prepare(environ=os.environ) -> Path:
    """Everything before the command runs; returns the data folder (LINKDOCTOR_DATA_DIR is set to it)."""
    uid, gid = number("PUID", "1000"), number("PGID", "1000")
    mask = number("UMASK", "022", base=8, high=0o777)
    folder, note = data_folder(environ)
    if note:
        print(f"linkdoctor: {note}", file=sys.stderr)
    if os.geteuid() == 0:
        adjust_user(uid, gid)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass  # the write check says it plainly
        own(folder, uid, gid)
        become(uid, gid)
        environ["HOME"] = str(folder)
    else:
        uid, gid = os.getuid(), os.getgid()
    os.umask(mask)
    check_writable(folder, uid, gid)
    environ["LINKDOCTOR_DATA_DIR"] = str(folder)
    return folder


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m linkdoctor.container COMMAND [ARGS...]", file=sys.stderr)
        return EXIT_BAD_SETTING
    try:
        prepare()
    except ContainerError as exc:
        print(f"linkdoctor: {exc.message}", file=sys.stderr)
        return exc.exit_code
    try:
        os.execvp(argv[0], argv)
    except OSError as exc:
        print(f"linkdoctor: cannot run {argv[0]}: {exc.strerror}", file=sys.stderr)
        return EXIT_CANNOT_RUN


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
