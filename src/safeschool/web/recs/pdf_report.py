"""The state-of-the-art report as a PDF (core.pdf): its title, language and version, a table of contents, then per
section the narrative and each figure's summary and data as a table — the same rows as the page
(charts_report.sections), a hidden figure with its note saying why."""

from __future__ import annotations

from django.utils.translation import gettext

from safeschool.web.core import formatting
from safeschool.web.core.languages import language_name
from safeschool.web.core.pdf import Document


def _cell(value, fmt: str) -> str:
    kind, _, digits = (fmt or "text").partition(":")
    if kind == "percent":
        return formatting.percent(value, int(digits or 1))
    if kind in ("number", "count"):
        return formatting.count(value) if kind == "count" else formatting.number(value, int(digits or 2))
    return formatting.MISSING if formatting.is_missing(value) else str(value)


def subtitle(report) -> str:
    # Translators: under the report's title, e.g. "Version 2 · English · published 3 May 2026".
    text = gettext("Version %(version)s · %(language)s") % {"version": report.version,
                                                            "language": language_name(report.language)}
    if report.published_at:
        text += " · " + gettext("published on %(day)s") % {"day": report.published_at.date().isoformat()}
    else:
        text += " · " + gettext("draft, not published")
    return text


def report_pdf(report, sections: list[dict]) -> bytes:
    pdf = Document(footer=f"{report.title} · v{report.version}")
    pdf.set_title(report.title)
    pdf.set_lang(report.language)
    pdf.title_block(report.title, subtitle(report))
    pdf.heading(gettext("Contents"))
    for number, section in enumerate(sections, 1):
        pdf.line_of_text(f"{number}. {section['title']}")
    for number, section in enumerate(sections, 1):
        pdf.add_page()
        pdf.start_section(section["title"])
        pdf.heading(f"{number}. {section['title']}")
        for paragraph in section["paragraphs"]:
            pdf.line_of_text(paragraph)
            pdf.ln(1)
        if not section["paragraphs"] and not section["figures"]:
            pdf.line_of_text(gettext("Nothing written yet."))
        for figure in section["figures"]:
            pdf.ln(2)
            pdf.set_font("DejaVuSans", "B", 10)
            pdf.multi_cell(0, 6, figure["title"], new_x="LMARGIN", new_y="NEXT")
            pdf.line_of_text(figure["summary"])
            columns = figure["columns"]
            pdf.table(tuple(c["title"] for c in columns),
                      ([_cell(row.get(c["field"]), c.get("format", "text")) for c in columns]
                       for row in figure["rows"]))
    return pdf.bytes()
