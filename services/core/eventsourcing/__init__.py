"""The event-sourcing machinery: the event store (port, PostgreSQL and in-memory adapters), the
per-tenant hash chain and its check, the per-tenant feed and forward-only checkpoints."""
