"""Sonarr/Radarr: the configured instances, connection tests, Docker detection, and the follow-up of a cleanup.

The HTTP calls live in linkdoctor.clients; this package decides what to call and records what happened.
"""
