"""Must never verify: an altered figure (another font, a white patch, an online editor),
credits implausible for the activity's length, a declared figure that disagrees with the
printed one, attendance-only and zero-credit certificates, negated approvals; each as a text
PDF, a scanned PDF and a phone photo, read by the reader and judged by ``assess`` with the
signals the reader finds as it reads the file (``services.core.reading.process.read``,
as the worker's reader process does)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache

import msgspec
import pytest

from domain.compliance.cycles import Window
from domain.credits.credit import CreditDetails
from domain.credits.providers import ProviderDirectory
from domain.credits.verification import Assessment, Thresholds, assess
from services.core.reading.process import Reading
from services.core.reading.process import read as read_file
from tests.fixtures.certificates import KINDS, Kind
from tests.fixtures.certificates.tampered import PERSON, TAMPERINGS, Tampering, tampered

pytestmark = pytest.mark.ocr
UPLOADED = date(2026, 11, 26)
CYCLE = Window(start=date(2025, 1, 1), end=date(2026, 12, 31))
ALTERED = [t for t in TAMPERINGS if t != "genuine"]
FOUND_IN_THE_FILE: dict[Tampering, tuple[tuple[Kind, ...], str]] = {
    "font": (("text_pdf",), "font_mismatch"),
    "font_line_end": (("text_pdf",), "font_mismatch"),
    "font_alone": (("text_pdf",), "font_mismatch"),
    "white_patch": (KINDS, "white_patch"),
    "online_editor": (KINDS, "online_editor"),
}
"""Signs of alteration the file itself shows, and in which forms (a figure's font is known only
in a text layer; a scan or photo of it is caught by what the figure says)."""
NO_CREDIT = ("zero_credit", "attendance_only", "post_test_failed", "negated_approval")


@cache
def read(tampering: Tampering, kind: Kind) -> Reading:
    sample = tampered(tampering, kind)
    return read_file(sample.data, sample.media_type)


def judged(tampering: Tampering, kind: Kind, declared: CreditDetails | None = None) -> Assessment:
    reading = read(tampering, kind)
    fields = reading.fields
    return assess(
        reading.text,
        fields,
        declared=declared or tampered(tampering, kind).declared,
        person_name=PERSON,
        bodies=("ARDMS", "ARRT"),
        provider=ProviderDirectory.with_tenant().find(fields.provider) if fields.provider else None,
        thresholds=Thresholds(),
        uploaded_on=UPLOADED,
        windows={"ARDMS": (CYCLE,), "ARRT": (CYCLE,)},
        signals=reading.signals,
    )


@pytest.mark.parametrize("kind", KINDS)
def test_the_genuine_certificate_shows_no_sign_of_alteration(kind: Kind) -> None:
    assert read("genuine", kind).signals.signals == ()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("tampering", ALTERED)
def test_an_altered_or_no_credit_certificate_is_never_verified(
    tampering: Tampering, kind: Kind
) -> None:
    assessment = judged(tampering, kind)
    assert assessment.outcome != "verified", assessment.reasons
    forms, sign = FOUND_IN_THE_FILE.get(tampering, ((), ""))
    if kind in forms:
        assert sign in [s.kind for s in read(tampering, kind).signals.signals]
        [altered] = [r for r in assessment.reasons if r.code == "altered"]
        assert altered.evidence
    if tampering in NO_CREDIT and assessment.reading and assessment.reading.confidence >= 0.7:
        assert assessment.outcome == "rejected", assessment.reasons


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("factor", [Decimal(10), Decimal("0.1")], ids=["ten-times", "a-tenth"])
def test_a_declared_figure_off_by_a_factor_of_ten_is_never_verified(
    kind: Kind, factor: Decimal
) -> None:
    genuine = tampered("genuine", kind).declared
    declared = msgspec.structs.replace(genuine, credits=genuine.credits * factor)
    assessment = judged("genuine", kind, declared)
    assert assessment.outcome != "verified"
    assert "credits_mismatch" in [r.code for r in assessment.reasons]
