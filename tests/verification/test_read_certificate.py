"""Reading certificate files: text layers, scans and photos are read; encrypted, corrupt,
empty and oversized files come back as "none" with a reason for people, never an exception."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from random import Random

import pytest
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from pypdf import PageObject, PdfReader, PdfWriter

from services.core.reading import text as certificate_text
from services.core.reading.fields import find_fields_in
from services.core.reading.text import (
    ENCRYPTED,
    TOO_LARGE,
    TOO_MUCH_TEXT,
    UNREADABLE,
    ReadText,
    read_certificate,
)
from tests.certificate_files import pdf_bomb, png
from tests.fixtures.certificates.canvas import Page, to_image, to_pdf
from tests.fixtures.certificates.degrade import scanned_pdf
from tests.fixtures.certificates.facts import Facts
from tests.fixtures.certificates.layouts import LAYOUTS

pytestmark = pytest.mark.ocr

ASRT = next(layout for layout in LAYOUTS if layout.name == "asrt")
FACTS = Facts(
    name="Ingrid Halvorsen",
    postnominals="RDMS",
    title=ASRT.titles[0],
    provider=ASRT.provider,
    first_day=None,
    last_day=None,
    completed_on=None,
    credits=Decimal("1.5"),
    approved_credits=Decimal("1.5"),
    certificate_number="20260303-55121",
    approval_number="12345678",
    variant=0,
)


def certificate_page() -> Page:
    page, _ = ASRT.draw(FACTS, Random(3))
    return page


def jpeg(image: Image.Image, exif: bytes = b"") -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif)
    return out.getvalue()


def encrypted(pdf: bytes, user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def assert_nothing_read(read: ReadText, reason: str) -> None:
    assert (read.text, read.source, read.confidence) == ("", "none", 0.0)
    assert read.problem is not None
    assert read.problem.code == reason


def test_a_text_pdf_is_read_from_its_text_layer_with_full_confidence() -> None:
    read = read_certificate(to_pdf(certificate_page()), "application/pdf")
    assert (read.source, read.confidence, read.problem) == ("text_layer", 1.0, None)
    assert "Ingrid Halvorsen, RDMS" in read.text
    assert "Imaging of Pediatric Fractures" in read.text


def test_a_scanned_pdf_without_text_layer_is_read_by_ocr() -> None:
    read = read_certificate(scanned_pdf(certificate_page(), Random(1)), "application/pdf")
    assert read.source == "ocr"
    assert read.problem is None
    assert 0.8 < read.confidence <= 1.0
    assert "Ingrid Halvorsen" in read.text


def test_a_photo_that_lost_half_its_text_is_read_with_low_confidence() -> None:
    """The confidence is the share of the lettering read, not how sure OCR is of the words it
    read: with everything below the name (about half the text) smeared past reading, it falls
    below the 0.70 needed to verify."""
    whole = to_image(certificate_page(), 150).convert("L")
    below_name = round(whole.height * 0.3)
    lower = whole.crop((0, below_name, whole.width, whole.height))
    damaged = whole.copy()
    damaged.paste(
        lower.filter(ImageFilter.BoxBlur(3)).point(lambda v: 40 if v < 230 else 255),
        (0, below_name),
    )
    intact = read_certificate(jpeg(whole), "image/jpeg")
    read = read_certificate(jpeg(damaged), "image/jpeg")
    assert intact.confidence > 0.8
    assert read.source == "ocr"
    assert "Ingrid Halvorsen" in read.text
    assert read.confidence < 0.7


def test_a_photo_of_a_sheet_on_a_desk_is_warped_flat_before_it_is_read() -> None:
    """A sheet photographed at an angle (keystoned and turned) on a dark desk: its corners are
    found and it is read as if lying flat."""
    sheet = to_image(certificate_page(), 150).convert("RGB")
    w, h = sheet.size
    desk = Image.new("RGB", (w + 400, h + 400), (70, 55, 40))
    desk.paste(sheet, (200, 200))
    quad = (120, 60, 80, h + 330, w + 330, h + 390, w + 280, 150)  # where the output samples
    tilted = desk.transform(desk.size, Image.Transform.QUAD, quad, fillcolor=(70, 55, 40))
    flat = certificate_text._flattened(tilted.convert("L"))
    assert flat is not None
    assert abs(flat.width / flat.height - w / h) < 0.15
    read = read_certificate(jpeg(tilted), "image/jpeg")
    assert "Ingrid Halvorsen" in read.text
    assert "Imaging of Pediatric Fractures" in read.text


def test_a_heading_printed_white_on_a_dark_band_at_the_sheet_edge_is_read() -> None:
    """A provider's name in white on a dark grey (or red) band across the top of a scan: the
    band is not taken for the surface around the sheet, and its lettering is read."""
    sheet = to_image(certificate_page(), 150).convert("RGB")
    band_height = sheet.height // 9
    page = Image.new("RGB", (sheet.width, sheet.height + band_height), "white")
    page.paste(sheet, (0, band_height))
    draw = ImageDraw.Draw(page)
    draw.rectangle((0, 0, page.width, band_height), fill=(150, 20, 30))
    font = ImageFont.load_default(size=band_height // 3)
    draw.text((band_height, band_height // 4), "Lakeshore Imaging Academy", "white", font)
    read = read_certificate(jpeg(page), "image/jpeg")
    assert "Lakeshore Imaging Academy" in read.text
    assert "Ingrid Halvorsen" in read.text


def test_a_page_whose_lettering_was_all_read_is_not_read_again_as_one_block(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ink no word was read from that is not lettering (a signature's strokes) costs no second
    tesseract run: only lettering left unread does."""
    sheet = to_image(certificate_page(), 150).convert("L")
    page = Image.new("L", (sheet.width, sheet.height + 300), 255)
    page.paste(sheet)
    draw = ImageDraw.Draw(page)
    for offset in range(0, 240, 40):  # a signature below: strokes many text lines high
        draw.line((200 + offset, page.height - 40, 300 + offset, sheet.height), fill=0, width=12)
    configs: list[str] = []
    tesseract = certificate_text._tesseract

    def counted(image: Image.Image, config: str = certificate_text.TESSERACT_CONFIG) -> object:
        configs.append(config)
        return tesseract(image, config)

    monkeypatch.setattr(certificate_text, "_tesseract", counted)
    read = read_certificate(jpeg(page), "image/jpeg")
    assert "Ingrid Halvorsen" in read.text
    assert read.confidence > 0.9
    assert configs == [certificate_text.TESSERACT_CONFIG]


