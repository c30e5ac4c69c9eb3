"""What only `serve` runs by itself: the schedule loop and the watch on the sources (never a CLI command)."""

from linkdoctor.health import SourceWatch
from linkdoctor.schedules.loop import ScheduleLoop


def start_unattended(app) -> None:
    """Start the source watch and the schedule loop of this server."""
    watch = SourceWatch(app, on_down=lambda down: _tell_down(app, down))
    app.extensions["linkdoctor.source_watch"] = watch
    watch.start()
    loop = ScheduleLoop(app)
    app.extensions["linkdoctor.schedules"] = loop
    loop.start()


def stop_unattended(app) -> None:
    """No schedule fires from now on; a run under way stops waiting (within `docker stop`'s 10 s)."""
    watch, loop = app.extensions.get("linkdoctor.source_watch"), app.extensions.get("linkdoctor.schedules")
    if watch is not None:
        watch.stop()
    if loop is not None:
        loop.stop(timeout=1.0)


def _tell_down(app, down: dict[str, str]) -> None:
    from linkdoctor.notify.service import notify

    with app.app_context():
        notify(app, "source_down", f"linkdoctor: {len(down)} source(s) look down",
               "\n".join(down.values()) + "\nNothing is removed from them while they are down.", link="#dashboard")
