"""Reading the text off a certificate file: a PDF's text layer, or OCR (tesseract) of photos,
images and scanned pages.

``read_certificate`` blocks (the worker runs it in a child process with a time limit,
``services.core.reading.process``) and never raises for a bad file: an encrypted, corrupt or
unreadable file comes back with ``source="none"`` and a review reason for people. The work is
bounded before it starts so that a hostile file (a decompression bomb: a few kilobytes that
expand to megabytes of text) cannot exhaust the worker: bytes decompressed per stream and per
file, content read per page, characters kept per page and in all, pages read, pages and images
sent to OCR, pixels decoded and seconds per tesseract run all have limits.
"""

from __future__ import annotations

import ctypes
import io
import itertools
import math
import os
from collections.abc import Iterator, Sequence
from typing import Any

import cv2
import msgspec
import numpy as np
import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pypdfium2.raw as pdfium_c  # type: ignore[import-untyped]
import pytesseract  # type: ignore[import-untyped]
import structlog
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps, ImageStat
from pypdf import PageObject, PasswordType, PdfReader, apply_configuration
from pypdf.errors import DependencyError, FileNotDecryptedError

from domain.credits.certificate import MediaType
from domain.credits.fields import MAX_TEXT_CHARS
from domain.credits.verification import ReviewReason, Signal, TextSource
from services.core.reading import layout, tamper

MAX_PDF_PAGES = 10
"""Pages whose text layer is read; a certificate is one or two pages, a transcript a few."""
MAX_STREAM_BYTES = 8 * 1024 * 1024
"""Bytes one PDF stream may decompress to (pypdf stops decoding beyond, the file is unreadable)."""
MAX_PAGE_CONTENT_BYTES = 1024 * 1024
"""Bytes of drawing instructions a page may hold for its text layer to be read (a certificate
page holds 5-300 KB; extracting text takes about 4 s per MiB)."""
MAX_CONTENT_BYTES = 2 * MAX_PAGE_CONTENT_BYTES
"""Bytes of drawing instructions read over all pages (pages sharing one stream count each time)."""
MAX_PAGE_CHARS = 20_000
"""Characters kept of one page's text (a dense transcript page holds about 5 000)."""
MAX_OCR_PAGES = 3
"""Scanned pages sent to OCR (each costs about a second)."""
MAX_IMAGES_PER_PAGE = 4
MAX_PIXELS = 40_000_000
"""Largest image decoded (a 12-megapixel phone photo is 12 000 000), checked before decoding."""
MIN_OCR_SIDE = 300
"""Images smaller than this on either side (logos, signatures, rules) are not read."""
OCR_LONG_SIDE = (1800, 2500)
"""Images are scaled so that their long side lies in this range before OCR: small ones are
enlarged (tesseract wants letters 20-30 px high), large ones reduced (time grows with pixels)."""
OCR_TIMEOUT_SECONDS = 30
MIN_PAGE_LETTERS = 100
"""A PDF page with fewer letters in its text layer is treated as scanned: its images are read."""
MIN_LETTERS = 20
"""Less text than this in the whole file reads as nothing."""
SKEW_SEARCH_DEGREES = 5
NOISE_LEVEL = 3.0
"""Mean grey-level change a 3x3 median makes to the paper above which an image counts as
noisy (phone photos measure up to 8, clean scans 1-2.5)."""
TESSERACT_CONFIG = "--oem 1 --psm 3"
"""Automatic page layout: finds text of every size and leaves pictures and borders alone."""
TABLE_CONFIG = "--oem 1 --psm 6"
"""One uniform block, read row by row: reads the ruled tables the automatic layout skips."""
MISSED_INK = 0.03
"""Share of the page's pixel rows holding ink no word was read from, above which the page may
hold text the automatic layout skipped."""
READ_IN_FULL = 0.9
"""Share of the page's lettering read (``_coverage``) from which a page with ink left unread is
not read again as one block: that ink is a seal, a signature or a picture, not text."""

ENCRYPTED = ReviewReason(
    code="encrypted", message="the PDF is password-protected; upload an unprotected copy"
)
UNREADABLE = ReviewReason(
    code="unreadable",
    message="no text could be read from the file; upload the original PDF or a sharper, "
    "well-lit photo of the whole certificate",
)
TOO_LARGE = ReviewReason(
    code="unreadable",
    message=f"the image is too large to read (over {MAX_PIXELS // 1_000_000} megapixels); "
    "upload a smaller photo or the original PDF",
)
TOO_MUCH_TEXT = ReviewReason(
    code="unreadable",
    message="the file holds far more text than a certificate and was not read in full; "
    "upload the certificate on its own",
)
_log = structlog.get_logger("cmeledger.certificates")

