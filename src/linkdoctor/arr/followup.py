"""After a confirmed cleanup (or a restore, a repair, an undo): tell Sonarr/Radarr, item by item, and record it.

The first listener of `library_changed` (linkdoctor.events): `register_followup(app)` subscribes it.
Runs as an `arr_followup` job, a side job of the runner: it never touches the library,
so it does not hold the library lock (a scan, a restore or a repair can start
while Sonarr rescans); follow-ups run one at a time, in order. Per item: one
rescan, wait for it to complete, then search exactly the removed episodes / the
movie, monitored ones only, and only for links still in the quarantine: a link
restored meanwhile is never searched for. Failures are recorded, never raised
into the cleanup.
"""


from sqlalchemy import select

from linkdoctor.arr.blocklist import blocklist_release, removed_links
from linkdoctor.arr.connections import client_for
from linkdoctor.arr_instances import enabled_instances
from linkdoctor.arr.matching import group_by_owner, is_movie_file, remote_paths, removed_episodes
from linkdoctor.clients.records import ArrError, Command
from linkdoctor.config import get_config
from linkdoctor.errors import ConflictError, LinkdoctorError, NotFoundError
from linkdoctor.events import LIBRARY_CHANGED, PURGED, QUARANTINED as LINKS_QUARANTINED, Event, register_listener
from linkdoctor.jobs.status import job_status
from linkdoctor.models import ARR_FOLLOWUP, QUARANTINED, Job, QuarantineEntry, db

TRIGGERS = ("confirm", "restore", "retry")
VIDEO_EXTENSIONS = (".mkv", ".mp4", ".avi", ".m4v", ".ts", ".mov", ".wmv", ".webm", ".mpg", ".mpeg")


