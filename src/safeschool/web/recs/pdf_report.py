"""The state-of-the-art report as a PDF (core.pdf): its title, language and version, a table of contents, then per
section the narrative and each figure's summary, its bars and its data as a table — the same rows as the page
(charts_report.sections), a hidden figure with its note saying why."""

from __future__ import annotations

from django.utils.translation import gettext

from safeschool import chart_theme as theme
from safeschool.web.core import formatting
from safeschool.web.core.languages import language_name
from safeschool.web.core.pdf import FAMILY, Document


def _cell(value, fmt: str) -> str:
    kind, _, digits = (fmt or "text").partition(":")
    if kind == "percent":
        return formatting.percent(value, int(digits or 1))
    if kind in ("number", "count"):
        return formatting.count(value) if kind == "count" else formatting.number(value, int(digits or 2))
    return formatting.MISSING if formatting.is_missing(value) else str(value)


def _bars(pdf: Document, figure: dict) -> None:
    """The figure's chart drawn as plain horizontal bars (a series in its chart colour), from the same drawn rows
    as the page's chart: a hidden figure has no bar here either."""
    how = figure["drawn"]
    rows = [r for r in figure["spec"]["data"]["values"] if r.get(how["value"]) is not None]
    if not rows:
        return
    low, high = how["scale"] or (0, max(r[how["value"]] for r in rows) or 1)
    series = list(dict.fromkeys(r[how["series"]] for r in rows)) if how["series"] else []
    label_w, bar_w, h = 70, 80, 3.6
    pdf.set_font(FAMILY, "", 7)
    for r in rows:
        if pdf.will_page_break(h):
            pdf.add_page()
        y = pdf.get_y()
        name = str(r[how["category"]]) + (f" · {r[how['series']]}" if series else "")
        pdf.set_xy(pdf.l_margin, y)
        pdf.cell(label_w, h, name if len(name) <= 46 else name[:45] + "…")
        colour = theme.PALETTE[series.index(r[how["series"]]) % len(theme.PALETTE)] if series else theme.PRIMARY
        pdf.set_fill_color(*theme.rgb(colour))
        width = max(0.3, bar_w * (r[how["value"]] - low) / ((high - low) or 1))
        pdf.rect(pdf.l_margin + label_w, y + 0.5, min(width, bar_w), h - 1, style="F")
        pdf.set_xy(pdf.l_margin + label_w + min(width, bar_w) + 1, y)
        pdf.cell(20, h, _cell(r[how["value"]], how["fmt"]))
        pdf.set_y(y + h)
    pdf.set_fill_color(255, 255, 255)  # fpdf2's tables fill their cells with the current colour
    pdf.ln(2)


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
            pdf.set_font(FAMILY, "B", 10)
            pdf.multi_cell(0, 6, figure["title"], new_x="LMARGIN", new_y="NEXT")
            pdf.line_of_text(figure["summary"])
            _bars(pdf, figure)
            columns = figure["columns"]
            pdf.table(tuple(c["title"] for c in columns),
                      ([_cell(row.get(c["field"]), c.get("format", "text")) for c in columns]
                       for row in figure["rows"]))
    return pdf.bytes()
