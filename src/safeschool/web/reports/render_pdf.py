"""A document (publishing.document.Report) as a tagged A4 PDF (core.pdf.Document with tagging): a cover block
(title, subtitle, generation date and data version, notices), the contents, then each section (a bookmark, an
H2) with its paragraphs (P), facts and links (L > LI), notices, figures (a Figure element whose /Alt is the
figure's summary, drawn with the chart theme by pdf_charts, then its table) and tables drawn here as
Table > TR > TH/TD with one marked-content sequence per cell; provenance is the last section. The catalog carries
/Lang, /MarkInfo and DisplayDocTitle; the footer ("title · generated <date> · data <version> · page n") is an
artifact. Every number is written by core.formatting in the report's language; a hidden cell shows why
("n<10"), with the reason spelt out under the table, never a number."""

from __future__ import annotations

from django.utils import formats, translation
from django.utils.translation import gettext, pgettext

from safeschool import chart_theme as theme
from safeschool.publishing.document import Facts, Figure, Links, Notice, Paragraph, Report, Table
from safeschool.stats.disclosure import BELOW_MIN, EMPTY
from safeschool.web.core import formatting, vega
from safeschool.web.core.charts import FIGURES
from safeschool.web.core.pdf import FAMILY, Document
from safeschool.web.reports import pdf_charts
from safeschool.web.reports.render_html import absolute

TEXT = 9          # pt, body text
NOTE_SIZE = 7.5
CELL = 7          # pt, table cells
CELL_LINE = 3.4   # mm per line in a cell
PAD = 1.2         # mm around a cell's text


def reason_short(reason: str | None) -> str:
    """What a hidden cell shows, in the reader's language."""
    return formatting.hidden_short(reason)


def reason_text(reason: str | None) -> str:
    return formatting.hidden_reason(reason)


def is_hidden(row: dict, field: str) -> bool:
    return bool(row.get("suppressed")) or field in (row.get("hidden") or ())


def cell_text(row: dict, field: str, fmt: str) -> str:
    """A table cell as text: the column's format through core.formatting; a hidden figure its reason."""
    kind, _, arg = (fmt or "text").partition(":")
    if kind in FIGURES and is_hidden(row, field):
        return reason_short(row.get("reason"))
    value = row.get(field)
    if kind == "count":
        return formatting.count(value)
    if kind == "percent":
        return formatting.percent(value, int(arg or 1))
    if kind == "number":
        return formatting.number(value, int(arg or 2))
    if kind == "label":
        return formatting.label(arg, value)
    return formatting.MISSING if formatting.is_missing(value) else str(value)


class ReportDocument(Document):
    def page_label(self) -> str:
        # Translators: the page number in a report's footer, e.g. "page 3".
        return gettext("page %(number)s") % {"number": self.page_no()}


