"""Plex Media Server: its identity, its library sections with their folders, and a refresh of one folder."""

from dataclasses import dataclass

from linkdoctor.clients.media_http import MediaAnswerError, MediaServerClient


@dataclass(frozen=True)
class Library:
    """One library (Plex section, Jellyfin virtual folder): its id and its folders as the server names them."""

    id: str
    title: str
    locations: tuple[str, ...]


class PlexClient(MediaServerClient):
    product = "Plex"

    def auth_headers(self, token: str) -> dict:
        return {"X-Plex-Token": token}

    def version(self) -> str:
        """GET /identity: the server's version; another program answering is said as such."""
        container = _container(self.call("GET", "/identity"), self._where())
        if "machineIdentifier" not in container:
            raise MediaAnswerError(f"{self._where()}: this is not a Plex Media Server (its /identity says no "
                                   "machineIdentifier)")
        return str(container.get("version") or "")

    def libraries(self) -> list[Library]:
        """GET /library/sections: each section's key and its folders (Location[].path)."""
        container = _container(self.call("GET", "/library/sections"), self._where())
        return [Library(str(d.get("key", "")), str(d.get("title", "")),
                        tuple(str(loc["path"]) for loc in d.get("Location") or [] if loc.get("path")))
                for d in container.get("Directory") or [] if isinstance(d, dict)]

    def refresh_folder(self, section_id: str, folder: str) -> None:
        """GET /library/sections/{id}/refresh?path=<folder>: Plex scans that folder only (answers at once)."""
        self.call("GET", f"/library/sections/{section_id}/refresh", params={"path": folder}, decode=False)


def _container(data, where: str) -> dict:
    if not isinstance(data, dict) or not isinstance(data.get("MediaContainer"), dict):
        raise MediaAnswerError(f"{where}: the answer has no MediaContainer: another program answers there, not Plex")
    return data["MediaContainer"]