# tesseract's OpenMP threads spin while they wait for a core: where OCR runs share a few busy
# cores (the worker's threads, other processes) one thread per run is several times faster.
# A deployment that wants more sets OMP_THREAD_LIMIT itself.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")


class ReadText(msgspec.Struct, frozen=True, kw_only=True):
    """The text of a certificate, where it came from and how sure the reading is: 1.0 for a
    PDF text layer, for OCR the share of the lettering read with confidence (0-1, ``_coverage``),
    0.0 when nothing was read."""

    text: str
    source: TextSource
    confidence: float
    problem: ReviewReason | None = None
    signals: tuple[Signal, ...] = ()
    """What the file showed of alteration as it was read (``tamper``: fonts and patches on the
    pages read, the producer, an image's editor); its words are judged by the caller."""


class _Ocr(msgspec.Struct, frozen=True):
    text: str
    words: int
    confidence: float
    """Mean word confidence, 0-1."""
    missed_ink: float = 0.0
    """Share of the page's pixel rows with ink outside every word read."""
    coverage: float = 0.0
    """Share of the page's lettering read with confidence (``_coverage``), 0-1."""
    read: tuple[layout.Word, ...] = ()
    """The words kept, with their boxes."""

    @property
    def score(self) -> float:
        """How much trustworthy text this reading holds; compares readings of one image."""
        return self.words * self.confidence**2


def read_certificate(data: bytes, media_type: MediaType) -> ReadText:
    """The text of a certificate file (PDF, PNG or JPEG, as sniffed at upload)."""
    try:
        if media_type == "application/pdf":
            return _read_pdf(data)
        return _read_image(data)
    except _TooLarge:
        return _nothing(TOO_LARGE)
    except Exception as error:  # a decoder's failure on a corrupt or hostile file
        _log.warning("certificate unreadable", media_type=media_type, error=repr(error)[:300])
        return _nothing(UNREADABLE)


class _TooLarge(Exception):
    """An image over ``MAX_PIXELS``, found before it was decoded."""


def _nothing(problem: ReviewReason) -> ReadText:
    return ReadText(text="", source="none", confidence=0.0, problem=problem)


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


# --- PDF ---------------------------------------------------------------------------------------


def _read_pdf(data: bytes) -> ReadText:
    with apply_configuration(
        zlib_maximum_output_length=MAX_STREAM_BYTES,
        lzw_maximum_output_length=MAX_STREAM_BYTES,
        run_length_maximum_output_length=MAX_STREAM_BYTES,
        brotli_maximum_output_length=MAX_STREAM_BYTES,
        array_based_stream_maximum_output_length=MAX_STREAM_BYTES,
    ):
        return _read_pdf_pages(PdfReader(io.BytesIO(data)), data)


def _read_pdf_pages(reader: PdfReader, data: bytes) -> ReadText:
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")
        except (DependencyError, NotImplementedError):
            opened = PasswordType.NOT_DECRYPTED
        if opened == PasswordType.NOT_DECRYPTED:
            return _nothing(ENCRYPTED)
    parts: list[str] = []
    readings: list[_Ocr] = []
    found = tamper.guarded(tamper.editor, reader.metadata or {})
    layer_words = scanned_pages = 0
    budget = _Budget()
    document: pdfium.PdfDocument | None = None
    try:
        for index, page in enumerate(reader.pages[:MAX_PDF_PAGES]):
            if not budget.admits(page):
                continue
            document = document or pdfium.PdfDocument(
                data, password="" if reader.is_encrypted else None
            )
            layer = budget.cut(_layer_text(document, index, budget, found))
            parts.append(layer)
            layer_words += len(layer.split())
            if _letters(layer) < MIN_PAGE_LETTERS and scanned_pages < MAX_OCR_PAGES:
                images = list(_page_images(page))
                scanned = [_ocr(image) for image in images]
                found += [s for image in images for s in tamper.guarded(tamper.patches, image)]
                scanned_pages += bool(scanned)
                readings += scanned
                parts += [reading.text for reading in scanned]
    except FileNotDecryptedError:
        return _nothing(ENCRYPTED)
    finally:
        if document is not None:
            document.close()
    text = "\n\n".join(part.strip() for part in parts if part.strip())
    problem = TOO_MUCH_TEXT if budget.exceeded or len(text) > MAX_TEXT_CHARS else None
    text = text[:MAX_TEXT_CHARS]
    if _letters(text) < MIN_LETTERS:
        return _nothing(problem or UNREADABLE)
    ocr_words = sum(reading.words for reading in readings)
    if not ocr_words:
        return ReadText(
            text=text, source="text_layer", confidence=1.0, problem=problem, signals=tuple(found)
        )
    weighted = layer_words + sum(reading.words * reading.coverage for reading in readings)
    return ReadText(
        text=text,
        source="ocr",
        confidence=round(weighted / (layer_words + ocr_words), 3),
        problem=problem,
        signals=tuple(found),
    )