class FollowUp:
    """One follow-up job's work and record."""

    def __init__(self, ctx, scan_id: int, paths: list[str], trigger: str):
        # Sorted: items are handled in the order of their links' paths, the same on every run.
        self.ctx, self.scan_id, self.paths, self.trigger = ctx, scan_id, sorted(paths), trigger
        config = get_config()
        self.instances = enabled_instances(config)
        self.global_mappings = list(config.path_mappings or [])
        self.search = bool(config.arr_search) and trigger != "restore"
        self.blocklist = self.search and bool(config.arr_blocklist)
        self.removed = removed_links(self.paths) if self.blocklist else {}
        self.command_timeout = config.arr_command_timeout
        self.request_timeout = config.arr_request_timeout
        self.links: dict[str, list[dict]] = {path: [] for path in paths}
        self.commands: list[dict] = []
        self.errors: list[dict] = []

    def run(self) -> dict:
        for index, instance in enumerate(self.instances):
            self.ctx.raise_if_cancelled()
            self.ctx.progress(index / max(1, len(self.instances)), "notify", f"{instance.label}")
            with client_for(instance, self.request_timeout) as client:
                try:
                    if instance.kind == "sonarr":
                        self._sonarr(client, instance)
                    else:
                        self._radarr(client, instance)
                except ArrError as exc:
                    self.errors.append({"instance": instance.label, "message": exc.message})
        return self.record()

    # -- Sonarr ------------------------------------------------------------

    def _sonarr(self, client, instance) -> None:
        remotes = remote_paths(self.paths, instance.path_mappings + self.global_mappings)
        series = {s.id: s for s in client.series()}
        groups, _ = group_by_owner(remotes, list(series.values()))
        for series_id, paths in groups.items():
            self.ctx.raise_if_cancelled()
            show = series[series_id]
            # Read which episodes the files were before the rescan: once it completes Sonarr forgets them.
            files, episodes = client.episode_files(series_id), client.episodes(series_id)
            wanted: dict[str, list] = {}  # path -> its monitored episodes, searched for after the rescan
            for path in paths:
                found = removed_episodes(remotes[path], files, episodes)
                codes = [e.code for e in found]
                link = self._link(path, instance, show.title, series_id, codes)
                if not self.search:
                    link["search"] = "off" if self.trigger != "restore" else "restore: rescan only"
                elif not show.monitored:
                    link["search"] = "series not monitored"
                else:
                    searched = [e for e in found if e.monitored]
                    wanted[path] = searched
                    skipped = [e.code for e in found if not e.monitored]
                    link["search"] = "queued" if searched else ("episode not monitored" if skipped else "no episode matched")
                    link["searched"] = [e.code for e in searched]
                    if searched:
                        self._blocklist(client, instance, path, link, [e.id for e in found])
            rescan = self._run_command(client, instance, (show.title, series_id), "RescanSeries",
                                       {"seriesId": series_id}, lambda: client.rescan(series_id), wait=True)

            def episode_search(kept: list[str]):
                ids = sorted({e.id for path in kept for e in wanted.get(path, [])})
                return ({"episodeIds": ids}, lambda: client.search_episodes(ids)) if ids else None

            self._search_after(rescan, client, instance, (show.title, series_id), "EpisodeSearch", paths,
                               episode_search)

    # -- Radarr ------------------------------------------------------------

    def _radarr(self, client, instance) -> None:
        remotes = remote_paths(self.paths, instance.path_mappings + self.global_mappings)
        movies = {m.id: m for m in client.movies()}
        groups, _ = group_by_owner(remotes, list(movies.values()))
        for movie_id, paths in groups.items():
            self.ctx.raise_if_cancelled()
            movie = movies[movie_id]
            title = f"{movie.title} ({movie.year})" if movie.year else movie.title
            files = client.movie_files(movie_id)
            for path in paths:
                link = self._link(path, instance, title, movie_id, [])
                was_file = is_movie_file(remotes[path], files) or (
                    not movie.has_file and path.lower().endswith(VIDEO_EXTENSIONS))
                if not self.search:
                    link["search"] = "off" if self.trigger != "restore" else "restore: rescan only"
                elif not movie.monitored:
                    link["search"] = "movie not monitored"
                elif not was_file:
                    link["search"] = "not the movie's file"
                else:
                    link["search"] = "queued"
                    self._blocklist(client, instance, path, link, [movie_id])
            rescan = self._run_command(client, instance, (title, movie_id), "RescanMovie", {"movieId": movie_id},
                                       lambda: client.rescan(movie_id), wait=True)

            def movie_search(kept: list[str], movie_id=movie_id):
                return ({"movieIds": [movie_id]}, lambda: client.search_movies([movie_id])) if kept else None

            self._search_after(rescan, client, instance, (title, movie_id), "MoviesSearch", paths, movie_search)

    # -- commands and the record --------------------------------------------

    def _link(self, path: str, instance, title: str, item_id: int, episodes: list[str]) -> dict:
        link = {"instance": instance.label, "kind": instance.kind, "name": instance.name, "item": title,
                "item_id": item_id, "episodes": episodes, "search": "", "searched": [], "commands": [],
                "blocklisted": None, "blocklist": ""}
        self.links[path].append(link)
        return link

    def _blocklist(self, client, instance, path: str, link: dict, item_ids: list[int]) -> None:
        """Before the search: mark the bad file's grabbed release failed (corrupted or truncated only)."""
        if self.blocklist:
            link["blocklisted"], link["blocklist"] = blocklist_release(client, instance.kind, self.removed.get(path),
                                                                       item_ids)

    def _run_command(self, client, instance, item: tuple[str, int], name: str, body: dict, send, wait: bool) -> dict:
        """Send one command (and wait for it to end when asked); its entry in the record, whatever happens."""
        title, item_id = item
        entry = {"instance": instance.label, "item": title, "name": name, "body": body,
                 "id": None, "status": "not sent", "message": ""}
        self.commands.append(entry)
        try:
            command: Command = send()
            entry.update(id=command.id, status=command.status, message=command.message)
            if wait:
                self.ctx.progress(message=f"{instance.label}: {name} {title}, waiting for it to complete")
                command = client.wait_for_command(command, self.command_timeout, cancelled=self.ctx.raise_if_cancelled)
                entry.update(status=command.status, message=command.message)
        except ArrError as exc:
            entry.update(status="error", message=exc.message)
        for links in self.links.values():
            for link in links:
                if link["instance"] == instance.label and link["item_id"] == item_id:
                    link["commands"].append(f"{name}: {entry['status']}")
        return entry

    def _search_after(self, rescan: dict, client, instance, item: tuple[str, int], name: str, paths, make) -> None:
        """Search for the queued links' items once the rescan completed: `make(kept paths)` -> (body, send) or None."""
        queued = [path for path in paths if self._queued(path, instance)]
        if not queued:
            return
        if rescan["status"] != "completed":
            self._mark(queued, instance, f"not sent: the rescan ended {rescan['status']}")
            return
        kept = self._still_removed(queued)
        self._mark([path for path in queued if path not in kept], instance,
                   "not sent: the link was restored meanwhile")
        search = make(kept)
        if search is None:
            return
        self._run_command(client, instance, item, name, *search, wait=False)
        self._mark(kept, instance, "sent")

    def _queued(self, path: str, instance) -> bool:
        return any(link["instance"] == instance.label and link["search"] == "queued" for link in self.links[path])

    def _mark(self, paths, instance, search: str) -> None:
        for path in paths:
            for link in self.links[path]:
                if link["instance"] == instance.label and link["search"] == "queued":
                    link["search"] = search

    @staticmethod
    def _still_removed(paths: list[str]) -> list[str]:
        """The links still in the quarantine now (a restore may have run while Sonarr/Radarr rescanned)."""
        db.session.commit()  # end this thread's read transaction: see what the restore committed
        found = set(db.session.execute(select(QuarantineEntry.original_path).where(
            QuarantineEntry.original_path.in_(paths), QuarantineEntry.state == QUARANTINED)).scalars())
        return [path for path in paths if path in found]

    def record(self) -> dict:
        links = [{"path": path, "matches": matches} for path, matches in self.links.items()]
        unmatched = [path for path, matches in self.links.items() if not matches]
        failed = [c for c in self.commands if c["status"] not in ("completed", "queued", "started")]
        rescans = sum(1 for c in self.commands if c["name"].startswith("Rescan"))
        searches = sum(1 for c in self.commands if c["name"].endswith("Search") and c["id"] is not None)
        summary = (f"{len(self.paths)} link(s): {len(self.paths) - len(unmatched)} matched, {len(unmatched)} unmatched; "
                   f"{rescans} rescan(s), {searches} search(es) sent")
        # Why it did not all go through, one line each: the job ends "with_problems" and the page lists them.
        problems = [error["message"] if error["message"].startswith(error["instance"])
                    else f"{error['instance']}: {error['message']}" for error in self.errors] + [
            f"{c['instance']}: {c['name']} {c['item']} {c['status']}" + (f" ({c['message']})" if c["message"] else "")
            for c in failed]
        if problems:
            summary += f"; {len(problems)} problem(s)"
        self.ctx.progress(1.0, "done", summary)
        return {"scan_id": self.scan_id, "trigger": self.trigger, "search": self.search,
                "instances": [i.label for i in self.instances], "links": links, "unmatched": unmatched,
                "commands": self.commands, "errors": self.errors, "summary": summary, "problems": problems,
                "ok": not problems}