class Writer:
    def __init__(self, report: Report, *, base_url: str = ""):
        self.report = report
        self.base_url = base_url
        self.generated = formats.date_format(report.generated_at, "DATE_FORMAT")
        # Translators: a report's page footer, e.g. "School profile · generated 29 November 2026 · data c3f2a9c1".
        footer = gettext("%(title)s · generated %(date)s · data %(version)s") % {
            "title": report.title, "date": self.generated, "version": report.data_version}
        self.pdf = ReportDocument(footer=footer, tagged=True)
        self.pdf.set_margins(15, 15, 15)
        self.pdf.set_auto_page_break(auto=True, margin=18)

    # ---------------------------------------------------------------------------------------------- text
    def text(self, tag: str, text: str, *, size: float = TEXT, bold: bool = False, colour: str = theme.INK,
             height: float = 4.6, parent=None, fill: str | None = None) -> None:
        pdf = self.pdf
        pdf.set_font(FAMILY, "B" if bold else "", size)
        pdf.set_text_color(*theme.rgb(colour))
        if fill:
            pdf.set_fill_color(*theme.rgb(fill))
        with pdf.tag(tag, parent):
            pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT", fill=bool(fill),
                           padding=(1.5, 2.5) if fill else 0)
        pdf.set_text_color(*theme.rgb(theme.INK))

    def heading(self, text: str, *, anchor: bool = True) -> None:
        pdf = self.pdf
        if pdf.will_page_break(30):
            pdf.add_page()
        pdf.ln(3)
        if anchor:
            pdf.start_section(text)
        self.text("H2", text, size=13, bold=True, colour=theme.PRIMARY, height=6.5)
        pdf.set_draw_color(*theme.rgb(theme.GRID))
        pdf.line(pdf.l_margin, pdf.get_y() + 0.5, pdf.l_margin + pdf.epw, pdf.get_y() + 0.5)
        pdf.ln(2.5)

    def items(self, items: list[tuple[str, str]], *, links: bool = False) -> None:
        """Facts (label: value) or links (text and address) as a list."""
        pdf = self.pdf
        lst = pdf.group("L")
        for first, second in items:
            pdf.set_font(FAMILY, "", TEXT)
            if pdf.will_page_break(10):
                pdf.add_page()
            with pdf.tag("LI", lst):
                if links:
                    pdf.set_font(FAMILY, "", TEXT)
                    pdf.multi_cell(0, 4.6, f"• {first}", new_x="LMARGIN", new_y="NEXT")
                    pdf.set_font(FAMILY, "", NOTE_SIZE)
                    pdf.set_text_color(*theme.rgb(theme.PRIMARY))
                    pdf.set_x(pdf.l_margin + 3)
                    pdf.multi_cell(pdf.epw - 3, 3.8, second, new_x="LMARGIN", new_y="NEXT", link=second
                                   if second.startswith(("http://", "https://")) else "")
                    pdf.set_text_color(*theme.rgb(theme.INK))
                else:
                    pdf.set_font(FAMILY, "B", TEXT)
                    y = pdf.get_y()
                    pdf.multi_cell(62, 4.6, first, align="L", new_x="LMARGIN", new_y="NEXT")
                    below = pdf.get_y()  # under the label, however many lines it took
                    pdf.set_font(FAMILY, "", TEXT)
                    pdf.set_xy(pdf.l_margin + 64, y)
                    pdf.multi_cell(pdf.epw - 64, 4.6, second, align="L", new_x="LMARGIN", new_y="NEXT")
                    pdf.set_y(max(pdf.get_y(), below))
            pdf.ln(0.8)
        pdf.ln(1.5)

    # --------------------------------------------------------------------------------------------- tables
    def _widths(self, table: Table) -> list[float]:
        pdf = self.pdf
        wanted = []
        for c in table.columns:
            pdf.set_font(FAMILY, "B", CELL)
            head = max((pdf.get_string_width(w) for w in c.title.split()), default=4)
            pdf.set_font(FAMILY, "", CELL)
            body = max((pdf.get_string_width(cell_text(r, c.field, c.format)) for r in table.rows), default=4)
            wanted.append((max(head, min(body, 70), 8) + 2 * PAD + 0.5, head + 2 * PAD + 0.5))
        total = sum(w for w, _m in wanted)
        if total <= pdf.epw:
            return [w for w, _m in wanted]
        floor = [min(m, pdf.epw / len(wanted)) for _w, m in wanted]
        spare = pdf.epw - sum(floor)
        extra = [w - f for (w, _m), f in zip(wanted, floor, strict=True)]
        return [f + spare * e / (sum(extra) or 1) for f, e in zip(floor, extra, strict=True)]

    def _lines(self, text: str, width: float, bold: bool) -> list[str]:
        self.pdf.set_font(FAMILY, "B" if bold else "", CELL)
        return [line for part in str(text).splitlines() or [""]
                for line in pdf_charts.wrap(self.pdf, part, width - 2 * PAD)] or [""]

    def _row(self, parent, cells: list[str], widths: list[float], numeric: list[bool], *, head: bool,
             repeat: bool = False) -> None:
        pdf = self.pdf
        wrapped = [self._lines(t, w, head) for t, w in zip(cells, widths, strict=True)]
        h = max(len(lines) for lines in wrapped) * CELL_LINE + 2 * PAD
        if pdf.will_page_break(h):
            pdf.add_page()
            if not head:  # a body row continues under the header repeated (the header itself is drawn once)
                self._row(parent, parent["head"], widths, [False] * len(widths), head=True, repeat=True)
        y, x = pdf.get_y(), pdf.l_margin
        tr = None if repeat else pdf.group("TR", parent["table"])
        if head:
            pdf.set_fill_color(*theme.rgb(theme.SURFACE))
            with pdf.artifact():
                pdf.rect(x, y, sum(widths), h, style="F")
        for lines, w, num in zip(wrapped, widths, numeric, strict=True):
            pdf.set_font(FAMILY, "B" if head else "", CELL)
            kind = "TH" if head else "TD"
            scope = "<</O /Table /Scope /Column>>" if head else None
            if repeat:
                with pdf.artifact():
                    self._cell(lines, x, y, w, num)
            else:
                with pdf.tag(kind, tr, attributes=scope):
                    self._cell(lines, x, y, w, num)
            x += w
        pdf.set_draw_color(*theme.rgb(theme.GRID))
        with pdf.artifact():
            pdf.line(pdf.l_margin, y + h, pdf.l_margin + sum(widths), y + h)
        pdf.set_xy(pdf.l_margin, y + h)

    def _cell(self, lines: list[str], x: float, y: float, w: float, numeric: bool) -> None:
        pdf = self.pdf
        for i, line in enumerate(lines):
            width = pdf.get_string_width(line)
            left = x + w - PAD - width if numeric else x + PAD
            pdf.text(left, y + PAD + (i + 0.75) * CELL_LINE, line)

    def table(self, table: Table) -> None:
        pdf = self.pdf
        widths = self._widths(table)
        numeric = [c.format.partition(":")[0] in FIGURES for c in table.columns]
        heads = [c.title for c in table.columns]
        if pdf.will_page_break(20):
            pdf.add_page()
        element = pdf.group("Table")
        pdf.ln(1)
        self.text("Caption", table.caption, size=8, bold=True, parent=element, height=4)
        parent = {"table": element, "head": heads}
        self._row(parent, heads, widths, [False] * len(heads), head=True)
        for row in table.rows:
            self._row(parent, [cell_text(row, c.field, c.format) for c in table.columns], widths, numeric,
                      head=False)
        reasons = dict.fromkeys(r.get("reason") or BELOW_MIN for r in table.rows
                                if r.get("suppressed") or r.get("hidden"))
        notes = [table.note] if table.note else []
        notes += [f"{reason_short(r)}: {reason_text(r)}" for r in reasons if r != EMPTY]
        pdf.ln(1)
        for note in notes:
            self.text("P", note, size=NOTE_SIZE, colour=theme.MUTED, height=3.6)
        pdf.ln(3)

    # -------------------------------------------------------------------------------------------- figures
    def figure(self, figure: Figure) -> None:
        pdf = self.pdf
        chart_h = pdf_charts.height(pdf, figure.chart)
        fits_a_page = chart_h < pdf.page_break_trigger - pdf.t_margin - 30
        if pdf.will_page_break(chart_h + 20 if fits_a_page else 60):
            pdf.add_page()  # the title, summary and chart together; a taller chart starts where it is
        self.text("H3", figure.title, size=10, bold=True, height=5)
        self.text("P", figure.summary, size=NOTE_SIZE, colour=theme.MUTED, height=3.8)
        pdf.ln(1.5)
        if chart_h:
            if pdf.will_page_break(chart_h) and fits_a_page:
                pdf.add_page()  # a chart that fits a page starts on one; a taller one goes on over pages
            with pdf.tag("Figure", alt=f"{figure.title}. {figure.summary}"):
                pdf_charts.draw(pdf, figure.chart)
        flags = vega.flag_notes(figure)
        if flags:
            # Translators: followed by the meaning of the letters marking points of an official series.
            self.text("P", pgettext("flags of an official series", "Flags:") + " " + "; ".join(flags), size=NOTE_SIZE,
                      colour=theme.MUTED, height=3.6)
        if figure.note:
            self.text("P", figure.note, size=NOTE_SIZE, colour=theme.MUTED, height=3.6)
        pdf.ln(1)
        self.table(figure.table)

    # ------------------------------------------------------------------------------------------- document
    def cover(self) -> None:
        pdf, report = self.pdf, self.report
        pdf.add_page()
        pdf.set_fill_color(*theme.rgb(theme.PRIMARY))
        with pdf.artifact():
            pdf.rect(pdf.l_margin, 12, 30, 1.2, style="F")
        pdf.set_y(18)
        self.text("H1", report.title, size=19, bold=True, colour=theme.PRIMARY, height=8.5)
        if report.subtitle:
            self.text("P", report.subtitle, size=11, colour=theme.MUTED, height=5.5)
        if report.authors:
            self.text("P", report.authors, size=TEXT)
        pdf.ln(1.5)
        # Translators: under a report's title, e.g. "Generated 29 November 2026 · data version c3f2a9c1-i4-r2".
        self.text("P", gettext("Generated %(date)s · data version %(version)s") % {
            "date": self.generated, "version": report.data_version}, size=NOTE_SIZE, colour=theme.MUTED)
        pdf.ln(2)
        for notice in report.notices:
            self.text("P", notice.text, size=TEXT, fill=theme.SURFACE)
            pdf.ln(1.5)
        if len(report.sections) > 1:
            pdf.ln(2)
            self.text("H2", gettext("Contents"), size=11, bold=True, colour=theme.PRIMARY, height=6)
            lst = pdf.group("L")
            titles = [s.title for s in report.sections]
            if report.provenance:
                titles.append(pgettext("the data and analyses a report's figures come from", "Sources"))
            for number, title in enumerate(titles, 1):
                self.text("LI", f"{number}. {title}", parent=lst, height=4.8)

    def section(self, section) -> None:
        self.heading(section.title)
        for block in section.blocks:
            if isinstance(block, Paragraph):
                self.text("P", block.text)
                self.pdf.ln(1.5)
            elif isinstance(block, Facts):
                self.items(block.items)
            elif isinstance(block, Links):
                self.items([(text, absolute(url, self.base_url)) for text, url in block.items], links=True)
            elif isinstance(block, Notice):
                self.text("P", block.text, fill=theme.SURFACE)
                self.pdf.ln(2)
            elif isinstance(block, Figure):
                self.figure(block)
            elif isinstance(block, Table):
                self.table(block)
            else:
                raise TypeError(f"unknown block {type(block).__name__}")

    def provenance(self) -> None:
        if not self.report.provenance:
            return
        self.heading(pgettext("the data and analyses a report's figures come from", "Sources"))
        self.items([(p.label, f"{p.detail} ({absolute(p.url, self.base_url)})" if p.url else p.detail)
                    for p in self.report.provenance])

    def write(self) -> bytes:
        pdf, report = self.pdf, self.report
        pdf.set_title(report.title)
        pdf.set_lang(report.language)
        pdf.set_subject(report.subtitle or report.title)
        pdf.set_author(report.authors or "safeschool")
        pdf.set_creator("safeschool")
        pdf.set_creation_date(report.generated_at)
        self.cover()
        for section in report.sections:
            self.section(section)
        self.provenance()
        return pdf.bytes()


def pdf(report: Report, *, base_url: str = "") -> bytes:
    """The report as a tagged PDF, every string and number in the report's language; relative links resolved
    against `base_url` (the site's address) when given."""
    with translation.override(report.language):
        return Writer(report, base_url=base_url).write()
