"""The JSON API under /api/symlink/: thin routes over the services, one module per resource."""

from linkdoctor.web.api.blueprint import bp

# The route modules register themselves on `bp` when imported.
from linkdoctor.web.api import (  # noqa: E402,F401
    auth, config, ignores, jobs, library, openapi, quarantine, repair, scans, schedules, services, setup, system,
    webhooks,
)

__all__ = ["bp"]
