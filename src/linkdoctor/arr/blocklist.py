"""No bad release twice: before searching again for a corrupted or truncated item, blocklist its release.

The release is the one grabbed for the item: the `downloadId` remembered from the `Download`
webhook of the file, else the newest `grabbed` history record of the episode or the movie. It is
marked failed (`POST history/failed/{id}`), which blocklists it; the search follows as before.
Never for a target that is merely missing (`broken`): that is a dead mount or a removed torrent,
not a bad release. A restore of the link can take the entry off the blocklist again.
"""

from sqlalchemy import select

from linkdoctor.arr.connections import client_for
from linkdoctor.arr_instances import configured_instances
from linkdoctor.clients.history import HistoryRecord, newest_grab
from linkdoctor.clients.records import ArrError
from linkdoctor.config import get_config
from linkdoctor.errors import NotFoundError
from linkdoctor.models import ARR_FOLLOWUP, QUARANTINED, ImportedRelease, Job, QuarantineEntry, db

# corrupted: phase 2 found the file cut or undecodable (a truncated file is found so); small: the target came
# back shorter than any video. Both are the release's fault; a broken link is not.
BLOCKLIST_CATEGORIES = ("corrupted", "small")


def removed_links(paths: list[str]) -> dict[str, QuarantineEntry]:
    """The newest quarantine entry of each of these links still removed."""
    entries = db.session.execute(select(QuarantineEntry).where(
        QuarantineEntry.original_path.in_(paths), QuarantineEntry.state == QUARANTINED)
        .order_by(QuarantineEntry.id)).scalars()
    return {entry.original_path: entry for entry in entries}


def remembered_download_id(entry: QuarantineEntry) -> str:
    """The downloadId a Download webhook gave for this file (the link itself or the file it points at)."""
    candidates = [entry.original_path] + ([entry.target] if entry.target else [])
    row = db.session.execute(select(ImportedRelease).where(ImportedRelease.local_path.in_(candidates),
                                                           ImportedRelease.download_id != "")
                             .order_by(ImportedRelease.id.desc()).limit(1)).scalars().first()
    return row.download_id if row is not None else ""


def find_grab(client, kind: str, item_ids: list[int], download_id: str) -> HistoryRecord | None:
    """The grab of the release: by its downloadId, else the newest grab of the episodes or the movie."""
    if download_id:
        grab = newest_grab(client.history_of_download(download_id))
        if grab is not None:
            return grab
    records = []
    for item_id in item_ids:
        records += client.grabs_of_episode(item_id) if kind == "sonarr" else client.grabs_of_movie(item_id)
    return newest_grab(sorted(records, key=lambda record: record.date, reverse=True))


def blocklist_release(client, kind: str, entry: QuarantineEntry | None, item_ids: list[int]) -> tuple[dict | None, str]:
    """Mark the grabbed release of a removed bad file failed: ({history_id, source_title} or None, what happened)."""
    if entry is None or entry.category not in BLOCKLIST_CATEGORIES:
        return None, ""
    try:
        grab = find_grab(client, kind, item_ids, remembered_download_id(entry))
        if grab is None:
            return None, "no grab in the history: nothing blocklisted"
        client.mark_failed(grab.id)
    except ArrError as exc:
        return None, f"not blocklisted: {exc.message}"
    return {"history_id": grab.id, "source_title": grab.source_title}, \
        f"release {grab.source_title!r} marked failed (blocklisted)"


def blocklisted_for(path: str) -> list[dict]:
    """What follow-ups blocklisted for this link: [{instance, kind, name, item_id, history_id, source_title}]."""
    found = []
    jobs = db.session.execute(select(Job).where(Job.kind == ARR_FOLLOWUP).order_by(Job.id.desc()).limit(200)).scalars()
    for job in jobs:
        for link in (job.result or {}).get("links", []):
            if link.get("path") != path:
                continue
            for match in link.get("matches", []):
                if match.get("blocklisted"):
                    found.append({"instance": match["instance"], "kind": match["kind"], "name": match["name"],
                                  "item_id": match["item_id"], **match["blocklisted"]})
    return found


def undo_blocklist(client, item_id: int, source_title: str) -> int | None:
    """Take the release off the blocklist (found by its title and item); the entry's id, None when not there."""
    for entry in client.blocklist():
        if entry.source_title == source_title and entry.item_id in (item_id, 0):
            client.remove_from_blocklist(entry.id)
            return entry.id
    return None


def undo_for_link(path: str, timeout: float) -> dict:
    """Take every release blocklisted for this link off its app's blocklist: {"path", "undone": [...]}."""
    releases = blocklisted_for(path)
    if not releases:
        raise NotFoundError(f"no release was blocklisted for {path}")
    instances = {(i.kind, i.name): i for i in configured_instances(get_config())}
    undone = []
    for release in releases:
        entry = {"instance": release["instance"], "source_title": release["source_title"], "blocklist_id": None,
                 "message": ""}
        instance = instances.get((release["kind"], release["name"]))
        if instance is None:
            entry["message"] = "that instance is no longer configured"
        else:
            try:
                with client_for(instance, timeout) as client:
                    entry["blocklist_id"] = undo_blocklist(client, release["item_id"], release["source_title"])
                entry["message"] = "taken off the blocklist" if entry["blocklist_id"] else "not on the blocklist any more"
            except ArrError as exc:
                entry["message"] = exc.message
        undone.append(entry)
    return {"path": path, "undone": undone}


def blocklist_offers(paths: list[str]) -> list[dict]:
    """For a restore's answer: the restored links whose release was blocklisted (the page offers to undo it)."""
    return [{"path": path, **release} for path in paths for release in blocklisted_for(path)]
