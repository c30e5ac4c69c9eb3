"""Clients of other services: Sonarr and Radarr (one ArrClient base), Docker Engine, TMDB.

Clients get their settings as arguments and raise the project's own errors; they
never touch the database or the request.
"""
