"""Reading, finding and assessing together, as the worker does, on generated certificates:
forged or mismatched ones (wrong name, altered credits, unknown provider, no pre-printed dates
or provider) are never verified, whatever form they come in, and genuine text PDFs are."""

from __future__ import annotations

from datetime import date

import pytest

from domain.compliance.cycles import Window
from domain.credits.providers import ProviderDirectory
from domain.credits.verification import Assessment, Thresholds, assess
from domain.people.credentials import Body
from services.core.reading.process import read
from tests.fixtures.certificates import Sample, build_corpus
from tests.verification_support import declared_credit

pytestmark = pytest.mark.ocr
SEED = 7
TODAY = date(2026, 11, 26)
CYCLE = Window(start=date(2024, 1, 1), end=date(2026, 12, 31))
WINDOWS: dict[Body, tuple[Window, ...]] = {"ARDMS": (CYCLE,), "ARRT": (CYCLE,)}
"""A CE period holding every date the generator prints."""


def worker_assessment(sample: Sample) -> Assessment:
    """What the worker concludes for ``sample`` declared by its owner, who holds ARDMS and ARRT
    credentials (between them, every credit type the layouts print is accepted by one), with
    what the file shows of alteration (a genuine one shows none)."""
    reading = read(sample.data, sample.media_type)
    fields = reading.fields
    owner = sample.declared.participant_name
    assert owner is not None
    return assess(
        reading.text,
        fields,
        declared=declared_credit(sample),
        person_name=owner,
        bodies=("ARDMS", "ARRT"),
        provider=ProviderDirectory.with_tenant().find(fields.provider) if fields.provider else None,
        thresholds=Thresholds(),
        uploaded_on=TODAY,
        windows=WINDOWS,
        signals=reading.signals,
    )


@pytest.fixture(scope="module")
def judged() -> list[tuple[Sample, Assessment]]:
    text = build_corpus(SEED, 1, ("text_pdf",), forged_per_layout=5)
    samples = text + build_corpus(SEED, 0, ("photo",), forged_per_layout=1)
    # One file at a time, as a reader process reads them: PDFium is not thread-safe.
    return [(sample, worker_assessment(sample)) for sample in samples]


def test_no_forged_or_mismatched_certificate_is_verified_and_an_unlisted_provider_is_noted(
    judged: list[tuple[Sample, Assessment]],
) -> None:
    forged = [(s, a) for s, a in judged if s.forgery is not None]
    assert len({s.forgery for s, _ in forged}) == 5, "every kind of forgery is exercised"
    verified = [s.sample_id for s, a in forged if a.outcome == "verified"]
    assert [v for v in verified if "unknown_provider" not in v] == []
    for sample, assessment in forged:
        if assessment.outcome == "verified":
            # a provider missing from the directory, vouched for by its accreditor's statement,
            # is only noted
            assert [n.code for n in assessment.notes] == ["provider_not_listed"]
        else:
            assert assessment.reasons, sample.sample_id


def test_genuine_text_pdfs_are_verified(judged: list[tuple[Sample, Assessment]]) -> None:
    genuine = [(s, a) for s, a in judged if s.forgery is None and s.kind == "text_pdf"]
    assert len(genuine) >= 8
    doubted = {s.sample_id: [r.message for r in a.reasons] for s, a in genuine if a.reasons}
    assert len(doubted) <= len(genuine) // 8, doubted
