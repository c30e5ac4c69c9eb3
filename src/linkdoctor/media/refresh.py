"""After every library change: ask each enabled media server to refresh only the folders touched.

A listener of `library_changed` starts a `media_refresh` side job (never holding the library lock;
its pacing never blocks the event dispatcher). Nothing is sent while the mount-health guard holds a
source (a refresh of a folder whose mount is down is how Plex empties a library) nor for a dry-run.
Plex: one `refresh?path=` per folder; Jellyfin/Emby: one `Media/Updated` carrying every folder.
At most one request per `pace` seconds (0.25), coalesced to a library's root above
`media_refresh_coalesce` folders, at most `media_refresh_max_requests` per server and run; what is
left out is said in the result. A server that fails is recorded and the next one is asked.
"""

import time

from flask import current_app
from sqlalchemy import select

from linkdoctor.clients.jellyfin import client_for_server
from linkdoctor.clients.media_http import MediaServerError
from linkdoctor.config import get_config
from linkdoctor.events import LIBRARY_CHANGED, QUARANTINED, Event, changed_paths, register_listener
from linkdoctor.health import watched_sources
from linkdoctor.media.plan import plan_refresh, touched_folders
from linkdoctor.media_servers import enabled_servers
from linkdoctor.models import MEDIA_REFRESH, Job, SymlinkScan, db
from linkdoctor.scanner.guard import probe_roots

PACE_SECONDS = 0.25  # at most one request per this long (app.config LINKDOCTOR_MEDIA_PACE for tests)


def held_sources(scan_id: int | None, action: str) -> list[str]:
    """Why the guard holds a source now: the scan's blocked verdicts (for its cleanup), the source watch of
    `serve`, else a bounded probe of the sources right now."""
    reasons = []
    scan = db.session.get(SymlinkScan, scan_id) if scan_id else None
    if scan is not None and action == QUARANTINED:
        reasons += [f"{v['source']}: {v['reason']}" for v in scan.guard or [] if v.get("blocked")]
    watch = current_app.extensions.get("linkdoctor.source_watch")
    if watch is not None:
        verdicts = watch.snapshot()[0]
    else:
        config = get_config()
        sources = [s for s in watched_sources(config) if s and s != "/"]
        verdicts = probe_roots(sources, config.file_timeout)
    return reasons + [why for why in verdicts.values() if why]


