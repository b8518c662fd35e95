"""Signs that a certificate file was altered, found in the file itself rather than in its words:

- in a PDF's text layer (PDFium's characters, with their fonts and sizes): a figure whose
  characters are in another font or size than each other, or than the words on both sides of
  it on its line, or (at the end of its line or alone on it) in a font family no other word
  of the page is in; a white rectangle under or over a figure on paper as
  white as it (the usual way to blank a figure before typing another);
- in an image (a photo, a scan, a scanned PDF page): a white patch, every pixel white where
  the paper around it shows the grain of a camera or scanner, with ink inside it;
- in the metadata: a PDF produced or created by an online PDF editor, an image saved by a photo
  editor.

The reader (``services.core.reading.text``, in the reader process: PDFium is not thread-safe)
runs these on the document it has open (``layer_signals`` on each PDF page it reads,
``patches`` on each scanned page, ``image_signals`` on a photo), so a file is parsed once, and
through ``guarded``, so that what cannot be inspected shows no signal. Their work is bounded:
a capped number of characters, images reduced before they are analysed. The words of a
certificate (attendance only, a post-test not passed, approvals denied) are judged by
``domain.credits.verification.text_signals``.
"""

from __future__ import annotations

import ctypes
import math
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pypdfium2.raw as pdfium_c  # type: ignore[import-untyped]
import structlog
from PIL import Image

from domain.credits.verification import Signal

log = structlog.get_logger("cmeledger.certificates")

MAX_CHARS = 20_000
"""Characters of one page looked at (a certificate prints 1 000-3 000)."""
ANALYSED_SIDE = 1600
"""Images are reduced to this long side (nearest pixel, which keeps the grain) before analysis."""
CELL = 6
"""Side in pixels of the cells a patch is made of."""
WHITE = 250
"""Grey level from which a pixel is white: paper photographed or scanned has grain that takes
some pixels of every cell below it; a pasted white patch has none."""
CLEAN_PAPER = 0.1
"""Share of flat white cells above which a picture is a clean rendering (no grain to compare
a patch with) rather than a photo or a scan (well under 1 % but for a patch)."""
SIZE_TOLERANCE = 0.1
"""Relative size difference between a figure and its neighbours above which it stands out."""
ONLINE_EDITORS = re.compile(
    r"sejda|ilovepdf|smallpdf|pdfescape|docfly|pdffiller|pdf\s?candy|dochub|soda\s?pdf|pdf2go|"
    r"formswift|pdfsimpli|pdf\s?buddy|lightpdf|pdfzorro|hipdf|xodo|photoshop|gimp|pixlr|"
    r"fotor|picsart|canva|snapseed|photopea",
    re.I,
)
"""Online PDF editors (and photo editors, for images), as they name themselves in a PDF's
Producer or Creator or an image's Software tag."""
EXIF_SOFTWARE = 0x0131


# --- PDF ---------------------------------------------------------------------------------------


def layer_signals(page: pdfium.PdfPage, textpage: pdfium.PdfTextPage) -> list[Signal]:
    """What one page of a text PDF shows: figures in an odd font or size, and white patches
    under figures, on the page the reader has open (PDFium)."""
    chars = _layer_chars(textpage, page.get_height())
    if not chars:
        return []
    return [
        *_odd_figures(_lines(chars), _Faces(textpage), _family_words(page, textpage)),
        *_white_patches(_filled_paths(page), chars, page.get_width() * page.get_height()),
    ]


class _Faces:
    """Fonts of a text page's characters, asked for only where a figure is judged."""

    def __init__(self, textpage: pdfium.PdfTextPage) -> None:
        self._textpage = textpage
        self._buffer = ctypes.create_string_buffer(256)
        self._flags = ctypes.c_int()

    def __call__(self, char: dict[str, Any]) -> tuple[str, float]:
        """A character's font (without the subset prefix) and size."""
        length = pdfium_c.FPDFText_GetFontInfo(
            self._textpage, char["index"], self._buffer, len(self._buffer), self._flags
        )
        name = self._buffer.raw[: max(0, min(length, len(self._buffer)) - 1)].decode(
            "utf-8", errors="replace"
        )
        return name.split("+", 1)[-1], round(float(char["size"]), 1)


