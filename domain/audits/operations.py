"""Operations recorded in each tenant's chain: an admin putting failed background jobs (dead
letters) back on the queue, and a review decision refused because it was the reviewer's own.

Recorded on the admin's access stream (``access-<user id>``). Only identifiers are kept, never
the jobs' error texts, which may quote personal data and the history cannot forget.
"""

from __future__ import annotations

from uuid import UUID

import msgspec

from domain.credits.certificate import ReviewDecision
from domain.shared.event import Event


class ReplayedJob(msgspec.Struct, frozen=True, kw_only=True):
    message_id: str
    actor: str
    """The background job that failed, e.g. ``verify_certificate``."""
    event_id: UUID | None
    """The event the job was about (None when the message did not name a valid one)."""


class DeadLettersReplayed(Event, frozen=True, kw_only=True, tag="audits.DeadLettersReplayed"):
    """``user_id`` put these failed jobs back on the queue, each with a fresh retry count."""

    user_id: UUID
    jobs: tuple[ReplayedJob, ...]


class ReviewRefused(Event, frozen=True, kw_only=True, tag="audits.ReviewRefused"):
    """``user_id`` tried to ``decision`` the certificate ``certificate_id`` of ``person_id`` and
    was refused: ``refusal`` is the refusal's code (``own_record_review``). Nothing else
    changed."""

    user_id: UUID
    certificate_id: UUID
    person_id: UUID
    decision: ReviewDecision
    refusal: str


OPERATION_EVENTS: list[type[Event]] = [DeadLettersReplayed, ReviewRefused]
