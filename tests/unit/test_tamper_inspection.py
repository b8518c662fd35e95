"""inspect_file never raises for a bad file and sees no patch on a clean rendering (no grain
to compare a white patch with): only the files a camera or scanner made are judged."""

from __future__ import annotations

import io
from random import Random

import pytest

from domain.credits.verification import NO_SIGNALS
from services.core.reading.tamper import inspect_file
from tests.fixtures.certificates.canvas import to_image
from tests.fixtures.certificates.layouts import LAYOUTS
from tests.fixtures.certificates.tampered import FACTS

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (b"%PDF-1.7\n%%EOF", "application/pdf"),
        (b"\x89PNG\r\n\x1a\nbroken", "image/png"),
        (b"\xff\xd8\xff\xe0broken\xff\xd9", "image/jpeg"),
    ],
)
def test_a_file_that_cannot_be_inspected_shows_no_signal(data: bytes, media_type: str) -> None:
    assert inspect_file(data, media_type) == NO_SIGNALS  # type: ignore[arg-type]


def test_a_clean_rendering_with_white_boxes_shows_no_patch() -> None:
    [layout] = [layout for layout in LAYOUTS if layout.name == "gulfcoast"]
    page, _ = layout.draw(FACTS, Random(1))
    page.box(300, 400, 120, 30, width=0, fill=(255, 255, 255))
    page.text(310, 420, "12.5", "sans", 12)
    out = io.BytesIO()
    to_image(page, 150).save(out, "PNG")
    assert inspect_file(out.getvalue(), "image/png") == NO_SIGNALS
