"""A Unicode font for the PDFs we draw with fpdf2 (certificates, ebook stamps).

The PDF core fonts (Helvetica...) only speak Latin-1, so "Adaeze Ọkọnkwo" lost her dots. DejaVu
Sans ships inside the package (kit/fonts, with its licence) and is embedded, subset, in each
PDF; fpdf2 writes its ToUnicode map, so the text extracts intact too."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fpdf import FPDF

FONTS = Path(__file__).parent / "fonts"
FAMILY = "DejaVu"


def unicode_pdf(
    *,
    orientation: str = "portrait",
    unit: str = "mm",
    page_format: str | tuple[float, float] = "A4",
    bold: bool = True,
) -> FPDF:
    """An FPDF document with DejaVu Sans registered as `FAMILY` (and its bold unless told
    otherwise: each font costs ~70 ms to load, and is only embedded if used)."""
    # Imported here: fpdf2 (with fontTools) is ~35 MB, needed only when a PDF is drawn, so API
    # workers that never draw one do not carry it.
    from fpdf import FPDF

    pdf = FPDF(orientation=orientation, unit=unit, format=page_format)
    pdf.add_font(FAMILY, "", FONTS / "DejaVuSans.ttf")
    if bold:
        pdf.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
    return pdf


def printable(text: str) -> str:
    """Composed form (O + combining dot below → Ọ): fpdf2 does not shape text, so a letter
    and a separate combining mark would be drawn side by side."""
    return unicodedata.normalize("NFC", text)
