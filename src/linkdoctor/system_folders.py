"""Folders of the system that no setting may name as the library, a source of targets or a mapped folder.

A scan of such a folder would propose system links for removal, a repair could re-point links
into it, and a mapping would hand Sonarr/Radarr's paths over to it.
"""

import os

from linkdoctor.errors import MediaRootUnavailableError, ValidationError
from linkdoctor.paths import real_root

# Never used, nor anything inside them.
SYSTEM_FOLDERS = ("/etc", "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/boot", "/proc",
                  "/sys", "/dev", "/root", "/var/lib", "/var/log", "/var/cache", "/var/spool", "/var/backups",
                  "/var/mail")
# Never used themselves: they hold system folders (/var/lib, /run/user...) or every user's home; a
# library inside them (/home/user/media, /srv/media, /run/media/user/disk, /opt/media) is fine.
SYSTEM_PARENTS = ("/var", "/run", "/home", "/opt", "/srv")


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def resolved(path: str, field: str) -> str:
    """`path` with its links resolved, bounded in time: a folder on a dead mount is a field error, not a hung request."""
    try:
        return real_root(path)
    except MediaRootUnavailableError:
        raise ValidationError(f"{field}: {path} did not answer (is its mount down?); try again when it is back",
                              field=field) from None


def system_folder(real: str) -> str | None:
    """The system folder `real` (a resolved absolute path) is, lies in or holds as its parent; None when it is none."""
    if real == "/":
        return "/"
    for folder in SYSTEM_FOLDERS:
        for spelling in {folder, os.path.realpath(folder)}:  # /lib is a link to /usr/lib on merged-/usr systems
            if _inside(real, spelling):
                return folder
    for folder in SYSTEM_PARENTS:
        if real in {folder, os.path.realpath(folder)}:
            return folder
    return None


# linkdoctor's own folders inside the data folder: its quarantine and the database's backups.
DATA_SUBFOLDERS = ("trash", "backups")


def data_folder_clash(real: str, data_dir: str, only_own_folders: bool = False) -> bool:
    """Whether `real` is the data folder, holds it, or lies inside it (with `only_own_folders`: inside
    its quarantine or backups only, so that a folder linkdoctor writes there for the user, such as
    the demo's source, stays usable)."""
    data = os.path.realpath(data_dir)
    if real == data or _inside(data, real):
        return True
    if only_own_folders:
        return any(_inside(real, os.path.join(data, name)) for name in DATA_SUBFOLDERS)
    return _inside(real, data)


def refuse_system_folder(path: str, field: str, what: str, data_dir: str | None = None,
                         only_own_folders: bool = False) -> str:
    """`path` resolved; a ValidationError naming `field` when it is, lies in or holds a system folder or the data folder."""
    real = resolved(path, field)
    folder = system_folder(real)
    if folder is not None:
        shown = path if real == path else f"{path} ({real})"
        raise ValidationError(f"{field} cannot be {shown}: that is a system folder ({folder}), not {what}",
                              field=field)
    if data_dir is not None and data_folder_clash(real, data_dir, only_own_folders):
        raise ValidationError(f"{field} cannot be {path}: it holds or lies in linkdoctor's own data folder "
                              f"{os.path.realpath(data_dir)}", field=field)
    return real
