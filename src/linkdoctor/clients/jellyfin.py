"""Jellyfin and Emby (one API for what linkdoctor needs): version, libraries' folders, and Media/Updated."""

from linkdoctor.clients.media_http import MediaAnswerError, MediaServerClient
from linkdoctor.clients.plex import Library


class JellyfinClient(MediaServerClient):
    """Jellyfin 12 refuses the legacy X-Emby-Token header by default: it gets the Authorization header."""

    product = "Jellyfin"

    def auth_headers(self, token: str) -> dict:
        return {"Authorization": f'MediaBrowser Token="{token}"'}

    def version(self) -> str:
        """GET /System/Info (needs the key): the version; a server of another product is said as such."""
        info = self.call("GET", "/System/Info")
        if not isinstance(info, dict) or "Version" not in info:
            raise MediaAnswerError(f"{self._where()}: this is not a {self.product} server "
                                   "(its /System/Info has no Version)")
        product = str(info.get("ProductName") or "")
        if product and self.product.lower() not in product.lower():
            raise MediaAnswerError(f"{self._where()}: this is not a {self.product} server ({product} answers there)")
        return str(info["Version"] or "")

    def libraries(self) -> list[Library]:
        """GET /Library/VirtualFolders: each library's name and Locations."""
        folders = self.call("GET", "/Library/VirtualFolders")
        if not isinstance(folders, list):
            raise MediaAnswerError(f"{self._where()}: /Library/VirtualFolders is not a list: "
                                   f"another program answers there, not {self.product}")
        return [Library(str(f.get("ItemId") or f.get("Name") or ""), str(f.get("Name") or ""),
                        tuple(str(p) for p in f.get("Locations") or []))
                for f in folders if isinstance(f, dict)]

    def media_updated(self, folders: list[str]) -> None:
        """POST /Library/Media/Updated with every folder: the server refreshes them after its own delay."""
        body = {"Updates": [{"Path": folder, "UpdateType": "Modified"} for folder in folders]}
        self.call("POST", "/Library/Media/Updated", body=body, decode=False)


class EmbyClient(JellyfinClient):
    product = "Emby"

    def auth_headers(self, token: str) -> dict:
        return {"X-Emby-Token": token}


def client_for_server(server, timeout: float):
    """The client of one configured media server."""
    from linkdoctor.clients.plex import PlexClient

    return {"plex": PlexClient, "jellyfin": JellyfinClient, "emby": EmbyClient}[server.kind](server, timeout)