def quarantined_paths(scan_id: int) -> list[str]:
    """The links of a scan now in the quarantine."""
    return list(db.session.execute(select(QuarantineEntry.original_path).where(
        QuarantineEntry.scan_id == scan_id, QuarantineEntry.state == QUARANTINED)).scalars())


def start_followup(runner, scan_id: int, paths: list[str], trigger: str, origin: str = "web",
                   event_id: int | None = None) -> int:
    """Start the follow-up job for these links; raises when nothing can be sent or the library is busy."""
    if not paths:
        raise NotFoundError(f"scan {scan_id} has no removed links to tell Sonarr/Radarr about")
    if not enabled_instances(get_config()):
        raise ConflictError("no Sonarr or Radarr instance is enabled: nothing to send")

    def prepare(job) -> None:
        job.scan_id = scan_id

    # The event it follows: a crash that cuts the job short delivers that event again at the next start.
    params = {"scan_id": scan_id, "trigger": trigger, "paths": paths, "event_id": event_id}
    ctx = runner.start(ARR_FOLLOWUP, lambda ctx: FollowUp(ctx, scan_id, paths, trigger).run(), params=params,
                       origin=origin, prepare=prepare)
    return ctx.job_id


def followup_after(runner, scan_id: int, paths: list[str], trigger: str, origin: str = "web",
                   event_id: int | None = None) -> dict:
    """Start the follow-up of a change; never fails the change, says why nothing started."""
    if not paths:
        return {"state": "none", "message": "no link removed or restored: nothing to tell Sonarr/Radarr"}
    if not enabled_instances(get_config()):
        return {"state": "off", "message": "no Sonarr or Radarr instance is enabled: nothing sent"}
    try:
        job_id = start_followup(runner, scan_id, paths, trigger, origin, event_id)
    except LinkdoctorError as exc:
        return {"state": "not_started", "message": exc.message}
    return {"state": "started", "job_id": job_id, "message": "Sonarr/Radarr follow-up started"}


