"""Where a credit counts: only the cycles whose window it falls in speak about it; a credit
outside every window shown has no acceptance at all (said once, neutrally, by the page)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from domain.credits.credit import VerificationStatus
from domain.credits.verification import BodyAcceptance as CertificateAcceptance
from services.core.credits.use_cases import credit_acceptance
from services.core.projections.certificates import StoredCertificate
from tests.unit.domain.cme_builders import credential, credit, obligations, person

pytestmark = pytest.mark.unit

# ARDMS: periods 2021-06-10 .. 2024-12-31 (previous) and 2025-01-01 .. 2027-12-31 [A5]
HOLDER = person(credential("ARDMS", "RDMS", date(2021, 6, 10)))
TODAY = date(2026, 6, 1)


def test_a_credit_of_the_finished_cycle_counts_there_and_is_not_refused_by_the_current() -> None:
    earlier = credit(date(2023, 5, 1), "3", types=("sdms",))
    found = obligations(HOLDER, [earlier], today=TODAY)
    [only] = credit_acceptance(found, earlier.credit_id)
    assert (only.body, only.period, only.counted, only.not_counted) == (
        "ARDMS",
        "previous",
        Decimal(3),
        [],
    )


def test_a_credit_refused_inside_a_window_says_why() -> None:
    refused = credit(date(2025, 5, 1), "3", types=("other",))
    [only] = credit_acceptance(obligations(HOLDER, [refused], today=TODAY), refused.credit_id)
    assert only.period == "current"
    assert [x.reason for x in only.not_counted] == ["type_not_accepted"]


def test_a_credit_outside_every_window_has_no_acceptance() -> None:
    before = credit(date(2019, 5, 1), "3", types=("sdms",))
    assert credit_acceptance(obligations(HOLDER, [before], today=TODAY), before.credit_id) == []


def _certificate(credit_id: UUID, status: VerificationStatus, *accepted: bool) -> StoredCertificate:
    return StoredCertificate(
        certificate_id=uuid4(),
        person_id=HOLDER.person_id,
        credit_id=credit_id,
        sha256="a" * 64,
        media_type="application/pdf",
        size_bytes=1,
        filename="certificate.pdf",
        uploaded_at=datetime(2026, 5, 1, tzinfo=UTC),
        status=status,
        acceptance=tuple(
            CertificateAcceptance(
                body="ARDMS", accepted=ok, explanation="ARDMS does not accept ASRT credits"
            )
            for ok in accepted
        ),
    )


def test_a_body_the_certificate_check_says_refuses_the_credit_does_not_count_it_here() -> None:
    declared = credit(date(2025, 5, 1), "3", types=("sdms",))
    found = obligations(HOLDER, [declared], today=TODAY)
    [counted] = credit_acceptance(found, declared.credit_id)
    assert counted.counted == Decimal(3)
    doubted = _certificate(declared.credit_id, "needs_review", False)
    [only] = credit_acceptance(found, declared.credit_id, [doubted])
    assert (only.body, only.counted, only.admitted_by) == ("ARDMS", Decimal(0), [])
    [why] = only.not_counted
    assert (why.reason, why.credits, why.detail) == (
        "type_not_accepted",
        Decimal(3),
        "ARDMS does not accept ASRT credits",
    )


def test_a_reviewers_approval_stands_over_the_check() -> None:
    declared = credit(date(2025, 5, 1), "3", types=("sdms",))
    found = obligations(HOLDER, [declared], today=TODAY)
    approved = _certificate(declared.credit_id, "verified", False)
    [only] = credit_acceptance(found, declared.credit_id, [approved])
    assert only.counted == Decimal(3)


def test_where_pending_credits_count_a_doubted_credit_counts_for_now_pending_review() -> None:
    """The cycle's totals count a credit awaiting review when the organisation counts pending
    credits: its line says so ("counted for now, pending review"), not "not counted"."""
    declared = credit(date(2025, 5, 1), "3", types=("sdms",))
    found = obligations(HOLDER, [declared], today=TODAY)
    doubted = _certificate(declared.credit_id, "needs_review", False)
    [only] = credit_acceptance(found, declared.credit_id, [doubted], count_pending=True)
    assert (only.body, only.counted, only.not_counted) == ("ARDMS", Decimal(3), [])
    assert only.pending_review == "ARDMS does not accept ASRT credits"
    [waiting] = credit_acceptance(found, declared.credit_id, [doubted], count_pending=False)
    assert (waiting.counted, waiting.pending_review) == (Decimal(0), None)
