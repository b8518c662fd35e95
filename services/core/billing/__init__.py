"""Billing: per-seat Stripe subscriptions (use cases, queries, the Stripe gateway, the webhook
inbox, seat sync and reconciliation)."""
