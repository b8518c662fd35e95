"""Billing: per-seat plans, the trial, the subscription as Stripe reports it, and dunning."""