class _Budget:
    """The drawing instructions left to read (``MAX_CONTENT_BYTES``) and whether a page went
    over a limit: skipped (too much content) or its text cut (too many characters)."""

    def __init__(self) -> None:
        self.content_left = MAX_CONTENT_BYTES
        self.exceeded = False

    def admits(self, page: PageObject) -> bool:
        """Whether the page's drawing instructions (decompressed, not yet parsed) fit into
        ``MAX_PAGE_CONTENT_BYTES`` and the budget left; they are then taken from it. Neither
        its text nor its images are read otherwise (finding inline images parses them too)."""
        contents = page.get_contents()
        size = len(contents.get_data()) if contents is not None else 0
        if size > min(MAX_PAGE_CONTENT_BYTES, self.content_left):
            self.exceeded = True
            return False
        self.content_left -= size
        return True

    def cut(self, text: str) -> str:
        """``text`` up to ``MAX_PAGE_CHARS``."""
        if len(text) > MAX_PAGE_CHARS:
            self.exceeded = True
        return text[:MAX_PAGE_CHARS]


def _layer_text(
    document: pdfium.PdfDocument, index: int, budget: _Budget, found: list[Signal]
) -> str:
    """The text layer of page ``index`` laid out from its characters' boxes (``layout``); of a
    page holding more than ``MAX_PAGE_CHARS`` characters, the first (the budget is marked as
    exceeded). What the page shows of alteration is added to ``found``."""
    page = document[index]
    textpage = page.get_textpage()
    try:
        if textpage.count_chars() > MAX_PAGE_CHARS:
            budget.exceeded = True
        words = _layer_words(textpage, page.get_height())
        found += tamper.guarded(tamper.layer_signals, page, textpage)
    finally:
        textpage.close()
        page.close()
    return layout.page_text(layout.rows(layout.Row([word]) for word in words))


def _layer_words(textpage: pdfium.PdfTextPage, page_height: float) -> list[layout.Word]:
    """The words of a text layer (at most ``MAX_PAGE_CHARS`` characters): characters joined
    until a space, a gap of a quarter of a letter's height or a change of line; words set at an
    angle (a seal's lettering) are left out."""
    words: list[layout.Word] = []
    letters: list[str] = []
    box = [0.0, 0.0, 0.0, 0.0]
    rect = pdfium_c.FS_RECTF()
    first = 0

    def flush() -> None:
        if letters:
            angle = pdfium_c.FPDFText_GetCharAngle(textpage, first)
            if angle < 0.02 or angle > 2 * math.pi - 0.02:
                words.append(layout.Word("".join(letters), *box))
            letters.clear()

    for i, char in enumerate(_layer_chars(textpage)):
        if char.isspace() or not char.isprintable():
            flush()
            continue
        pdfium_c.FPDFText_GetLooseCharBox(textpage, i, rect)
        left, right = rect.left, rect.right
        top, bottom = page_height - rect.top, page_height - rect.bottom
        height = bottom - top
        if letters and (
            left - box[2] > 0.25 * height
            or left < box[2] - 0.5 * height
            or abs(top + bottom - box[1] - box[3]) > 0.8 * height
        ):
            flush()
        if letters:
            box = [box[0], min(box[1], top), max(box[2], right), max(box[3], bottom)]
        else:
            box, first = [left, top, right, bottom], i
        letters.append(char)
    flush()
    return words


def _layer_chars(textpage: pdfium.PdfTextPage) -> str:
    """The text layer's characters (at most ``MAX_PAGE_CHARS``), one per character index."""
    count = min(textpage.count_chars(), MAX_PAGE_CHARS)
    buffer = ctypes.create_string_buffer(2 * (count + 1))
    pdfium_c.FPDFText_GetText(
        textpage, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort))
    )
    chars = buffer.raw[: 2 * count].decode("utf-16-le", errors="replace")
    if len(chars) == count:
        return chars
    # characters outside the basic plane took two places: read them one by one
    return "".join(chr(pdfium_c.FPDFText_GetUnicode(textpage, i)) for i in range(count))


