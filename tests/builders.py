"""Domain values the unit, integration and end-to-end tests record alike."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import msgspec

from domain.credits.credit import CreditDetails
from domain.credits.waiver import Waiver


def credit_details(**changes: Any) -> CreditDetails:
    """1.5 SDMS credits for "Carotid duplex protocols" (sonography, vascular), completed on 20
    Apr 2026; ``changes`` replace any of its fields."""
    base = CreditDetails(
        title="Carotid duplex protocols",
        provider="Society of Diagnostic Medical Sonography",
        accrediting_organisation="SDMS",
        credit_types=("sdms",),
        completed_on=date(2026, 4, 20),
        credits=Decimal("1.5"),
        topics=("sonography", "vascular"),
    )
    return msgspec.structs.replace(base, **changes)


def new_credential_waiver(
    person_id: UUID, granted_on: date = date(2025, 3, 1), reference: str = "RVT passed"
) -> Waiver:
    """ARDMS waives 15 credits for a new credential in the period it is granted [A1]."""
    return Waiver(
        waiver_id=uuid4(),
        person_id=person_id,
        body="ARDMS",
        kind="new_credential_or_specialty",
        granted_on=granted_on,
        reference=reference,
    )
