"""Which actors each event type wakes, and the deterministic id of each resulting message."""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID, uuid5

# The namespace of relay message ids: uuid5(namespace, f"{event id}:{actor name}").
MESSAGE_NAMESPACE = UUID("6f1c2e0a-3d5b-5c7e-9a41-2b8d0f7e6c13")
DEFAULT_QUEUE = "cmeledger"


def message_id_for(event_id: UUID, actor_name: str) -> str:
    """The same (event, actor) pair always yields the same message id, so a re-publish after a
    crash is a duplicate the actor recognises, not a second piece of work."""
    return str(uuid5(MESSAGE_NAMESPACE, f"{event_id}:{actor_name}"))


class Subscriptions:
    """Event type -> the names of the actors that handle it."""

    def __init__(self, by_event_type: Mapping[str, tuple[str, ...]]) -> None:
        self._by_event_type = {key: tuple(value) for key, value in by_event_type.items()}

    def actors_for(self, event_type: str) -> tuple[str, ...]:
        return self._by_event_type.get(event_type, ())

    def event_types_for(self, actor_name: str) -> list[str]:
        return sorted(t for t, names in self._by_event_type.items() if actor_name in names)

    @property
    def actor_names(self) -> set[str]:
        return {name for names in self._by_event_type.values() for name in names}


SUBSCRIPTIONS = Subscriptions(
    {
        "credits.CertificateUploaded": ("record_receipt", "verify_certificate"),
        "credits.CertificateVerified": ("notify_certificate",),
        "credits.CertificateNeedsReview": ("notify_certificate",),
        "credits.CertificateRejected": ("notify_certificate",),
        "organisations.MemberAdded": ("notify_auditor_access",),
        "organisations.AuditorAccessChanged": ("notify_auditor_access",),
        "notifications.ReminderQueued": ("deliver_mail",),
        "notifications.DigestQueued": ("deliver_mail",),
        "notifications.NotificationQueued": ("deliver_mail",),
    }
)
