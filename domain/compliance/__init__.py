"""Compliance: certifying bodies' effective-dated rule packs and evaluate(...) -> obligations."""
