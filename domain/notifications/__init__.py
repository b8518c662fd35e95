"""Notifications: what mail each member wants, when a deadline reminder is due, what the weekly
digest says, and the record of every mail queued and sent."""
