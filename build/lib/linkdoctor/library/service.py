"""Import, check and enrich as jobs: validate the request, start it on the job runner; routes and CLI share this."""

import os

from linkdoctor.config import get_config
from linkdoctor.errors import ValidationError
from linkdoctor.jobs.runner import JobCancelled, JobContext, JobRunner
from linkdoctor.library.enrich import enrich, require_api_key
from linkdoctor.library.integrity import CheckRequest, IntegrityCheck
from linkdoctor.library.inventory import Importer, ImportRequest
from linkdoctor.paths import checked_paths, real_root
from linkdoctor.scanner.pool import ScanCancelled


def _media_root(config) -> str:
    root = real_root(config.media_path)
    if not os.path.isdir(root):
        raise ValidationError(f"the media root {config.media_path} is not a folder")
    return root


def _progress(ctx: JobContext):
    def report(fraction: float, phase: str, message: str) -> None:
        ctx.raise_if_cancelled()
        ctx.progress(fraction, phase, message)
    return report


def start_import(runner: JobRunner, paths: list[str] | None = None, dry_run: bool = False,
                 origin: str = "web") -> JobContext:
    """Start an import of the media root (or of `paths` inside it) as a job."""
    if paths is not None and (not isinstance(paths, list) or not all(isinstance(p, str) for p in paths)):
        raise ValidationError("paths must be a list of paths")
    if not isinstance(dry_run, bool):
        raise ValidationError("dry_run must be true or false")
    config = get_config()
    root = _media_root(config)
    # Looked at in the workers, with the file timeout: a hung folder is refused, not waited on.
    selected = [resolved for _kind, resolved in checked_paths(paths or [root], config.media_path, config.file_timeout)]
    request = ImportRequest(
        media_root=root, paths=list(dict.fromkeys(selected)), movie_folders=list(config.movie_folders),
        series_folders=list(config.series_folders), max_workers=config.max_workers,
        file_timeout=config.file_timeout, source_roots=list(config.source_roots or []), dry_run=dry_run,
    )

    def work(ctx: JobContext) -> dict:
        try:
            return Importer(request, _progress(ctx), ctx.cancel).run()
        except ScanCancelled:
            raise JobCancelled() from None

    return runner.start("import", work, params={"paths": request.paths, "dry_run": dry_run}, origin=origin)


def start_check(runner: JobRunner, verify_hash: bool = False, origin: str = "web") -> JobContext:
    """Start a check of the whole library against the inventory and the source roots as a job."""
    if not isinstance(verify_hash, bool):
        raise ValidationError("verify_hash must be true or false")
    config = get_config()
    request = CheckRequest(
        media_root=_media_root(config), movie_folders=list(config.movie_folders),
        series_folders=list(config.series_folders), source_roots=list(config.source_roots or []),
        max_workers=config.max_workers, file_timeout=config.file_timeout, verify_hash=verify_hash,
    )

    def work(ctx: JobContext) -> dict:
        try:
            return IntegrityCheck(ctx.job_id, request, _progress(ctx), ctx.cancel).run()
        except ScanCancelled:
            raise JobCancelled() from None

    return runner.start("check", work, params={"verify_hash": verify_hash}, origin=origin)


def start_enrich(runner: JobRunner, origin: str = "web") -> JobContext:
    """Look the inventory's items not yet enriched up on TMDB as a job; refused at once without a TMDB key."""
    config = get_config()
    require_api_key(config.tmdb_api_key)
    base_url, api_key = config.tmdb_base_url, config.tmdb_api_key

    def work(ctx: JobContext) -> dict:
        def progress(done: int, total: int) -> None:
            ctx.progress(done / max(total, 1), "search", f"{done} of {total} items")

        summary = enrich(base_url, api_key, progress, ctx.cancel)
        if ctx.cancel.is_set():  # enrich stopped between two items and kept what it had found
            raise JobCancelled()
        return summary

    return runner.start("enrich", work, origin=origin)
