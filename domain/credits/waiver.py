"""The waiver aggregate: credits a body waives instead of awarding, recorded as granted.

How much a waiver is worth and what it counts toward is rule-pack data (domain.compliance); a
waiver only states who, which body, what kind and when.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Literal
from uuid import UUID

import msgspec

from domain.people.credentials import Body
from domain.shared.errors import DomainError
from domain.shared.event import Event

WaiverKind = Literal["new_credential_or_specialty", "registry_exam_passed"]
"""``new_credential_or_specialty``: ARDMS/APCA waive CME credits for a new credential or a new
specialty exam [A1], [A2]. ``registry_exam_passed``: passing a CCI registry exam within the cycle
waives that cycle's CEUs [C3]."""


class Waiver(msgspec.Struct, frozen=True, kw_only=True):
    waiver_id: UUID
    person_id: UUID
    body: Body
    kind: WaiverKind
    granted_on: date
    reference: str
    """What earned it, e.g. "RDMS OB/GYN passed" or the body's notice."""


class WaiverRecorded(Event, frozen=True, kw_only=True, tag="credits.WaiverRecorded"):
    waiver: Waiver


WAIVER_EVENTS: tuple[type[Event], ...] = (WaiverRecorded,)


class RecordWaiver(msgspec.Struct, frozen=True, kw_only=True):
    waiver: Waiver


class WaiverRefused(DomainError): ...


def decide_record_waiver(
    state: Waiver | None, command: RecordWaiver, *, now: datetime, ids: Callable[[], UUID]
) -> list[Event]:
    """Record a granted waiver once; refuses a future grant date or a blank reference."""
    if state is not None:
        raise WaiverRefused(f"waiver {state.waiver_id} is already recorded")
    waiver = command.waiver
    if waiver.granted_on > now.date():
        raise WaiverRefused("a waiver cannot be granted in the future")
    if not waiver.reference.strip():
        raise WaiverRefused("say what earned the waiver")
    reference = waiver.reference.strip()
    return [WaiverRecorded(waiver=msgspec.structs.replace(waiver, reference=reference))]


def evolve(state: Waiver | None, event: Event) -> Waiver:
    """A waiver stream holds exactly one ``WaiverRecorded``."""
    if isinstance(event, WaiverRecorded) and state is None:
        return event.waiver
    raise TypeError(f"unexpected waiver event: {type(event).__name__}")
