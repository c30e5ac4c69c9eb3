"""Settings read from the environment (prefix LINKDOCTOR_)."""

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PORT = 8642


@dataclass(frozen=True)
class Settings:
    """Process-level settings; per-library settings live in the SymlinkConfig row."""

    data_dir: Path
    media_path: Path
    host: str
    port: int
    media_path_from_env: bool = False
    # Reverse proxies whose X-Forwarded-For/-Host are believed (LINKDOCTOR_TRUSTED_PROXIES).
    trusted_proxies: tuple[str, ...] = ()

    @property
    def database_path(self) -> Path:
        return self.data_dir / "linkdoctor.db"

    @property
    def database_uri(self) -> str:
        return f"sqlite:///{self.database_path}"

    @property
    def quarantine_dir(self) -> Path:
        return self.data_dir / "trash" / "orphans"

    @property
    def log_dir(self) -> Path:
        return self.data_dir


def load_settings(environ=None) -> Settings:
    """Read LINKDOCTOR_DATA_DIR, _MEDIA_PATH, _HOST, _PORT and _TRUSTED_PROXIES (comma-separated addresses)."""
    # An empty variable (`LINKDOCTOR_MEDIA_PATH=${UNSET}` in a compose file) counts as unset,
    # never as the working folder.
    env = {key: value for key, value in (os.environ if environ is None else environ).items() if value != ""}
    port_text = env.get("LINKDOCTOR_PORT", str(DEFAULT_PORT))
    try:
        port = int(port_text)
    except ValueError:
        raise ValueError(f"LINKDOCTOR_PORT must be a number, not {port_text!r}") from None
    if not 1 <= port <= 65535:
        raise ValueError(f"LINKDOCTOR_PORT must be between 1 and 65535, not {port}")
    return Settings(
        data_dir=Path(env.get("LINKDOCTOR_DATA_DIR", "./data")).absolute(),
        media_path=Path(env.get("LINKDOCTOR_MEDIA_PATH", "./medias")).absolute(),
        host=env.get("LINKDOCTOR_HOST", "127.0.0.1"),
        port=port,
        media_path_from_env="LINKDOCTOR_MEDIA_PATH" in env,
        trusted_proxies=_addresses("LINKDOCTOR_TRUSTED_PROXIES", env.get("LINKDOCTOR_TRUSTED_PROXIES", "")),
    )


def _addresses(name: str, text: str) -> tuple[str, ...]:
    import ipaddress

    found = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            found.append(str(ipaddress.ip_address(part)))
        except ValueError:
            raise ValueError(f"{name} must list IP addresses, not {part!r}") from None
    return tuple(found)