def trigger_of(action: str) -> str | None:
    """What the follow-up does after a change: search again what was removed, or only rescan what came back."""
    if action == PURGED:
        return None  # already gone from the library: told when it was quarantined
    return "confirm" if action == LINKS_QUARANTINED else "restore"


def follow_up(runner, event: Event) -> dict:
    """The listener: one follow-up job per scan whose links changed (scan 0: no scan behind the change)."""
    trigger = trigger_of(event.payload["action"])
    if trigger is None:
        return {"state": "none", "message": "purged links were told to Sonarr/Radarr when they were removed"}
    by_scan: dict[int, list[str]] = {}
    for link in event.payload["links"]:
        by_scan.setdefault(link.get("scan_id") or event.payload.get("scan_id") or 0, []).append(link["path"])
    answers = [followup_after(runner, scan_id, paths, trigger, event.payload.get("origin") or "web", event.id)
               for scan_id, paths in sorted(by_scan.items())]
    if len(answers) == 1:
        return answers[0]
    started = [a["job_id"] for a in answers if a.get("job_id")]
    return {"state": "started" if started else answers[0]["state"], "job_id": started[0] if started else None,
            "job_ids": started, "message": answers[0]["message"] if not started else
            f"Sonarr/Radarr follow-up started for {len(started)} scan(s)"}


def register_followup(app) -> None:
    """Subscribe the Sonarr/Radarr follow-up to the app's library changes."""
    runner = app.extensions["linkdoctor.jobs"]
    register_listener(app, LIBRARY_CHANGED, ARR_FOLLOWUP, lambda event: follow_up(runner, event))


ANSWER_SECONDS = 10.0  # how long a route or command waits for the follow-up to be started off its thread


def followup_answer(dispatcher, event_id: int | None, timeout: float = ANSWER_SECONDS) -> dict:
    """What the follow-up of a change answered (started, off, not started), once its event is delivered."""
    if event_id is None:
        return {"state": "none", "message": "no link removed or restored: nothing to tell Sonarr/Radarr"}
    outcome = dispatcher.wait_delivered(event_id, timeout)
    if outcome is None:
        return {"state": "pending", "message": "the Sonarr/Radarr follow-up starts shortly"}
    return outcome.get(ARR_FOLLOWUP) or {"state": "none", "message": "nothing to tell Sonarr/Radarr"}


def retry_followup(runner, scan_id: int, origin: str = "web") -> int:
    """Send again for every link of the scan still in the quarantine."""
    return start_followup(runner, scan_id, quarantined_paths(scan_id), "retry", origin)


def followup_view(scan_id: int) -> dict | None:
    """The scan's latest follow-up job, for the scan's status and the CLI; None when there is none."""
    job = db.session.execute(select(Job).where(Job.scan_id == scan_id, Job.kind == ARR_FOLLOWUP)
                             .order_by(Job.id.desc())).scalars().first()
    if job is None:
        return None
    db.session.refresh(job)
    status = job_status(job)
    result = status["result"] or {}
    return {"job_id": job.id, "state": job.state, "phase": job.phase, "progress": status["progress"],
            "message": result.get("summary") or job.message, "trigger": (job.params or {}).get("trigger"),
            "links": result.get("links", []), "unmatched": result.get("unmatched", []),
            "commands": result.get("commands", []), "errors": result.get("errors", []),
            "problems": result.get("problems", []), "ok": result.get("ok")}


__all__ = ["TRIGGERS", "followup_after", "followup_answer", "followup_view", "quarantined_paths",
           "register_followup", "retry_followup", "start_followup"]
