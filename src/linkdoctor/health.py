"""Is the service healthy? Each part said in a line, read from what is known now: never a wait on a mount.

Sources are looked at by `SourceWatch`, a thread of `serve` that probes each source root (the configured
source_roots and the sources the last scan saw) in the killable workers, and keeps the verdicts; the
health answer only reads them. Without a watch (a command, a test app) the last scan's guard says it.
"""

import logging
import os
import shutil
import threading
import time
from datetime import datetime

from sqlalchemy import text

from linkdoctor.arr.connections import last_connection_tests
from linkdoctor.config import get_config
from linkdoctor.models import Schedule, SymlinkScan, db
from linkdoctor.scanner.guard import probe_roots

log = logging.getLogger(__name__)
PROBE_TIMEOUT = 5.0  # a source that does not list its root in this long is down
WATCH_EVERY_SECONDS = 60.0
STALE_SECONDS = 15.0  # a health request finding verdicts older than this asks the watch to look again


def watched_sources(config) -> list[str]:
    """The configured source roots and the sources of the newest scan, in a stable order."""
    latest = db.session.execute(db.select(SymlinkScan).order_by(SymlinkScan.id.desc()).limit(1)).scalars().first()
    seen = list((latest.source_stats or {}).keys()) if latest is not None else []
    return list(dict.fromkeys([*(config.source_roots or []), *seen]))


class SourceWatch:
    """Probes the sources in a thread (serve only); verdicts read at once by health and notifications."""

    def __init__(self, app, every: float = WATCH_EVERY_SECONDS, timeout: float = PROBE_TIMEOUT, on_down=None):
        self.app, self.every, self.timeout, self.on_down = app, every, timeout, on_down
        self.verdicts: dict[str, str | None] = {}  # source -> None (answers) or what is wrong
        self.looked_at: list[str] = []  # the sources of the last look (a changed list is looked at again)
        self.checked_at = 0.0  # monotonic time of the last finished look
        self._guard = threading.Lock()  # guards verdicts and checked_at
        self._woken = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="source-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._woken.set()

    def look_soon(self) -> None:
        self._woken.set()

    def snapshot(self) -> tuple[dict[str, str | None], float, list[str]]:
        with self._guard:
            return dict(self.verdicts), self.checked_at, list(self.looked_at)

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                self.look()
            except Exception:
                log.exception("the source watch failed; it looks again later")
            self._woken.wait(self.every)
            self._woken.clear()

    def look(self) -> dict[str, str | None]:
        """Probe every source now (in workers, bounded by the timeout); keep and return the verdicts."""
        with self.app.app_context():
            sources = watched_sources(get_config())
        found = probe_roots(sources, self.timeout) if sources else {}
        with self._guard:
            before, self.verdicts, self.checked_at = self.verdicts, found, time.monotonic()
            self.looked_at = sources
        newly_down = {s: why for s, why in found.items() if why and not before.get(s)}
        if newly_down and self.on_down is not None:
            self.on_down(newly_down)
        return found


def _check(ok: bool, detail: str) -> dict:
    return {"ok": bool(ok), "detail": detail}


def _sources(app, show_paths: bool) -> dict:
    watch = app.extensions.get("linkdoctor.source_watch")
    config = get_config()
    if watch is not None:
        verdicts, checked_at, looked_at = watch.snapshot()
        if time.monotonic() - checked_at > STALE_SECONDS or looked_at != watched_sources(config):
            watch.look_soon()  # answered from what is known; the watch looks again in its own thread
        if not checked_at:
            return {"sources": _check(True, "not looked at yet")}
    else:
        latest = db.session.execute(db.select(SymlinkScan).order_by(SymlinkScan.id.desc()).limit(1)).scalars().first()
        verdicts = {v["source"]: (v["reason"] if v.get("blocked") else None) for v in (latest.guard or [])} \
            if latest is not None else {}
        verdicts.update({root: None for root in config.source_roots or [] if root not in verdicts})
    checks = {}
    for index, (source, problem) in enumerate(sorted(verdicts.items()), 1):
        name = f"source {source}" if show_paths else f"source {index}"
        detail = (problem if show_paths else "does not answer, is missing or is empty") if problem else "answers"
        checks[name] = _check(problem is None, detail)
    return checks or {"sources": _check(True, "no source configured or seen yet")}


def _services(config) -> dict:
    checks = {}
    for service in last_connection_tests(config):
        test = service["last_test"]
        name = f"{service['kind']} {service['name']}"
        if test is None:
            checks[name] = _check(True, "not tested yet")
        else:
            checks[name] = _check(test["ok"], f"{'connected' if test['ok'] else 'failed'} at {test['tested_at']}")
    return checks


def _scheduler(app) -> dict:
    loop = app.extensions.get("linkdoctor.schedules")
    enabled = db.session.execute(db.select(db.func.count()).select_from(Schedule)
                                 .where(Schedule.enabled.is_(True))).scalar_one()
    running = loop is not None and loop.is_running()
    checks = {"scheduler": _check(running or not enabled,
                                  "running" if running else
                                  ("not running: schedules run only inside `linkdoctor serve`" if enabled
                                   else "no schedule"))}
    if running:
        upcoming = loop.next_run_at()
        checks["next_run"] = _check(True, upcoming.isoformat() if upcoming else "no schedule enabled")
    return checks


def health_report(app, show_paths: bool = False) -> dict:
    """{"status": "ok"|"degraded", "checks": {name: {"ok", "detail"}}}; reads only what is known now."""
    settings = app.config["LINKDOCTOR_SETTINGS"]
    checks = {}
    try:
        db.session.execute(text("select 1"))
        checks["database"] = _check(True, "answers")
    except Exception as exc:  # noqa: BLE001 - any failure of the database is what this check reports
        db.session.rollback()
        checks["database"] = _check(False, f"does not answer ({type(exc).__name__})")
    writable = os.access(settings.data_dir, os.W_OK)
    checks["data_folder"] = _check(writable, "writable" if writable else "not writable by this process")
    ffprobe = shutil.which("ffprobe")
    checks["ffprobe"] = _check(ffprobe is not None, "found" if ffprobe else "not found (apt-get install ffmpeg)")
    if checks["database"]["ok"]:
        config = get_config()
        checks.update(_sources(app, show_paths))
        checks.update(_services(config))
        checks.update(_scheduler(app))
    status = "ok" if all(check["ok"] for check in checks.values()) else "degraded"
    return {"status": status, "checks": checks, "at": datetime.now().astimezone().isoformat(timespec="seconds")}
