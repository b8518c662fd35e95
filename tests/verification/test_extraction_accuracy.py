"""Field accuracy of reading plus finding on a small generated corpus (fixed seed): every
layout as a genuine and a forged text PDF, a genuine scanned PDF and a forged phone photo.

The thresholds sit a little under the benchmark's targets (``bench.verification``: 95 % on text
PDFs, 85 % on images) so that one unlucky OCR word does not fail the build.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from domain.credits.fields import find_fields
from domain.credits.verification import ExtractedFields
from services.core.reading.text import read_certificate
from tests.fixtures.certificates import Kind, Sample, build_corpus
from tests.fixtures.certificates.facts import FAKE_PROVIDERS
from tests.fixtures.certificates.layouts import LAYOUTS, Layout
from tests.fixtures.certificates.score import Tally

pytestmark = pytest.mark.ocr
SEED = 20261126
THRESHOLDS: dict[Kind, float] = {"text_pdf": 0.93, "scanned_pdf": 0.80, "photo": 0.80}


CORPUS: list[tuple[Layout, Kind, int, int]] = [
    (layout, kind, genuine, forged)
    for layout in LAYOUTS
    for kind, genuine, forged in (("text_pdf", 1, 1), ("scanned_pdf", 1, 0), ("photo", 0, 1))
]


@pytest.fixture(scope="module")
def found() -> list[tuple[Sample, ExtractedFields]]:
    """Each sample with the fields found in it, made and read two at a time (tesseract runs
    in its own process)."""

    def make_and_read(part: tuple[Layout, Kind, int, int]) -> list[tuple[Sample, ExtractedFields]]:
        layout, kind, genuine, forged = part
        samples = build_corpus(SEED, genuine, (kind,), forged_per_layout=forged, layouts=[layout])
        return [
            (sample, find_fields(read_certificate(sample.data, sample.media_type).text))
            for sample in samples
        ]

    with ThreadPoolExecutor(2) as pool:
        return [pair for pairs in pool.map(make_and_read, CORPUS) for pair in pairs]


@pytest.mark.parametrize("kind", THRESHOLDS)
def test_enough_fields_are_found_right(
    found: list[tuple[Sample, ExtractedFields]], kind: Kind
) -> None:
    tally = Tally()
    wrong = {
        sample.sample_id: misses
        for sample, fields in found
        if sample.kind == kind and (misses := tally.add(fields, sample.truth))
    }
    assert sum(tally.scored.values()) >= 80, "too few fields were scored to judge"
    assert tally.accuracy >= THRESHOLDS[kind], f"{tally.accuracy:.3f} right; wrong: {wrong}"


def test_forgeries_in_text_pdfs_show_in_the_fields_found(
    found: list[tuple[Sample, ExtractedFields]],
) -> None:
    """What a verifier compares: the found field differs from the declared one exactly where
    the certificate was forged."""
    for sample, fields in found:
        if sample.kind != "text_pdf" or sample.forgery is None:
            continue
        if sample.forgery == "wrong_name":
            assert fields.participant_name == sample.truth.participant_name
            assert fields.participant_name != sample.declared.participant_name
        elif sample.forgery == "altered_credits":
            statement = fields.accreditation_statement or ""
            assert fields.credits == sample.declared.credits
            assert f"{fields.credits}" not in statement, "the statement keeps the real amount"
        elif sample.forgery == "unknown_provider":
            assert fields.provider == sample.truth.provider
            assert fields.provider in FAKE_PROVIDERS
        elif sample.forgery == "missing_dates":
            assert (fields.activity_date, fields.completed_on) == (None, None)
        else:
            assert fields.provider is None