def ruled_transcript(padding: float, size: float, *, shaded_header: bool) -> Page:
    """A transcript whose activity sits in a ruled table, its cells ``padding`` points from
    the rules: letters touch the rules once thickened, so the page's marks of letter size
    leave the table out."""
    page = Page(792, 612)
    page.text(396, 70, "Northfield Imaging Education", "serif", 20, align="center")
    page.text(396, 100, "Continuing Education Transcript", "serif", 14, align="center")
    page.text(72, 140, "Participant: Ingrid Halvorsen, RDMS", "sans", 11)
    columns, top, height = (72, 160, 470, 560, 720), 160, 22
    rows = [
        ("Completed", "Activity Title", "Credits", "Category"),
        ("03/03/2026", "Vascular Ultrasound Update 2026", "1.5", "ARRT Category A"),
    ]
    if shaded_header:
        page.box(72, top, 648, height, width=0, fill=(200, 200, 200))
    for n, row in enumerate(rows):
        for x, cell in zip(columns, row, strict=False):
            page.text(x + padding, top + (n + 1) * height - 7, cell, "sans", size)
    bottom = top + len(rows) * height
    for y in range(top, bottom + 1, height):
        page.rule(72, y, 720, y, 1.5)
    for x in columns:
        page.rule(x, top, x, bottom, 1.5)
    page.text(72, bottom + 30, "Certificate # 20260303-55121", "sans", 10)
    page.paragraph(
        72,
        bottom + 55,
        640,
        "This activity is approved by the American Society of Radiologic Technologists for "
        "1.5 Category A credits.",
    )
    return page


@pytest.mark.parametrize(
    ("padding", "size", "shaded_header"),
    [(2, 10, True), (1, 9, False)],
    ids=["shaded-header", "tight-cells"],
)
def test_a_ruled_table_the_first_reading_skips_is_read_with_its_rules_erased(
    padding: float, size: float, *, shaded_header: bool
) -> None:
    """A table's cells the automatic layout skips leave the share of lettering read high,
    because letters joined to the rules are not counted as lettering; measured without the
    rules, the lettering left unread shows, and the page is read again with them erased."""
    page = ruled_transcript(padding, size, shaded_header=shaded_header)
    image = to_image(page, 150).convert("L")
    out = io.BytesIO()
    image.save(out, "PNG")
    read = read_certificate(out.getvalue(), "image/png")
    fields = find_fields_in(read.text)
    assert "Vascular Ultrasound Update 2026" in (fields.title or "")
    assert fields.completed_on == date(2026, 3, 3)
    assert fields.credits == Decimal("1.5")
    assert read.confidence > 0.9