def _layer_chars(textpage: pdfium.PdfTextPage, page_height: float) -> list[dict[str, Any]]:
    """The upright characters of the text page's lines that hold a figure (the first
    ``MAX_CHARS`` characters looked at): text, box (from the top of the page), baseline and
    size. Only figures are judged, and asking PDFium for every character of a page would cost
    more than reading it."""
    count = min(textpage.count_chars(), MAX_CHARS)
    text = textpage.get_text_range(0, count)
    if len(text) != count:  # characters outside the basic plane: one by one
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(textpage, i)) for i in range(count))
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    x, y = ctypes.c_double(), ctypes.c_double()
    chars = []
    for line in _LINE.finditer(text):
        if not _DIGIT.search(line.group()):
            continue
        for index in range(line.start(), line.end()):
            angle = pdfium_c.FPDFText_GetCharAngle(textpage, index)
            if not text[index].isprintable() or 0.02 < angle < 2 * math.pi - 0.02:
                continue
            pdfium_c.FPDFText_GetCharBox(textpage, index, left, right, bottom, top)
            pdfium_c.FPDFText_GetCharOrigin(textpage, index, x, y)
            chars.append(
                {
                    "index": index,
                    "text": text[index],
                    "x0": left.value,
                    "x1": right.value,
                    "top": page_height - top.value,
                    "bottom": page_height - bottom.value,
                    "baseline": y.value,
                    "size": pdfium_c.FPDFText_GetFontSize(textpage, index),
                }
            )
    return chars


_LINE = re.compile(r"[^\r\n]+")
_DIGIT = re.compile(r"\d")


def _family_words(page: pdfium.PdfPage, textpage: pdfium.PdfTextPage) -> Counter[str]:
    """How many words of the page's text objects are in each font family."""
    name = ctypes.create_string_buffer(256)
    text = (ctypes.c_ushort * 4096)()
    words: Counter[str] = Counter()
    for index in range(pdfium_c.FPDFPage_CountObjects(page)):
        item = pdfium_c.FPDFPage_GetObject(page, index)
        if pdfium_c.FPDFPageObj_GetType(item) != pdfium_c.FPDF_PAGEOBJ_TEXT:
            continue
        length = pdfium_c.FPDFFont_GetBaseFontName(
            pdfium_c.FPDFTextObj_GetFont(item), name, len(name)
        )
        font = name.raw[: max(0, min(length, len(name)) - 1)].decode("utf-8", errors="replace")
        size = pdfium_c.FPDFTextObj_GetText(item, textpage, text, len(text) * 2)
        content = bytes(text)[: max(0, min(size, len(text) * 2) - 2)].decode(
            "utf-16-le", errors="replace"
        )
        words[_family((font.split("+", 1)[-1], 0.0))] += len(content.split())
    return words


def _filled_paths(page: pdfium.PdfPage) -> list[dict[str, Any]]:
    """The page's filled paths as boxes (from the top of the page) with their fill colour."""
    height = page.get_height()
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    red, green, blue, alpha = (ctypes.c_uint() for _ in range(4))
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    paths = []
    for index in range(pdfium_c.FPDFPage_CountObjects(page)):
        item = pdfium_c.FPDFPage_GetObject(page, index)
        if pdfium_c.FPDFPageObj_GetType(item) != pdfium_c.FPDF_PAGEOBJ_PATH:
            continue
        if not pdfium_c.FPDFPath_GetDrawMode(item, fill_mode, stroke) or not fill_mode.value:
            continue
        pdfium_c.FPDFPageObj_GetBounds(item, left, bottom, right, top)
        pdfium_c.FPDFPageObj_GetFillColor(item, red, green, blue, alpha)
        paths.append(
            {
                "x0": left.value,
                "x1": right.value,
                "top": height - top.value,
                "bottom": height - bottom.value,
                "width": right.value - left.value,
                "height": top.value - bottom.value,
                "fill": True,
                "non_stroking_color": (red.value / 255, green.value / 255, blue.value / 255),
            }
        )
    return paths


def editor(metadata: Any) -> list[Signal]:
    """An online editor named as a PDF's producer or creator."""
    for key in ("/Producer", "/Creator"):
        value = str(metadata.get(key) or "")
        if ONLINE_EDITORS.search(value):
            return [
                Signal(
                    kind="online_editor",
                    description=f"the PDF was last saved by an online PDF editor ({key[1:]}: "
                    f"'{value[:80]}')",
                    words=value[:80],
                )
            ]
    return []


