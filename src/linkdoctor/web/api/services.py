"""Sonarr/Radarr: connection tests and Docker detection."""

from linkdoctor.errors import NotImplementedYetError
from linkdoctor.web.api import bp


@bp.post("/test/services")
def test_services():
    """Connection test for Sonarr/Radarr: not built yet."""
    raise NotImplementedYetError("testing Sonarr/Radarr connections is not available yet")


@bp.post("/services/detect")
def detect_services():
    """Docker auto-detection of Sonarr/Radarr: not built yet."""
    raise NotImplementedYetError("detecting Sonarr/Radarr through Docker is not available yet")
