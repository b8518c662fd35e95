"""A credit figure altered in another font, on a phone photo: tesseract's words carry no font,
so the font check of a text layer cannot see it; the figure is held up by its own check, the
approval statement's amount, even where OCR glued the credit row to the statement. The case is
the development set's (no held-out layout)."""

from __future__ import annotations

import pytest

from domain.compliance.cycles import Window
from domain.credits.verification import Thresholds, assess
from services.core.reading.process import read
from tests.fixtures.certificates_wild import DEVELOPMENT
from tests.fixtures.certificates_wild.corpus import make_case

pytestmark = pytest.mark.ocr
SEED = 7
RECEIPT = next(layout for layout in DEVELOPMENT if layout.name == "glued_labels_receipt")


def test_a_credit_figure_altered_in_another_font_on_a_photo_is_held_up_by_the_statement() -> None:
    case = make_case(SEED, RECEIPT, "photo", 2)
    assert case.scenario == "altered_font"
    reading = read(case.data, case.media_type)
    start, end = case.window
    assessment = assess(
        reading.text,
        reading.fields,
        declared=case.declared,
        person_name=reading.fields.participant_name or "",  # the name is not what holds it up
        bodies=case.bodies,
        provider=None,
        thresholds=Thresholds(),
        uploaded_on=case.uploaded_on,
        windows={body: (Window(start=start, end=end),) for body in case.bodies},
        signals=reading.signals,
    )
    assert assessment.outcome == "needs_review"
    assert any(
        r.code == "credits_mismatch" and "its accreditation statement approves" in r.message
        for r in assessment.reasons
    )
