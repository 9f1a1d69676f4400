"""Facts in print: a label that wraps onto several lines pushes the next fact down (it once overlapped it)."""

from __future__ import annotations

import datetime as dt

import pypdfium2 as pdfium

from safeschool.publishing.document import Facts, Report, Section
from safeschool.web.reports import render_pdf

LONG = "Distance to the 2030 target for early leavers from education and training (below 9 %)"


def _top_and_bottom(page, text: str) -> tuple[float, float]:
    """The highest top and lowest bottom (PDF points, y upwards) of the characters of `text` on the page."""
    textpage = page.get_textpage()
    everything = textpage.get_text_range()
    start = everything.index(text)
    boxes = [textpage.get_charbox(i) for i in range(start, start + len(text)) if not everything[i].isspace()]
    return max(b[3] for b in boxes), min(b[1] for b in boxes)


def test_a_wrapped_fact_label_ends_above_the_next_fact():
    report = Report(kind="school", title="Facts", language="en", generated_at=dt.datetime(2026, 11, 29),
                    data_version="v1", sections=[Section("Facts", [Facts([(LONG, "0.5 points below"),
                                                                           ("Next label", "next value")])])])
    document = pdfium.PdfDocument(render_pdf.pdf(report))
    page = document[0]
    _, long_bottom = _top_and_bottom(page, "(below")  # the label's last line
    next_top, _ = _top_and_bottom(page, "Next label")
    assert next_top < long_bottom, (next_top, long_bottom)
