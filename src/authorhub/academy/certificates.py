"""The certificate as a PDF (fpdf2): one landscape A4 page with the student's name, the course,
the date and the code anyone can verify, in DejaVu Sans (kit/pdf.py: names keep every
diacritic, "Adaeze Ọkọnkwo" prints as written)."""

from __future__ import annotations

from authorhub.kit.pdf import FAMILY, printable, unicode_pdf
from authorhub.models import Certificate


def certificate_pdf(certificate: Certificate, *, site_name: str, verify_url: str) -> bytes:
    pdf = unicode_pdf(orientation="landscape")
    pdf.set_title(printable(f"Certificate of completion - {certificate.course_title}"))
    pdf.set_author(printable(site_name))
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    pdf.set_draw_color(123, 63, 0)
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, 277, 190)
    pdf.set_y(35)
    pdf.set_font(FAMILY, "B", 30)
    pdf.cell(0, 14, "Certificate of Completion", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 14)
    pdf.ln(10)
    pdf.cell(0, 10, "This certifies that", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "B", 26)
    pdf.cell(0, 16, printable(certificate.student_name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 14)
    pdf.cell(0, 10, "has completed the course", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "B", 20)
    pdf.multi_cell(
        0, 12, printable(certificate.course_title), align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font(FAMILY, "", 12)
    pdf.ln(6)
    issued = certificate.issued_at.strftime("%d %B %Y")
    pdf.cell(
        0,
        8,
        f"Issued on {issued} by {printable(site_name)}",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_y(170)
    pdf.set_font(FAMILY, "", 10)
    pdf.cell(
        0, 6, f"Certificate code: {certificate.code}", align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.cell(0, 6, f"Verify at {verify_url}", align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
