"""What linkdoctor does with each Sonarr/Radarr webhook (the route only authenticates and answers)."""

import logging

from linkdoctor.config import get_config
from linkdoctor.health import watched_sources
from linkdoctor.models import ImportedRelease, MarkedLink, db
from linkdoctor.webhooks.check import start_import_check
from linkdoctor.webhooks.links import links_to_file, map_path, mappings_for
from linkdoctor.webhooks.payload import MARKING_EVENTS, parse_webhook

log = logging.getLogger(__name__)


def handle_webhook(runner, app: str, body) -> tuple[int, dict]:
    """(HTTP status, answer) for one webhook body: Test 200, Download 202 with the check's job or 200."""
    event = parse_webhook(app, body)
    if event.event_type == "Test":
        return 200, {"message": f"linkdoctor received the {app} test"}
    if event.event_type == "Download":
        return _download(runner, event)
    if event.event_type in MARKING_EVENTS:
        return 200, _mark(event)
    log.info("%s webhook %s: nothing to do", app, event.event_type)
    return 200, {"message": f"nothing to do for {event.event_type}"}


def _local_files(event, config) -> tuple[list[tuple[dict, str]], str | None]:
    """[(file, its path here)] of the files that map into the library; the item's folder here."""
    mappings = mappings_for(config, event.app, event.instance_name)
    known = known_roots(config)
    files = []
    for file in event.files:
        local = map_path(file["path"], mappings, known)
        if local is None:
            log.info("%s webhook %s: %s is outside every path mapping; nothing to do",
                     event.app, event.event_type, file["path"])
        else:
            files.append((file, local))
    folder = map_path(event.item_folder, mappings, known) if event.item_folder else None
    return files, folder


def known_roots(config) -> list[str]:
    """Folders linkdoctor knows: the media root and the sources (configured, or seen by the newest scan)."""
    return [config.media_path] + [s for s in watched_sources(config) if s and s != "/"]


def _download(runner, event) -> tuple[int, dict]:
    """Remember the release of each imported file; check the links that are it or point at it."""
    config = get_config()
    files, folder = _local_files(event, config)
    if not files:
        return 200, {"message": "nothing to do: the imported file is outside every path mapping"}
    links = []
    for file, local in files:
        db.session.add(ImportedRelease(kind=event.app, instance=event.instance_name[:64], remote_path=file["path"],
                                       local_path=local, download_id=event.download_id[:255],
                                       source_title=file["scene_name"][:1000], item_id=event.item_id,
                                       episode_ids=event.episode_ids))
        links += links_to_file(local, folder, config.media_path, config.file_timeout)
    db.session.commit()
    links = sorted(set(links))
    if not links:
        log.info("%s webhook Download: no library link points at %s", event.app, [f["path"] for f in event.files])
        return 200, {"message": "no library link points at the imported file: nothing to check"}
    job_id = start_import_check(runner, links, {"app": event.app, "item": event.item_title,
                                                "download_id": event.download_id, "upgrade": event.is_upgrade})
    return 202, {"job_id": job_id, "links": links}


def _mark(event) -> dict:
    """Rename / file delete: the affected links are marked for the next scan."""
    config = get_config()
    files, folder = _local_files(event, config)
    mappings = mappings_for(config, event.app, event.instance_name)
    previous = [p for p in (map_path(path, mappings, known_roots(config)) for path in event.previous_paths) if p]
    marked = set(previous)
    for _file, local in files:
        marked.update(links_to_file(local, folder, config.media_path, config.file_timeout) or [local])
    for path in sorted(marked):
        db.session.add(MarkedLink(path=path, reason=f"{event.app} {event.event_type}"))
    db.session.commit()
    if not marked:
        return {"message": "nothing to do: the file is outside every path mapping"}
    return {"message": f"{len(marked)} link(s) marked for the next scan", "marked": sorted(marked)}


def webhook_urls(public_url: str, api_key: str) -> dict:
    """What to paste into Sonarr/Radarr (Settings > Connect > Webhook): one URL per app, the API key in it."""
    base = (public_url or "http://linkdoctor:8080").rstrip("/")
    return {app: f"{base}/api/symlink/webhook/{app}?apikey={api_key}" for app in ("sonarr", "radarr")}