@pytest.mark.parametrize("turn", [Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_180])
def test_a_photo_lying_sideways_or_upside_down_is_turned_upright(turn: Image.Transpose) -> None:
    upright = to_image(certificate_page(), 150)
    read = read_certificate(jpeg(upright.transpose(turn)), "image/jpeg")
    assert read.source == "ocr"
    assert "Ingrid Halvorsen" in read.text


def test_a_photo_stored_sideways_is_shown_upright_by_its_exif_orientation() -> None:
    upright = to_image(certificate_page(), 150)
    tags = Image.Exif()
    tags[0x0112] = 6  # rotate 90° clockwise to display
    data = jpeg(upright.transpose(Image.Transpose.ROTATE_90), tags.tobytes())
    assert "Ingrid Halvorsen" in read_certificate(data, "image/jpeg").text


def test_a_transparent_png_is_read_on_white() -> None:
    ink = to_image(certificate_page(), 150).convert("L").point(lambda v: 255 - v)
    clear = Image.new("RGBA", ink.size, (0, 0, 0, 0))
    clear.putalpha(ink)
    out = io.BytesIO()
    clear.save(out, "PNG")
    assert "Ingrid Halvorsen" in read_certificate(out.getvalue(), "image/png").text


def test_a_password_protected_pdf_asks_for_an_unprotected_copy() -> None:
    read = read_certificate(encrypted(to_pdf(certificate_page()), "secret"), "application/pdf")
    assert_nothing_read(read, "encrypted")
    assert read.problem == ENCRYPTED
    assert "password-protected" in ENCRYPTED.message


def test_a_pdf_restricted_only_by_an_owner_password_opens_and_is_read() -> None:
    read = read_certificate(encrypted(to_pdf(certificate_page()), ""), "application/pdf")
    assert read.source == "text_layer"
    assert "Ingrid Halvorsen" in read.text


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (b"%PDF-1.7\n" + bytes(range(256)) * 20 + b"\n%%EOF\n", "application/pdf"),
        (to_pdf(certificate_page())[:-900] + b"\n%%EOF\n", "application/pdf"),
        (png()[:8] + b"\x00" * 300 + png()[-12:], "image/png"),
        (b"\xff\xd8\xff\xe0" + b"\x13" * 500 + b"\xff\xd9", "image/jpeg"),
    ],
    ids=["pdf-garbage", "pdf-cut", "png-garbage", "jpeg-garbage"],
)
def test_a_corrupt_file_is_unreadable_not_an_error(data: bytes, media_type: str) -> None:
    read = read_certificate(data, media_type)  # type: ignore[arg-type]
    assert_nothing_read(read, "unreadable")
    assert read.problem == UNREADABLE


def test_a_blank_page_is_unreadable() -> None:
    blank = FPDF()
    blank.add_page()
    assert_nothing_read(read_certificate(bytes(blank.output()), "application/pdf"), "unreadable")
    white = Image.new("L", (1200, 1600), 255)
    assert_nothing_read(read_certificate(jpeg(white), "image/jpeg"), "unreadable")


def test_an_image_over_the_pixel_limit_is_refused_before_it_is_decoded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = jpeg(to_image(certificate_page(), 100))
    monkeypatch.setattr(certificate_text, "MAX_PIXELS", 500_000)
    read = read_certificate(data, "image/jpeg")
    assert_nothing_read(read, "unreadable")
    assert read.problem == TOO_LARGE


def test_a_scanned_page_image_over_the_pixel_limit_is_refused_before_it_is_decoded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = scanned_pdf(certificate_page(), Random(2))
    monkeypatch.setattr(certificate_text, "MAX_PIXELS", 500_000)
    monkeypatch.setattr(
        certificate_text,
        "_ocr",
        lambda image: pytest.fail("an oversized image was decoded and read"),
    )
    assert read_certificate(data, "application/pdf").problem == TOO_LARGE


