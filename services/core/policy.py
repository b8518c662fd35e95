"""Who may do what: the authorisation rules every use case checks, in one place.

A member reads and changes their own record (an auditor only reads); owners and admins read and
change everyone's; auditors read everyone's. A record of another organisation does not exist
(row-level security), so it is a ``NotFound``, never an ``AccessDenied``.
"""

from __future__ import annotations

from uuid import UUID

from services.core.application import AccessDenied, Actor

MANAGERS = ("owner", "admin")
"""The roles that manage the organisation: every staff record, members, the directory, jobs."""
READERS = ("owner", "admin", "auditor")
"""The roles that read every record of the organisation."""


def reads_all(actor: Actor) -> bool:
    """Whether ``actor`` may read every record of the organisation (the system may)."""
    return actor.role == "system" or actor.role in READERS


def manages(actor: Actor) -> bool:
    """Whether ``actor`` may change every record of the organisation (the system may)."""
    return actor.role == "system" or actor.role in MANAGERS


def authorise_person(actor: Actor, person_id: UUID, *, write: bool) -> None:
    """Refuse (``AccessDenied``) unless ``actor`` may read, or with ``write`` change, the
    staff record ``person_id``."""
    if actor.person_id == person_id and not (write and actor.role == "auditor"):
        return
    if manages(actor) if write else reads_all(actor):
        return
    raise AccessDenied(
        "you may only change your own record" if write else "you may only see your own record"
    )


def require_role(actor: Actor, *roles: str) -> None:
    """Refuse (``AccessDenied``) unless ``actor`` has one of ``roles`` (the system always may)."""
    if actor.role != "system" and actor.role not in roles:
        raise AccessDenied(f"only {' or '.join(roles)} may do this")