class MediaRefresh:
    """One refresh job's work and record."""

    def __init__(self, ctx, scan_id: int | None, paths: list[str], action: str):
        config = get_config()
        self.ctx, self.scan_id, self.paths, self.action = ctx, scan_id, sorted(paths), action
        self.servers = enabled_servers(config)
        self.coalesce, self.cap = config.media_refresh_coalesce, config.media_refresh_max_requests
        self.timeout = config.arr_request_timeout
        self.pace = float(current_app.config.get("LINKDOCTOR_MEDIA_PACE", PACE_SECONDS))
        self._last_sent: float | None = None

    def run(self) -> dict:
        why_not = self._why_not()
        results = []
        for index, server in enumerate(self.servers):
            self.ctx.raise_if_cancelled()
            self.ctx.progress(index / max(1, len(self.servers)), "refresh", server.label)
            entry = {"kind": server.kind, "name": server.name, "refreshed": [], "skipped": [], "skipped_reasons": {},
                     "coalesced": [], "message": ""}
            folders = touched_folders(self.paths, server.path_mappings)
            if why_not:
                self._skip(entry, folders, why_not)
                entry["message"] = f"not sent: {why_not}"
            else:
                self._refresh(server, entry, folders)
            results.append(entry)
        refreshed = sum(len(r["refreshed"]) for r in results)
        skipped = sum(len(r["skipped"]) for r in results)
        summary = f"{len(self.servers)} server(s): {refreshed} folder(s) refreshed, {skipped} skipped"
        self.ctx.progress(1.0, "done", summary)
        return {"scan_id": self.scan_id, "action": self.action, "servers": results, "summary": summary,
                "held": bool(why_not), "ok": not any(r["skipped"] for r in results) and not why_not}

    def _why_not(self) -> str:
        scan = db.session.get(SymlinkScan, self.scan_id) if self.scan_id else None
        if scan is not None and scan.mode == "dry-run":
            return "a dry-run changes nothing"
        held = held_sources(self.scan_id, self.action)
        if held:
            return "the mount-health guard holds a source (" + "; ".join(held[:3]) + ")"
        return ""

    @staticmethod
    def _skip(entry: dict, folders, reason: str) -> None:
        for folder in folders:
            if folder not in entry["skipped_reasons"]:
                entry["skipped"].append(folder)
                entry["skipped_reasons"][folder] = reason

    def _refresh(self, server, entry: dict, folders: list[str]) -> None:
        with client_for_server(server, self.timeout) as client:
            try:
                # The cap counts requests: Jellyfin/Emby get one, whatever the number of folders in it.
                cap = self.cap if server.kind == "plex" else len(folders)
                plan = plan_refresh(folders, client.libraries(), self.coalesce, cap)
            except MediaServerError as exc:
                self._skip(entry, folders, "the server's libraries could not be read")
                entry["message"] = exc.message
                return
            entry["coalesced"] = plan.coalesced
            wanted = [folder for _, folder in plan.requests]
            try:
                if server.kind == "plex":
                    for section_id, folder in plan.requests:
                        self.ctx.raise_if_cancelled()
                        self._wait_turn()
                        client.refresh_folder(section_id, folder)
                        entry["refreshed"].append(folder)
                elif wanted:
                    self._wait_turn()
                    client.media_updated(wanted)
                    entry["refreshed"] = wanted
            except MediaServerError as exc:
                entry["message"] = exc.message
                self._skip(entry, [f for f in wanted if f not in entry["refreshed"]], "the server refused the refresh")
            for folder, reason in plan.skipped.items():
                self._skip(entry, [folder], reason)
        if not entry["message"]:
            entry["message"] = (f"{len(entry['refreshed'])} folder(s) refreshed" +
                                (f", {len(entry['skipped'])} skipped" if entry["skipped"] else ""))

    def _wait_turn(self) -> None:
        """At most one request per `pace` seconds; a cancel ends the wait at once."""
        if self._last_sent is not None:
            left = self.pace - (time.monotonic() - self._last_sent)
            if left > 0 and self.ctx.cancel.wait(left):
                self.ctx.raise_if_cancelled()
        self._last_sent = time.monotonic()


def refresh_after(runner, event: Event) -> dict:
    """The listener: one refresh job per change, when a media server is enabled."""
    if not enabled_servers(get_config()):
        return {"state": "off", "message": "no media server is enabled: nothing to refresh"}
    links = event.payload.get("links", [])
    scan_id = event.payload.get("scan_id") or next((link.get("scan_id") for link in links if link.get("scan_id")), None)
    action = event.payload.get("action", "")
    paths = changed_paths(event)

    def prepare(job) -> None:
        job.scan_id = scan_id

    params = {"scan_id": scan_id, "action": action, "paths": paths, "event_id": event.id}
    ctx = runner.start(MEDIA_REFRESH, lambda ctx: MediaRefresh(ctx, scan_id, paths, action).run(), params=params,
                       origin=event.payload.get("origin") or "web", prepare=prepare)
    return {"state": "started", "job_id": ctx.job_id, "message": "media server refresh started"}


def register_media_refresh(app) -> None:
    """Subscribe the media servers' refresh to the app's library changes."""
    runner = app.extensions["linkdoctor.jobs"]
    register_listener(app, LIBRARY_CHANGED, MEDIA_REFRESH, lambda event: refresh_after(runner, event))


def media_refresh_view(scan_id: int) -> dict:
    """The scan's latest refresh: {"media_refresh": {job_id, state, message} | None, "media_servers": [...]}."""
    job = db.session.execute(select(Job).where(Job.scan_id == scan_id, Job.kind == MEDIA_REFRESH)
                             .order_by(Job.id.desc())).scalars().first()
    if job is None:
        return {"media_refresh": None, "media_servers": []}
    db.session.refresh(job)
    result = job.result or {}
    return {"media_refresh": {"job_id": job.id, "state": job.state, "message": result.get("summary") or job.message},
            "media_servers": result.get("servers", [])}


def media_refresh_answer(dispatcher, event_id: int | None, timeout: float = 10.0) -> dict:
    """What the refresh listener answered for a change (started with its job id, off), once delivered."""
    outcome = dispatcher.wait_delivered(event_id, timeout) if event_id is not None else None
    return (outcome or {}).get(MEDIA_REFRESH) or {"state": "none", "message": "no media server refresh"}
