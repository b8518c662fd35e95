"""Reading a file (as the reader process does) never raises for a bad file, which shows no
sign of alteration; it sees no patch on a clean rendering (no grain to compare a white patch
with): only the files a camera or scanner made are judged. A figure
ending its line, or alone on it, stands out in a font family no other word of the page is in
(a text tool's); another weight or size, or a form's values in their own family, are design."""

from __future__ import annotations

import io
from random import Random

import pytest

from domain.credits.verification import NO_SIGNALS
from services.core.reading.process import read
from tests.fixtures.certificates.canvas import LETTER, Page, to_image, to_pdf
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
    assert read(data, media_type).signals == NO_SIGNALS  # type: ignore[arg-type]


def test_a_clean_rendering_with_white_boxes_shows_no_patch() -> None:
    [layout] = [layout for layout in LAYOUTS if layout.name == "gulfcoast"]
    page, _ = layout.draw(FACTS, Random(1))
    page.box(300, 400, 120, 30, width=0, fill=(255, 255, 255))
    page.text(310, 420, "12.5", "sans", 12)
    out = io.BytesIO()
    to_image(page, 150).save(out, "PNG")
    assert read(out.getvalue(), "image/png").signals == NO_SIGNALS


def _page(*texts: tuple[float, float, str, str, float]) -> bytes:
    """A text PDF with a body paragraph in serif and ``texts`` (x, y, text, font, size)."""
    page = Page(*LETTER)
    for y in (100, 115, 130):
        page.text(60, y, "This activity was held on 14 March 2026 in St. Petersburg", "serif", 11)
    for x, y, text, font, size in texts:
        page.text(x, y, text, font, size)
    return to_pdf(page)


def _font_mismatches(data: bytes) -> list[str]:
    signals = read(data, "application/pdf").signals.signals
    return [s.words for s in signals if s.kind == "font_mismatch"]


def test_a_figure_ending_its_line_in_another_family_is_found() -> None:
    data = _page((60, 200, "Credits awarded:", "serif", 11), (180, 200.6, "8.0", "sans", 11.5))
    assert _font_mismatches(data) == ["8.0"]


def test_a_figure_alone_on_its_line_in_another_family_than_the_page_is_found() -> None:
    data = _page((60, 200, "8.0", "mono", 11))
    assert _font_mismatches(data) == ["8.0"]


def test_another_weight_or_size_or_a_form_s_values_in_their_own_family_are_no_sign() -> None:
    data = _page(
        (60, 200, "Credits awarded:", "serif-bold", 11),
        (180, 200, "8.0", "serif", 11),
        (60, 240, "3.25", "serif-bold", 28),
        (60, 280, "Date:", "serif", 11),
        (180, 280, "1/14/26", "sans", 11),
        (60, 300, "Credits:", "serif", 11),
        (180, 300, "2.25", "sans", 11),
    )
    assert _font_mismatches(data) == []
