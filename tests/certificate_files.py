"""Small certificate files for tests: complete PDF, PNG and JPEG files, and impostors."""

from __future__ import annotations

import struct
import zlib


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
