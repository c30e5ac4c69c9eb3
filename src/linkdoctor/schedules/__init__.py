"""Scans that run by themselves: schedules kept in the database, fired inside `serve` only."""
