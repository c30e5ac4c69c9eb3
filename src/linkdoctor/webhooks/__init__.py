"""Sonarr/Radarr webhooks: check a file as it is imported, remember its release, mark renamed or deleted links."""
