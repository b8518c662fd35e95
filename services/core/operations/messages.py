"""The options of the worker's messages that the application reads back: the tenant a message
is for (set by the relay) and, on a dead letter, why and when it failed (set by the broker's
middleware; the traceback is Dramatiq's own option)."""

TENANT_OPTION = "tenant_id"
TRACEBACK_OPTION = "traceback"
FAILED_AT_OPTION = "failed_at"
"""Epoch milliseconds."""
