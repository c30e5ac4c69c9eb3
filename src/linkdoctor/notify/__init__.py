"""Notifications through Apprise: targets kept in the database, messages built from events, sent in a thread."""