def test_only_the_first_pages_of_a_long_pdf_are_read() -> None:
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for number in range(1, certificate_text.MAX_PDF_PAGES + 6):
        pdf.add_page()
        pdf.multi_cell(0, 8, f"Page marker {number}. " + "Continuing education record. " * 8)
    read = read_certificate(bytes(pdf.output()), "application/pdf")
    assert f"Page marker {certificate_text.MAX_PDF_PAGES}." in read.text
    assert f"Page marker {certificate_text.MAX_PDF_PAGES + 1}." not in read.text


def test_a_decompression_bomb_is_refused_before_its_text_is_extracted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """11 KB, ten pages sharing one content stream of 3 MiB: extracting its text took minutes
    and finding fields in it hours. Its pages are measured and skipped, unparsed."""
    bomb = pdf_bomb()
    assert len(bomb) < 16 * 1024
    monkeypatch.setattr(
        PageObject, "extract_text", lambda *_, **__: pytest.fail("the bomb's text was extracted")
    )
    read = read_certificate(bomb, "application/pdf")
    assert_nothing_read(read, "unreadable")
    assert read.problem == TOO_MUCH_TEXT


def test_a_text_layer_over_the_page_limit_is_cut_and_sent_to_review(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(certificate_text, "MAX_PAGE_CHARS", 200)
    read = read_certificate(to_pdf(certificate_page()), "application/pdf")
    assert read.source == "text_layer"
    assert 100 < len(read.text) <= 200
    assert read.problem == TOO_MUCH_TEXT


def test_a_ruled_box_on_a_scan_is_not_taken_for_the_sheet_of_paper() -> None:
    """A scan whose fields stand in a ruled box below the provider's heading: the box, the
    largest shape its edges draw, has the same paper outside as inside, so it is no sheet on a
    surface; the page is read whole, the heading above the box too."""
    page = Image.new("L", (1700, 2200), 246)
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=44)
    draw.text((90, 110), "Lakeshore Imaging Academy", 0, font)
    draw.rectangle((90, 260, 1610, 1200), outline=60, width=4)
    draw.text((140, 320), "Participant Name    Ingrid Halvorsen", 0, font)
    draw.text((140, 420), "Activity Title    Imaging of Pediatric Fractures", 0, font)
    assert certificate_text._flattened(page) is None
    read = read_certificate(jpeg(page), "image/jpeg")
    assert "Lakeshore Imaging Academy" in read.text
    assert "Ingrid Halvorsen" in read.text


def test_lettering_on_a_light_tint_at_the_edge_of_a_scan_is_read() -> None:
    """A scan with a light grey panel down its left edge holding the provider and the date:
    the panel is barely darker than the paper, so it is printed on the sheet, not the surface
    around it, and its lettering is read with the rest."""
    page = Image.new("L", (1700, 2200), 248)
    draw = ImageDraw.Draw(page)
    draw.rectangle((0, 0, 460, 2200), fill=234)
    font = ImageFont.load_default(size=40)
    draw.text((40, 600), "PROVIDER", 40, font)
    draw.text((40, 660), "Lakeshore Imaging", 40, font)
    draw.text((560, 300), "Certificate of Completion", 0, ImageFont.load_default(size=64))
    draw.text((560, 500), "Ingrid Halvorsen", 0, font)
    read = read_certificate(jpeg(page), "image/jpeg")
    assert "Ingrid Halvorsen" in read.text
    assert "Lakeshore Imaging" in read.text


def test_a_printed_rule_across_the_page_is_not_lettering_left_unread() -> None:
    """A long thin rule under the heading, a little askew, is as high as a small letter, but
    it holds no letters: a page whose words are all read keeps a confidence near
    1, and a page that lost half its lettering still scores low with the rule on it."""
    sheet = to_image(certificate_page(), 150).convert("RGB")
    draw = ImageDraw.Draw(sheet)
    rule = sheet.height // 7
    draw.line((60, rule, sheet.width - 60, rule + 6), fill="black", width=2)
    read = read_certificate(jpeg(sheet), "image/jpeg")
    assert "Ingrid Halvorsen" in read.text
    assert read.confidence > 0.8
    below_name = sheet.height // 3
    damaged = sheet.copy()
    lower = sheet.crop((0, below_name, sheet.width, sheet.height))
    damaged.paste(
        lower.filter(ImageFilter.BoxBlur(3)).point(lambda v: 40 if v < 230 else 255),
        (0, below_name),
    )
    assert read_certificate(jpeg(damaged), "image/jpeg").confidence < 0.7