def _lines(chars: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Characters grouped by baseline, left to right: a character within a fifth of its size
    of a line's first baseline is on that line (a figure typed over a line rarely sits exactly
    on its baseline)."""
    rows: list[list[dict[str, Any]]] = []
    for char in sorted(chars, key=lambda c: -c["baseline"]):
        if rows and rows[-1][0]["baseline"] - char["baseline"] <= char["size"] / 5:
            rows[-1].append(char)
        else:
            rows.append([char])
    return [sorted(row, key=lambda c: c["x0"]) for row in rows]


def _tokens(line: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """A line's characters as words: split at spaces and at gaps wider than a third of the
    size."""
    tokens: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    for char in line:
        gap = char["x0"] - current[-1]["x1"] if current else 0.0
        if char["text"].isspace() or (current and gap > char["size"] / 3):
            if current:
                tokens.append(current)
            current = [] if char["text"].isspace() else [char]
        else:
            current.append(char)
    return [*tokens, current] if current else tokens


def _odd_figures(
    lines: list[list[dict[str, Any]]],
    _face: Callable[[dict[str, Any]], tuple[str, float]],
    family_words: Counter[str],
) -> list[Signal]:
    """Figures (words with a digit) whose characters differ in font or size from each other;
    or from the words on both sides of them when those two agree; or, at the end of their line
    or alone on it, in a font family no other word of the page is in (``family_words``: the
    page's words per family)."""
    found = []
    for tokens in map(_tokens, lines):
        for index, token in enumerate(tokens):
            word = "".join(c["text"] for c in token)
            if not any(ch.isdigit() for ch in word):
                continue
            faces = Counter(_face(c) for c in token)
            if len(faces) > 1:
                found.append(_odd(word, "its characters are in different fonts or sizes", faces))
                continue
            [(face, _)] = faces.items()
            if 0 < index < len(tokens) - 1:
                left, right = _face(tokens[index - 1][-1]), _face(tokens[index + 1][0])
                if left == right and _differs(face, left):
                    found.append(
                        _odd(word, f"its neighbours on the line are in {_named(left)}", faces)
                    )
            elif family_words[_family(face)] <= 1:
                found.append(_odd(word, "no other word of the page is in its font family", faces))
    return found


def _family(face: tuple[str, float]) -> str:
    """A font's family: its name without its style ("DejaVuSerifBold", "Arial,Bold",
    "Helvetica-BoldOblique", "ArialMT" are of DejaVuSerif, Arial, Helvetica, Arial)."""
    return _STYLE.sub("", re.split(r"[-,]", face[0], maxsplit=1)[0]) or face[0]


_STYLE = re.compile(
    r"(Bold|Book|Regular|Roman|Italic|Oblique|Light|Medium|Semi|Demi|Extra|Ultra|Black|Heavy|"
    r"Thin|Condensed|Narrow|MT|PS)+$"
)


def _differs(face: tuple[str, float], other: tuple[str, float]) -> bool:
    return face[0] != other[0] or abs(face[1] - other[1]) > SIZE_TOLERANCE * other[1]


def _named(face: tuple[str, float]) -> str:
    return f"{face[0]} {face[1]:g}pt"


def _odd(word: str, why: str, faces: Counter[tuple[str, float]]) -> Signal:
    return Signal(
        kind="font_mismatch",
        description=f"the figure '{word}' is in {', '.join(map(_named, faces))}; {why}",
        words=word,
    )


def _white_patches(
    rects: Sequence[dict[str, Any]], chars: list[dict[str, Any]], page_area: float
) -> list[Signal]:
    """White filled rectangles under or over a figure, small, on paper as white as they are."""
    digits = [c for c in chars if c["text"].isdigit()]
    figures = [c for c in chars if not c["text"].isspace()]
    size = sorted(c["size"] for c in chars)[len(chars) // 2]
    found = []
    for rect in rects:
        if not (rect.get("fill") and _whiteness(rect.get("non_stroking_color")) >= 0.97):
            continue
        if rect["height"] > 3 * size or rect["width"] * rect["height"] > 0.05 * page_area:
            continue
        under = [c for c in digits if _overlap(rect, c)]
        paper = [r for r in rects if r is not rect and _contains(r, rect) and r.get("fill")]
        if under and all(_whiteness(r.get("non_stroking_color")) >= 0.94 for r in paper):
            covered = [c for c in figures if _overlap(rect, c)]
            figure = "".join(c["text"] for c in sorted(covered, key=lambda c: c["x0"]))
            found.append(
                Signal(
                    kind="white_patch",
                    description=f"a white rectangle lies under or over the figure '{figure}' "
                    "on white paper",
                    words=figure,
                )
            )
    return found


def _whiteness(color: Any) -> float:
    """The darkest component of a fill colour (0..1); 0 for none or an unknown colour space."""
    if isinstance(color, (int, float)):
        return float(color)
    if isinstance(color, (tuple, list)) and len(color) == 3:
        return float(min(color))
    if isinstance(color, (tuple, list)) and len(color) == 1:
        return float(color[0])
    return 0.0


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return bool(a["x0"] < b["x1"] and b["x0"] < a["x1"] and a["top"] < b["bottom"]) and bool(
        b["top"] < a["bottom"]
    )


def _contains(outer: dict[str, Any], inner: dict[str, Any]) -> bool:
    return bool(
        outer["x0"] <= inner["x0"]
        and outer["top"] <= inner["top"]
        and outer["x1"] >= inner["x1"]
        and outer["bottom"] >= inner["bottom"]
    )


# --- images ------------------------------------------------------------------------------------


def image_signals(image: Image.Image) -> list[Signal]:
    """What an image file shows: a photo editor in its EXIF, a white patch (on the image the
    reader decoded)."""
    found: list[Signal] = []
    software = str(image.getexif().get(EXIF_SOFTWARE) or "")
    if ONLINE_EDITORS.search(software):
        found.append(
            Signal(
                kind="online_editor",
                description=f"the image was saved by a photo editor ('{software[:80]}')",
                words=software[:80],
            )
        )
    return found + patches(image)


def guarded(inspect: Callable[..., list[Signal]], *args: Any) -> list[Signal]:
    """``inspect(*args)``, or no signal when it fails on a file the reader could read."""
    try:
        return inspect(*args)
    except Exception as error:
        log.warning("certificate not inspected", error=repr(error)[:200])
        return []


def patches(image: Image.Image) -> list[Signal]:
    """A white patch: a rectangle of perfectly flat white, away from the edges, with ink inside,
    on paper that shows grain everywhere else (a clean rendering shows none and is not judged)."""
    gray = image.convert("L")
    scale = ANALYSED_SIDE / max(gray.size)
    if scale < 1:
        size = (round(gray.width * scale), round(gray.height * scale))
        gray = gray.resize(size, Image.Resampling.NEAREST)
    cells = gray.point(lambda v: 255 if v >= WHITE else 0).reduce(CELL)
    columns, rows = cells.size
    flat = {
        (index % columns, index // columns)
        for index, value in enumerate(cells.tobytes())
        if value == 255  # every pixel of the cell white: no grain in it
    }
    if not flat or len(flat) > CLEAN_PAPER * columns * rows:
        return []  # clean paper: flat white is everywhere
    found: list[Signal] = []
    for group in _components(flat, columns, rows):
        left = min(c for c, _ in group)
        right = max(c for c, _ in group) + 1
        top = min(r for _, r in group)
        bottom = max(r for _, r in group) + 1
        area = (right - left) * (bottom - top)
        if left == 0 or top == 0 or right == columns or bottom == rows:
            continue
        if not (len(group) >= 4 and area <= 0.03 * columns * rows and len(group) >= 0.4 * area):
            continue
        box = (left * CELL, top * CELL, right * CELL, bottom * CELL)
        darkest = gray.crop(box).getextrema()[0]
        if isinstance(darkest, int) and darkest < 128:
            found.append(
                Signal(
                    kind="white_patch",
                    description="a patch of flat white with writing on it, where the paper "
                    "around it shows grain: something was blanked and written over",
                    words=f"at {round(100 * left / columns)}% across, "
                    f"{round(100 * top / rows)}% down",
                )
            )
    return found


def _components(
    cells: set[tuple[int, int]], columns: int, rows: int
) -> Iterator[list[tuple[int, int]]]:
    """Groups of cells touching each other (8 neighbours), allowing one-cell gaps (the ink)."""
    unseen = set(cells)
    while unseen:
        start = unseen.pop()
        group, frontier = [start], [start]
        while frontier:
            column, row = frontier.pop()
            for dc in (-2, -1, 0, 1, 2):
                for dr in (-2, -1, 0, 1, 2):
                    neighbour = (column + dc, row + dr)
                    if neighbour in unseen:
                        unseen.remove(neighbour)
                        group.append(neighbour)
                        frontier.append(neighbour)
        yield group
