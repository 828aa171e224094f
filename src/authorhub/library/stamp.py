"""Ebooks stamped for their buyer: the buyer's name, email and order number on a colophon
page, and (PDF) a small footer on every page, so a shared copy can be traced to its order.

PDF: fpdf2 draws one transparent overlay page per page size (a book has one or two) and a
colophon page; pypdf merges the overlay onto each page and appends the colophon. EPUB: a
colophon XHTML document is added to the archive, its manifest and the end of its spine. The
original file is only read. Pure functions over bytes: callers decide where copies live.
"""

from __future__ import annotations

import html
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass

from authorhub.kit.pdf import FAMILY, printable, unicode_pdf

COLOPHON_ID = "authorhub-colophon"
STAMPABLE = frozenset({"application/pdf", "application/epub+zip"})


class NotStampable(Exception):
    """The file is not a PDF/EPUB we can read (a damaged or unusual file)."""


@dataclass(frozen=True, slots=True)
class Buyer:
    name: str
    email: str
    order_number: str | None  # None for a free claim

    @property
    def footer(self) -> str:
        sold = f"order {self.order_number}" if self.order_number else "free copy"
        return f"Licensed to {self.name} <{self.email}> - {sold}"

    def colophon_lines(self, title: str) -> list[str]:
        return [
            title,
            "",
            "This copy was made for",
            f"{self.name} <{self.email}>",
            f"Order: {self.order_number}" if self.order_number else "Claimed as a free copy",
            "",
            "It is for your own reading. Please do not share it.",
        ]


def _footer_overlay(width: float, height: float, text: str) -> bytes:
    pdf = unicode_pdf(unit="pt", page_format=(width, height), bold=False)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font(FAMILY, size=7)
    pdf.set_text_color(110, 110, 110)
    pdf.set_xy(0, height - 18)
    pdf.cell(width, 10, printable(text), align="C")
    return bytes(pdf.output())


def _colophon(width: float, height: float, lines: list[str]) -> bytes:
    pdf = unicode_pdf(unit="pt", page_format=(width, height), bold=False)
    pdf.add_page()
    pdf.set_font(FAMILY, size=12)
    pdf.set_y(height / 3)
    for line in lines:
        pdf.cell(0, 18, printable(line), align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def stamp_pdf(original: bytes, *, buyer: Buyer, title: str) -> bytes:
    # Imported here: pypdf is only needed when a buyer downloads (less memory per API worker).
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(original))
        pages = list(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise NotStampable(str(exc)) from exc
    if not pages:
        raise NotStampable("no pages")
    writer = PdfWriter(clone_from=reader)
    overlays: dict[tuple[float, float], object] = {}
    for page in writer.pages:
        box = page.mediabox
        size = (float(box.width), float(box.height))
        if size not in overlays:
            overlays[size] = PdfReader(io.BytesIO(_footer_overlay(*size, buyer.footer))).pages[0]
        page.merge_page(overlays[size])  # type: ignore[arg-type]
        page.compress_content_streams()  # merging leaves the page uncompressed
    first = pages[0].mediabox
    colophon = PdfReader(
        io.BytesIO(_colophon(float(first.width), float(first.height), buyer.colophon_lines(title)))
    )
    writer.add_page(colophon.pages[0])
    writer.add_metadata({"/Subject": buyer.footer})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


_ROOTFILE = re.compile(rb'full-path="([^"]+)"')


def stamp_epub(original: bytes, *, buyer: Buyer, title: str) -> bytes:
    try:
        source = zipfile.ZipFile(io.BytesIO(original))
        container = source.read("META-INF/container.xml")
        match = _ROOTFILE.search(container)
        if match is None:
            raise NotStampable("no rootfile in container.xml")
        opf_path = match.group(1).decode()
        opf = source.read(opf_path).decode("utf-8")
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError) as exc:
        raise NotStampable(str(exc)) from exc
    if "</manifest>" not in opf or "</spine>" not in opf:
        raise NotStampable("the package document has no manifest or spine")
    href = f"{COLOPHON_ID}.xhtml"
    paragraphs = "".join(
        f"<p>{html.escape(line)}</p>" for line in buyer.colophon_lines(title) if line
    )
    page = (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Colophon</title></head>'
        f'<body><section id="{COLOPHON_ID}">{paragraphs}</section></body></html>'
    )
    opf = opf.replace(
        "</manifest>",
        f'<item id="{COLOPHON_ID}" href="{href}" media-type="application/xhtml+xml"/></manifest>',
        1,
    ).replace("</spine>", f'<itemref idref="{COLOPHON_ID}"/></spine>', 1)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():  # mimetype first and stored, as EPUB requires
            data = opf.encode("utf-8") if info.filename == opf_path else source.read(info)
            target.writestr(info, data)
        colophon_path = posixpath.join(posixpath.dirname(opf_path), href)
        target.writestr(colophon_path, page, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def stamp(original: bytes, *, content_type: str, buyer: Buyer, title: str) -> bytes:
    """The buyer's copy of `original`; NotStampable when it cannot be read as its type."""
    if content_type == "application/pdf":
        return stamp_pdf(original, buyer=buyer, title=title)
    if content_type == "application/epub+zip":
        return stamp_epub(original, buyer=buyer, title=title)
    raise NotStampable(f"no stamp for {content_type}")