def _page_images(page: PageObject) -> Iterator[Image.Image]:
    """The page's images large enough to hold text, biggest first, each checked against
    ``MAX_PIXELS`` from its declared size before it is decoded."""
    sized = []
    for key in page.images.keys():  # noqa: SIM118 (iterating the images decodes them all)
        width, height = _declared_size(page, key)
        if min(width, height) >= MIN_OCR_SIDE:
            sized.append((width * height, key))
    for pixels, key in sorted(sized, key=lambda item: -item[0])[:MAX_IMAGES_PER_PAGE]:
        if pixels > MAX_PIXELS:
            raise _TooLarge
        image = page.images[key].image
        if image is not None:
            yield image


def _declared_size(page: PageObject, key: str | list[str]) -> tuple[int, int]:
    """Width and height an image XObject declares (inline images: decoded already, small)."""
    path = [key] if isinstance(key, str) else key
    if path[0].startswith("~"):
        image = page.images[key].image
        return image.size if image is not None else (0, 0)
    holder: Any = page
    for name in path:
        holder = holder["/Resources"]["/XObject"][name].get_object()
    return int(holder.get("/Width", 0)), int(holder.get("/Height", 0))


# --- images and OCR ----------------------------------------------------------------------------


def _read_image(data: bytes) -> ReadText:
    with Image.open(io.BytesIO(data)) as image:
        if image.width * image.height > MAX_PIXELS:
            raise _TooLarge
        found = tamper.guarded(tamper.image_signals, image)
        reading = _ocr(ImageOps.exif_transpose(image))
    if _letters(reading.text) < MIN_LETTERS:
        return _nothing(UNREADABLE)
    return ReadText(
        text=reading.text,
        source="ocr",
        confidence=round(reading.coverage, 3),
        signals=tuple(found),
    )


def _ocr(image: Image.Image) -> _Ocr:
    """Read an image: prepared and straightened; when the reading looks wrong, read again
    turned the way tesseract's orientation detection says (upside down when it cannot tell);
    when lettering was left unread, read again as one block, or, when the unread lettering
    touches rules (a ruled table's cells), with the rules erased; keep the better reading each
    time."""
    page = _prepared(image)
    straight = _deskewed(page)
    reading = _tesseract(straight)
    if _looks_wrong(reading):
        turned = _deskewed(page.rotate(-_orientation(page), expand=True, fillcolor=255))
        if (again := _tesseract(turned)).score > reading.score:
            reading, straight = again, turned
    if reading.missed_ink > MISSED_INK and reading.coverage < READ_IN_FULL:
        reading = max(reading, _tesseract(straight, TABLE_CONFIG), key=lambda ocr: ocr.score)
    elif (unruled := _without_rules(straight)) and _coverage(unruled, reading.read) < READ_IN_FULL:
        reading = max(reading, _tesseract(unruled), key=lambda ocr: ocr.score)
    return reading


RULE_LENGTH = 1 / 30
"""Share of the page's width from which a straight run of ink is a rule, not a letter."""


def _without_rules(page: Image.Image) -> Image.Image | None:
    """``page`` with its horizontal and vertical rules (table lines, borders, underlines)
    erased, so that letters touching them are marks of letter size again; None when it has
    none."""
    ink = (np.asarray(page) < 128).astype(np.uint8)
    length = max(20, round(page.width * RULE_LENGTH))
    rules = cv2.bitwise_or(
        cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, length), np.uint8)),
        cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((length, 1), np.uint8)),
    )
    if not rules.any():
        return None
    erased = np.asarray(page).copy()
    erased[rules.astype(bool)] = 255
    return Image.fromarray(erased)


