"""Connection tests of the configured media servers: each one's version, or what is wrong with it."""

from linkdoctor.clients.identify import is_product, who_answers
from linkdoctor.clients.jellyfin import client_for_server
from linkdoctor.clients.media_http import MediaAnswerError, MediaServerError
from linkdoctor.config import mask, refuse_masked
from linkdoctor.connection_lists import keep_masked_secrets
from linkdoctor.media_servers import MediaServer, enabled_servers, parse_server


def test_server(server, timeout: float) -> dict:
    """{kind, name, ok, version, message} of one server: its version and its libraries, or why not."""
    entry = {"kind": server.kind, "name": server.name, "ok": False, "version": "", "message": ""}
    try:
        with client_for_server(server, timeout) as client:
            entry["version"] = client.version()
            libraries = client.libraries()  # needs the token: a wrong one is said here
    except MediaAnswerError as exc:
        # A refused token or a 404 from Jellyfin in the Plex slot: ask, without the token, who answers.
        other = who_answers(server.url, timeout)
        product = {"plex": "Plex", "jellyfin": "Jellyfin", "emby": "Emby"}[server.kind]
        entry["message"] = (f"{server.label} at {server.url}: this is {other}, not {product}: put {product}'s "
                            f"address here" if other and not is_product(other, product) else exc.message)
        return entry
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


def test_form_server(item, config) -> dict:
    """{"servers": [verdict]} of one server as the settings form holds it, unsaved; a masked token sent back is
    the saved token of the server of that kind and name."""
    parsed = parse_server({"enabled": True, **item} if isinstance(item, dict) else item, 0, where="server")
    [parsed] = keep_masked_secrets([parsed], config.media_servers, mask, "token")
    refuse_masked(parsed["token"], f"the token of {parsed['kind']} {parsed['name']!r}")
    return {"servers": [test_server(MediaServer(**parsed), config.arr_request_timeout)]}

