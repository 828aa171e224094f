"""The certificate PDF prints names as written: DejaVu Sans is embedded (kit/fonts), so
"Adaeze Ọkọnkwo" keeps her dots (the core fonts made her "Okonkwo"), also when the name was
typed with combining marks."""

from __future__ import annotations

import io
import unicodedata
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from authorhub.academy.certificates import certificate_pdf
from authorhub.models import Certificate

NAME = "Adaeze Ọkọnkwo"


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_a_yoruba_name_comes_out_of_the_pdf_intact(form: str) -> None:
    certificate = Certificate(
        code="ABCD1234EFGH",
        student_name=unicodedata.normalize(form, NAME),  # type: ignore[arg-type]
        course_title="Ìtàn: Writing Ṣàngó's Stories",
        issued_at=datetime(2026, 12, 5, tzinfo=UTC),
    )

    pdf = certificate_pdf(certificate, site_name="Victoria Chisom", verify_url="https://v.test/c")

    reader = PdfReader(io.BytesIO(pdf))
    text = unicodedata.normalize("NFC", reader.pages[0].extract_text())
    assert NAME in text
    assert "Ìtàn: Writing Ṣàngó's Stories" in text
    assert "ABCD1234EFGH" in text
    fonts = {
        str(font["/BaseFont"])
        for font in reader.pages[0]["/Resources"]["/Font"].values()  # type: ignore[index, union-attr]
    }
    assert all("DejaVuSans" in name for name in fonts), fonts  # embedded, no core font
