"""How long stamping a buyer's copy of a 300-page PDF takes (not a test; `python bench/stamp.py`).

Builds a 300-page text PDF with fpdf2, then stamps it N times and prints the median and worst.
"""

from __future__ import annotations

import io
import statistics
import sys
import time

from fpdf import FPDF
from pypdf import PdfReader

from authorhub.library.stamp import Buyer, stamp_pdf


def book(pages: int) -> bytes:
    pdf = FPDF(unit="pt", format=(420, 595))  # A5
    pdf.set_font("helvetica", size=10)
    line = "The harmattan came early that year, and the city wore its dust like a coat. " * 3
    for n in range(pages):
        pdf.add_page()
        pdf.multi_cell(0, 14, f"Chapter {n // 20 + 1}, page {n + 1}. " + line * 4)
    return bytes(pdf.output())


def main(pages: int = 300, runs: int = 5) -> None:
    original = book(pages)
    pages = len(PdfReader(io.BytesIO(original)).pages)
    buyer = Buyer(name="Ada Reader", email="ada@example.com", order_number="VC-2026-000123")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        stamped = stamp_pdf(original, buyer=buyer, title="Nights in Lagos")
        times.append((time.perf_counter() - start) * 1000)
    print(
        f"{pages} pages, {len(original) // 1024} KiB -> {len(stamped) // 1024} KiB; "
        f"stamp median {statistics.median(times):.0f} ms, worst {max(times):.0f} ms ({runs} runs)"
    )


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
