"""Ebook files are judged by their content: a PDF starts with "%PDF-"; an EPUB is a ZIP whose
first entry is the uncompressed "mimetype" file saying application/epub+zip (EPUB OCF 3.x),
with a META-INF/container.xml."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass


class InvalidDocument(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class DocumentKind:
    content_type: str
    extension: str


PDF = DocumentKind("application/pdf", "pdf")
EPUB = DocumentKind("application/epub+zip", "epub")
_EPUB_MIMETYPE = b"application/epub+zip"


def detect_ebook(data: bytes) -> DocumentKind:
    """PDF or EPUB by magic bytes (CPU-bound for large EPUBs: run in a thread)."""
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise InvalidDocument("The PDF is incomplete (no end-of-file marker).")
        return PDF
    # ZIP local header, then the first entry's name at offset 30 and its content after it.
    if data[:4] == b"PK\x03\x04" and data[30:38] == b"mimetype" and data[38:58] == _EPUB_MIMETYPE:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError) as exc:
            raise InvalidDocument("The EPUB is damaged.") from exc
        if "META-INF/container.xml" not in names:
            raise InvalidDocument("The EPUB has no META-INF/container.xml.")
        return EPUB
    raise InvalidDocument("The file is not a PDF or an EPUB.")
