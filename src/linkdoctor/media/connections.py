"""Connection tests of the configured media servers: each one's version, or what is wrong with it."""

from linkdoctor.clients.jellyfin import client_for_server
from linkdoctor.clients.media_http import MediaServerError
from linkdoctor.media_servers import enabled_servers


def test_server(server, timeout: float) -> dict:
    """{kind, name, ok, version, message} of one server: its version and its libraries, or why not."""
    entry = {"kind": server.kind, "name": server.name, "ok": False, "version": "", "message": ""}
    try:
        with client_for_server(server, timeout) as client:
            entry["version"] = client.version()
            libraries = client.libraries()  # needs the token: a wrong one is said here
    except MediaServerError as exc:
        entry["message"] = exc.message
        return entry
    folders = sum(len(library.locations) for library in libraries)
    entry.update(ok=True, message=f"{len(libraries)} librar{'y' if len(libraries) == 1 else 'ies'}, "
                                  f"{folders} folder(s)")
    entry["libraries"] = [{"id": lib.id, "title": lib.title, "locations": list(lib.locations)} for lib in libraries]
    return entry


def run_media_server_tests(config) -> dict:
    """{"servers": [...]} for every enabled server, in the order of the setting."""
    return {"servers": [test_server(server, config.arr_request_timeout) for server in enabled_servers(config)]}
