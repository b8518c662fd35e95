"""Stream ids of the aggregates and fact streams: ``<kind>-<uuid>``, one kind a function."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from uuid import UUID

StreamId = Callable[[UUID], str]


def _kind(kind: str) -> StreamId:
    """The stream id function of ``kind``: ``<kind>-<uuid>``."""

    def stream_id(aggregate_id: UUID) -> str:
        return f"{kind}-{aggregate_id}"

    stream_id.__name__ = f"{kind}_stream"
    return stream_id


person_stream = _kind("person")
credit_stream = _kind("credit")
waiver_stream = _kind("waiver")
certificate_stream = _kind("certificate")
access_stream = _kind("access")
"""A member's sign-ins, sign-outs and downloads (audit events), by user id."""
provider_directory_stream = _kind("providers")
"""The providers an organisation added to (or removed from) its provider directory, by tenant."""
mail_stream = _kind("mail")
"""The mail queued for and sent to a member (notification events), by user id."""
mail_preferences_stream = _kind("mailpreferences")
billing_stream = _kind("billing")
"""The organisation's billing account: trial, customer, subscription, seats, dunning."""
billing_inbox_stream = _kind("billinginbox")
"""The Stripe webhooks accepted for the organisation (one fact each), by tenant."""


@lru_cache(maxsize=65_536)
def aggregate_id(stream_id: str) -> UUID:
    """The aggregate's id in a stream id built by the functions above (remembered: a batch
    asks for the same streams' ids once per event and projection)."""
    return UUID(stream_id.split("-", 1)[1])
