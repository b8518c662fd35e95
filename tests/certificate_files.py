"""Small certificate files for tests: complete PDF, PNG and JPEG files, and impostors."""

from __future__ import annotations

import io
import struct
import zlib

from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject


def pdf(note: str = "Certificate of completion", padding: int = 0) -> bytes:
    """A one-page PDF; ``padding`` adds a comment of that many bytes (to reach a size)."""
    return (
        b"%PDF-1.4\n"
        + f"% {note}\n".encode()
        + b"%"
        + b"x" * padding
        + b"\n"
        + b"1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n"
        b"2 0 obj <</Type/Pages/Kids[3 0 R]/Count 1>> endobj\n"
        b"3 0 obj <</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>> endobj\n"
        b"trailer <</Root 1 0 R>>\n%%EOF\n"
    )


def pdf_bomb(pages: int = 10, text_bytes: int = 3 * 1024 * 1024) -> bytes:
    """A decompression bomb of about 11 KB: ``pages`` pages sharing one Flate-compressed content
    stream that expands to ``text_bytes`` of text drawing (each page draws all of it)."""
    line = b"(Credits awarded 1.5 Category A certificate of completion) '\n"
    drawing = DecodedStreamObject()
    drawing.set_data(b"BT /F1 8 Tf 20 780 Td 10 TL\n" + line * (text_bytes // len(line)) + b"ET\n")
    compressed = drawing.flate_encode(level=9)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    writer = PdfWriter()
    for _ in range(pages):
        page = writer.add_blank_page(612, 792)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
        page.replace_contents(compressed)
    writer.compress_identical_objects()  # one content stream, drawn by every page
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int = 2, height: int = 2) -> bytes:
    """A grey ``width`` x ``height`` PNG."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows))
        + _chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    """The markers a JPEG starts and ends with around a JFIF header (enough for sniffing)."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\xff\xd9"


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200
"""The start of a Linux executable."""
PE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120 + b"PE\x00\x00" + b"\x00" * 200
"""The start of a Windows executable."""
