"""The certificate as a PDF (fpdf2): one landscape A4 page with the student's name, the course,
the date and the code anyone can verify."""

from __future__ import annotations

import unicodedata

from fpdf import FPDF

from authorhub.models import Certificate


def _latin1(text: str) -> str:
    """The PDF's core fonts speak Latin-1: keep what they can show, strip accents from the
    rest (Ọ → O) rather than fail on a name."""
    if all(ord(ch) < 256 for ch in text):
        return text
    out = []
    for ch in text:
        if ord(ch) < 256:
            out.append(ch)
        else:
            base = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
            out.append(base or "?")
    return "".join(out)


def certificate_pdf(certificate: Certificate, *, site_name: str, verify_url: str) -> bytes:
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(_latin1(f"Certificate of completion - {certificate.course_title}"))
    pdf.set_author(_latin1(site_name))
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    pdf.set_draw_color(123, 63, 0)
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, 277, 190)
    pdf.set_y(35)
    pdf.set_font("Helvetica", "B", 30)
    pdf.cell(0, 14, "Certificate of Completion", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 14)
    pdf.ln(10)
    pdf.cell(0, 10, "This certifies that", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 26)
    pdf.cell(0, 16, _latin1(certificate.student_name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 14)
    pdf.cell(0, 10, "has completed the course", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 20)
    pdf.multi_cell(
        0, 12, _latin1(certificate.course_title), align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("Helvetica", "", 12)
    pdf.ln(6)
    issued = certificate.issued_at.strftime("%d %B %Y")
    pdf.cell(
        0,
        8,
        f"Issued on {issued} by {_latin1(site_name)}",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_y(170)
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(
        0, 6, f"Certificate code: {certificate.code}", align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.cell(0, 6, f"Verify at {verify_url}", align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