def _prepared(image: Image.Image) -> Image.Image:
    """Grey, on white where transparent, cut to the sheet of paper, scaled into
    ``OCR_LONG_SIDE``, evened out (uneven light divided away) and contrast stretched; when
    noisy, also smoothed and its grainy paper made white."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        image = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image.alpha_composite(rgba)
    gray = _bands_lightened(image.convert("L"))
    gray = _flattened(gray) or _sheet(gray)
    low, high = OCR_LONG_SIDE
    long_side = max(gray.size)
    if long_side < low or long_side > high:
        scale = (low if long_side < low else high) / long_side
        size = (max(1, round(gray.width * scale)), max(1, round(gray.height * scale)))
        gray = gray.resize(size, Image.Resampling.LANCZOS)
    evened = _evened(gray)
    if _noise(evened) <= NOISE_LEVEL:
        return ImageOps.autocontrast(evened, cutoff=(1, 0))  # a clean scan keeps thin strokes
    # a photo's sensor noise: smoothed, then light grey (noisy paper) made white
    smoothed = evened.filter(ImageFilter.MedianFilter(3))
    return ImageOps.autocontrast(smoothed, cutoff=(1, 0)).point(_PAPER_WHITE)


BAND_SHAPE = (0.25, 0.02, 0.25)
"""A band of colour printed behind lettering is at least this share of the image wide and
between these shares of it high."""
BAND_LETTERING = (0.02, 0.45)
"""The share of light marks (lettering) a dark band must hold to be printed behind text,
rather than a picture or the surface a sheet lies on."""


def _bands_lightened(gray: Image.Image) -> Image.Image:
    """``gray`` with each dark band printed behind light lettering (a provider's name in white
    on a coloured heading band) turned into dark lettering on white, so that it is read and
    not taken for the surface around the sheet. A band: a dark region wide and low enough
    (``BAND_SHAPE``), dark over half its box, holding ``BAND_LETTERING`` of light marks;
    found on a copy about 600 pixels across."""
    pixels = np.asarray(gray)
    step = max(1, max(gray.size) // 600)
    small = cv2.resize(
        pixels, (gray.width // step, gray.height // step), interpolation=cv2.INTER_AREA
    )
    dark = cv2.morphologyEx((small < 128).astype(np.uint8), cv2.MORPH_CLOSE, np.ones((9, 9)))
    count, _, boxes, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    wide, low, high = BAND_SHAPE
    fewest, most = BAND_LETTERING
    lightened = pixels.copy()
    for left, top, width, height, _area in boxes[1:count]:
        box = small[top : top + height, left : left + width]
        if not (
            width >= wide * small.shape[1]
            and low * small.shape[0] <= height <= high * small.shape[0]
            and (box < 128).mean() >= 0.5
            and fewest <= (box >= 160).mean() <= most
        ):
            continue
        rows = slice(top * step, (top + height) * step)
        columns = slice(left * step, (left + width) * step)
        flipped = 255 - lightened[rows, columns].astype(np.float32)
        paper = max(float(np.median(flipped)), 1.0)  # the band's colour, now light: made white
        lightened[rows, columns] = np.minimum(flipped * 255 / paper, 255).astype(np.uint8)
    return Image.fromarray(lightened)


SHEET_SHARE = (0.25, 0.97)
"""The share of a photo the sheet of paper must fill for it to be warped flat: less is not a
sheet (a bright patch), more leaves no surface around it (a scan)."""
SURFACE_CONTRAST = 20
"""Grey levels by which the surface around a photographed sheet is darker than the sheet
(medians; photos on a desk measure 45 and more): a shape with paper as light outside it as
inside is drawn on the sheet (a ruled box, a frame), not the sheet's outline."""


def _flattened(gray: Image.Image) -> Image.Image | None:
    """The sheet of paper in a photo warped flat (OpenCV): its outline is the largest shape
    the edges in the picture draw, taken as the four corners of its convex hull (or of the
    smallest rectangle around it when the hull has no four clear corners), and the
    quadrilateral is mapped onto an upright rectangle of its size. None when no sheet stands
    out from a darker surface around it (``SURFACE_CONTRAST``: a scan, a screenshot, a ruled
    box on a page)."""
    scale = 600 / max(gray.size)
    small = np.asarray(gray.resize((round(gray.width * scale), round(gray.height * scale))))
    edges = cv2.Canny(cv2.GaussianBlur(small, (5, 5), 0), 30, 90)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    outline = cv2.convexHull(max(contours, key=cv2.contourArea))
    share = cv2.contourArea(outline) / (small.shape[0] * small.shape[1])
    if not SHEET_SHARE[0] <= share <= SHEET_SHARE[1]:
        return None
    inside = np.zeros(small.shape, np.uint8)
    cv2.fillPoly(inside, [outline], 1)
    if (
        not (inside == 0).any()
        or float(np.median(small[inside == 0]))
        > float(np.median(small[inside == 1])) - SURFACE_CONTRAST
    ):
        return None
    corners = cv2.approxPolyDP(outline, 0.02 * cv2.arcLength(outline, True), True)
    if len(corners) != 4:
        corners = cv2.boxPoints(cv2.minAreaRect(outline))
    quad = _clockwise(np.asarray(corners, dtype=np.float32).reshape(4, 2) / scale)
    top, right, bottom, left = (np.linalg.norm(quad[i] - quad[(i + 1) % 4]) for i in range(4))
    width, height = round(max(top, bottom)), round(max(left, right))
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    warped = cv2.warpPerspective(
        np.asarray(gray),
        cv2.getPerspectiveTransform(quad, target),
        (width, height),
        flags=cv2.INTER_LINEAR,
        borderValue=255,
    )
    return Image.fromarray(warped)


