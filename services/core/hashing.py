"""What is stored of a secret handed to a person (link tokens, API tokens, session ids)."""

from __future__ import annotations

import hashlib


def secret_hash(secret: str) -> str:
    """The SHA-256 hex digest of ``secret``: enough to recognise it, useless to use it."""
    return hashlib.sha256(secret.encode()).hexdigest()
