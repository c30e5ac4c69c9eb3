"""Plex, Jellyfin and Emby: their settings, connection tests, and the refresh of the folders a change touched."""