def _clockwise(points: np.ndarray) -> np.ndarray:
    """Four corners ordered top left, top right, bottom right, bottom left."""
    sums, differences = points.sum(axis=1), np.diff(points, axis=1).ravel()
    return np.array(
        [
            points[np.argmin(sums)],
            points[np.argmin(differences)],
            points[np.argmax(sums)],
            points[np.argmax(differences)],
        ],
        dtype=np.float32,
    )


def _noise(gray: Image.Image) -> float:
    """How much a 3x3 median changes the paper (not the ink) in the middle of ``gray`` (a
    600 px square), on average."""
    left, top = max(0, gray.width // 2 - 300), max(0, gray.height // 2 - 300)
    middle = gray.crop((left, top, left + 600, top + 600))
    smoothed = middle.filter(ImageFilter.MedianFilter(3))
    paper = smoothed.point(lambda v: 255 if v > 170 else 0)
    return float(ImageStat.Stat(ImageChops.difference(middle, smoothed), paper).mean[0])


_PAPER_WHITE = [max(0, min(255, (level - 50) * 255 // 150)) for level in range(256)]
"""Grey levels stretched so that 50 and below is black and 200 and above is white."""


def _sheet(gray: Image.Image) -> Image.Image:
    """The sheet of paper in a photo: the darker surface around it (dark regions that touch
    the picture's edge, ``SURFACE_CONTRAST`` darker than the paper: a light tint printed at
    the sheet's edge stays) painted white and cut away. Scans and screenshots, white to their
    edges, come back as they are."""
    small = gray.copy()
    small.thumbnail((400, 400))
    small = small.filter(ImageFilter.MaxFilter(3))
    threshold = _otsu(small.histogram())
    dark = (np.asarray(small) <= threshold).astype(np.uint8)
    height, width = dark.shape
    _, regions = cv2.connectedComponents(dark, connectivity=4)
    edge = np.concatenate(
        [regions[(0, height - 1), ::4].ravel(), regions[::4, (0, width - 1)].ravel()]
    )
    levels = np.asarray(small, dtype=np.float64)
    paper_level = float(np.median(levels[dark == 0])) if (dark == 0).any() else 255.0
    mean_level = np.bincount(regions.ravel(), levels.ravel()) / np.maximum(
        np.bincount(regions.ravel()), 1
    )
    darker = [
        r for r in np.unique(edge[edge > 0]) if mean_level[r] <= paper_level - SURFACE_CONTRAST
    ]
    outside = np.isin(regions, darker)  # dark regions reaching an edge point, not a tint
    surface = Image.fromarray(outside.astype(np.uint8) * 255)
    paper = Image.fromarray((~outside).astype(np.uint8) * 255).getbbox()
    if paper is None or not surface.getbbox():
        return gray
    surface = surface.filter(ImageFilter.MaxFilter(5)).resize(gray.size, Image.Resampling.BILINEAR)
    cleaned = Image.composite(Image.new("L", gray.size, 255), gray, surface)
    scale_x, scale_y = gray.width / width, gray.height / height
    left, top, right, bottom = paper
    return cleaned.crop(
        (
            math.floor(left * scale_x),
            math.floor(top * scale_y),
            math.ceil(right * scale_x),
            math.ceil(bottom * scale_y),
        )
    )


def _otsu(histogram: list[int]) -> int:
    """The grey level that best splits a 256-bin histogram into dark and bright (Otsu)."""
    total = sum(histogram)
    level_sum = sum(level * count for level, count in enumerate(histogram))
    best, best_level, dark, dark_sum = -1.0, 128, 0, 0
    for level, count in enumerate(histogram):
        dark += count
        dark_sum += level * count
        bright = total - dark
        if dark == 0 or bright == 0:
            continue
        between = dark * bright * (dark_sum / dark - (level_sum - dark_sum) / bright) ** 2
        if between > best:
            best, best_level = between, level
    return best_level


def _evened(gray: Image.Image) -> Image.Image:
    """``gray`` divided by its local paper brightness: shadows and light falloff go, ink stays."""
    factor = 16
    small = gray.resize(
        (max(1, gray.width // factor), max(1, gray.height // factor)), Image.Resampling.BOX
    )
    paper = small.filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.GaussianBlur(2))
    paper = paper.resize(gray.size, Image.Resampling.BILINEAR)
    evened = np.asarray(gray, dtype=np.int32) * 255 // np.maximum(np.asarray(paper), 1)
    return Image.fromarray(np.minimum(evened, 255).astype(np.uint8))


def _deskewed(page: Image.Image) -> Image.Image:
    """``page`` turned by the small angle (within ``SKEW_SEARCH_DEGREES``) that makes its text
    lines horizontal: the angle whose row profile of ink is sharpest, searched by whole
    degrees, then by quarter degrees around the best."""
    sample = page.copy()
    sample.thumbnail((700, 700))
    ink = sample.point(lambda v: 255 if v < 128 else 0)

    def best_of(angles: list[float]) -> float:
        return max(angles, key=lambda angle: (_sharpness(ink.rotate(angle)), -abs(angle)))

    coarse = best_of([float(a) for a in range(-SKEW_SEARCH_DEGREES, SKEW_SEARCH_DEGREES + 1)])
    best = best_of([coarse + step / 4 for step in range(-3, 4)])
    if abs(best) < 0.5:
        return page
    return page.rotate(best, Image.Resampling.BICUBIC, expand=True, fillcolor=255)


def _sharpness(ink: Image.Image) -> float:
    """How sharply ink rows alternate with blank rows (high when text lines are level)."""
    rows = ink.resize((1, ink.height), Image.Resampling.BOX).tobytes()
    return float(sum((a - b) ** 2 for a, b in itertools.pairwise(rows)))


def _looks_wrong(reading: _Ocr) -> bool:
    """Few confident words: the image may lie sideways or upside down."""
    return reading.words < 15 or reading.confidence < 0.6


def _orientation(page: Image.Image) -> int:
    """The clockwise turn (90, 180, 270) that tesseract's orientation detection (``--psm 0``)
    says makes the page upright, even when unsure (the caller compares both readings); 180
    when it finds none (no reading came out right as the page lies)."""
    try:
        found = pytesseract.image_to_osd(
            _uncompressed(page),
            config="--psm 0 -c min_characters_to_try=20",
            output_type=pytesseract.Output.DICT,
            timeout=OCR_TIMEOUT_SECONDS,
        )
    except pytesseract.TesseractError:
        return 180
    return int(found.get("rotate", 0)) % 360 or 180


def _uncompressed(page: Image.Image) -> Image.Image:
    """``page`` marked to reach tesseract as a BMP file: pytesseract hands images over as
    files, and compressing a noisy page to PNG costs more than a second."""
    bitmap = page.copy()
    bitmap.format = "BMP"
    return bitmap


def _tesseract(page: Image.Image, config: str = TESSERACT_CONFIG) -> _Ocr:
    """One tesseract run, its words laid out by where they stand on the page (``layout``: a
    label and its value in another column share a line again), without the marks OCR makes of
    borders, rules and the sheet's edges; with the words' mean confidence and the share of the
    page's lettering read with confidence."""
    data = pytesseract.image_to_data(
        _uncompressed(page),
        lang="eng",
        config=config,
        output_type=pytesseract.Output.DICT,
        timeout=OCR_TIMEOUT_SECONDS,
    )
    found: dict[tuple[int, int, int], list[layout.Word]] = {}
    for i, text in enumerate(data["text"]):
        if text.strip().strip(_RULE_MARKS) and float(data["conf"][i]) >= 0:
            line = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
            left, top = data["left"][i], data["top"][i]
            found.setdefault(line, []).append(
                layout.Word(
                    text.strip(),
                    left,
                    top,
                    left + data["width"][i],
                    top + data["height"][i],
                    float(data["conf"][i]),
                )
            )
    kept_rows = []
    for row in layout.rows(layout.Row(words) for words in found.values()):
        kept = _without_edge_marks(row.words)
        if kept and sum(word.confidence for word in kept) >= 40 * len(kept):
            kept_rows.append(layout.Row(kept))
    kept_words = [word for row in kept_rows for word in row.words]
    mean = sum(w.confidence for w in kept_words) / len(kept_words) / 100 if kept_words else 0.0
    read = [word for words in found.values() for word in words]
    return _Ocr(
        layout.page_text(kept_rows),
        len(kept_words),
        mean,
        _missed_ink(page, read),
        _coverage(page, kept_words),
        tuple(kept_words),
    )


CONFIDENT_WORD = 60
"""Tesseract's word confidence (0-100) from which a word counts as read."""


RULE_FILL = 0.25
"""Share of a word's height that a mark's joined ink fills, column for column, at least: a
word's letters fill half or more, a thin rule drawn a little askew (as high as a small
letter) a tenth."""


def _coverage(page: Image.Image, words: Sequence[layout.Word]) -> float:
    """The share of the page's lettering read with confidence: the page's marks of letter
    size (ink joined into words, 0.4-3 times a word's usual height, filling ``RULE_FILL`` of
    it: not borders, rules, seals or pictures), each weighed by its width over its height
    (about its number of letters) and counted by the part of its ink inside the boxes of
    words read with ``CONFIDENT_WORD`` or more. A photo that lost half its text to glare or
    blur scores about a half, however sure OCR was of the words it did read."""
    if not words:
        return 0.0
    ink = (np.asarray(page) < 128).astype(np.uint8)
    height = float(np.median([word.height for word in words]))
    joined = cv2.dilate(ink, np.ones((1, max(3, round(height * 0.6))), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    heights = stats[:, cv2.CC_STAT_HEIGHT].astype(float)
    widths = stats[:, cv2.CC_STAT_WIDTH].astype(float)
    letters = (heights >= 0.4 * height) & (heights <= 3 * height)
    letters &= stats[:, cv2.CC_STAT_AREA] >= RULE_FILL * height * widths  # not a thin rule
    letters[0] = False  # the background
    read = np.zeros_like(ink)
    for word in words:
        if word.confidence >= CONFIDENT_WORD:
            read[int(word.top) : int(word.bottom) + 1, int(word.left) : int(word.right) + 1] = 1
    inked = ink.astype(bool)
    ink_per_mark = np.bincount(labels[inked], minlength=count).astype(float)
    read_per_mark = np.bincount(labels[inked & read.astype(bool)], minlength=count)
    weights = np.where(letters & (ink_per_mark > 0), widths / heights, 0.0)
    total = float(weights.sum())
    read_share = read_per_mark / np.maximum(ink_per_mark, 1)
    return float((weights * read_share).sum()) / total if total else 0.0


def _missed_ink(page: Image.Image, words: list[layout.Word]) -> float:
    """The share of pixel rows (of a 600 px wide map of where ink is) where ink lies outside
    every word read and covers 3-50 % of the row: text the layout analysis skipped, not a
    border or a rule."""
    ink = page.point(lambda v: 255 if v < 128 else 0)
    ink = ink.resize((600, max(1, 600 * page.height // max(1, page.width))), Image.Resampling.BOX)
    ink = ink.point(lambda v: 255 if v > 10 else 0)
    scale = ink.width / page.width
    draw = ImageDraw.Draw(ink)
    for word in words:
        draw.rectangle(
            [
                word.left * scale - 2,
                word.top * scale - 2,
                word.right * scale + 2,
                word.bottom * scale + 2,
            ],
            fill=0,
        )
    rows = ink.resize((1, ink.height), Image.Resampling.BOX).tobytes()
    return sum(0.03 * 255 <= row <= 0.5 * 255 for row in rows) / max(1, len(rows))


_RULE_MARKS = "|_~!¦"
"""What OCR makes of table rules and borders."""


def _without_edge_marks(words: list[layout.Word]) -> list[layout.Word]:
    """A row without the specks OCR reads at its ends: unsure or tiny non-numbers set apart
    from the rest by a wide gap (a sheet's edge, a border, a shadow)."""
    height = sorted(word.height for word in words)[len(words) // 2]

    def stray(word: layout.Word, gap: float) -> bool:
        tiny = sum(ch.isalnum() for ch in word.text) <= 2 and not word.text.isdigit()
        return gap > 2.5 * height and (word.confidence < 60 or tiny)

    while len(words) > 1 and stray(words[0], words[1].left - words[0].right):
        words = words[1:]
    while len(words) > 1 and stray(words[-1], words[-1].left - words[-2].right):
        words = words[:-1]
    if len(words) == 1 and (words[0].confidence < 50 or not any(map(str.isalnum, words[0].text))):
        return []
    return words
