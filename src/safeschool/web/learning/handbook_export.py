"""The handbook as a PDF (core.pdf: a title page, a table of contents, the chapters from their Markdown, the case
studies and packs they draw on, the references; the document's language and title set) and as an EPUB
(safeschool.publishing.epub)."""

from __future__ import annotations

import io

from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import override
from fpdf.errors import FPDFException

from safeschool.publishing.epub import write_epub
from safeschool.web.core import formatting
from safeschool.web.core.pdf import FAMILY, FONTS, Document
from safeschool.web.learning import selectors_handbook as handbooks
from safeschool.web.learning.models import Handbook


def _cell(value, fmt: str) -> str:
    kind, _sep, digits = (fmt or "text").partition(":")
    if kind == "percent":
        return formatting.percent(value, int(digits or 1))
    if kind == "count":
        return formatting.count(value)
    if kind == "number":
        return formatting.number(value, int(digits or 2))
    return formatting.MISSING if formatting.is_missing(value) else str(value)


def _toc(pdf: Document, outline) -> None:
    pdf.set_font(FAMILY, "B", 13)
    pdf.cell(0, 10, _("Contents"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 10)
    for section in outline:
        pdf.set_x(pdf.l_margin + 6 * section.level)
        pdf.cell(0, 7, f"{section.name}  ·  {section.page_number}", new_x="LMARGIN", new_y="NEXT",
                 link=pdf.add_link(page=section.page_number))


def _boxes(pdf: Document, chapter, base_url: str) -> None:
    for box in chapter.boxes:
        kind = _("Case study") if box.kind == "case" else _("Resource pack")
        title, url = box.title, f"{base_url}{box.url}" if box.url else ""
        pdf.set_fill_color(245, 247, 250)
        pdf.set_font(FAMILY, "B", 9)
        pdf.multi_cell(0, 6, f"{kind}: {title}", border="LTR", fill=True, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FAMILY, "", 8)
        pdf.multi_cell(0, 5, url or " ", border="LBR", fill=True, link=url or None, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)


def handbook_pdf(handbook: Handbook, *, base_url: str = "") -> bytes:
    """The PDF. The contents take as many pages as their entries need (fpdf2 must be told in advance: a long
    handbook, or chapters with many headings, is drawn again with one more page of contents)."""
    for toc_pages in range(1, 30):
        try:
            return _handbook_pdf(handbook, base_url=base_url, toc_pages=toc_pages)
        except FPDFException as exc:
            if "insert_toc_placeholder" not in str(exc):
                raise
    raise FPDFException("the handbook's contents do not fit in 30 pages")


def _handbook_pdf(handbook: Handbook, *, base_url: str, toc_pages: int) -> bytes:
    with override(handbook.language):
        pdf = Document(footer=f"{handbook.title} · v{handbook.version}")
        pdf.add_font(FAMILY, "I", str(FONTS / "DejaVuSans.ttf"))
        pdf.add_font(FAMILY, "BI", str(FONTS / "DejaVuSans-Bold.ttf"))
        pdf.set_lang(handbook.language)
        pdf.set_title(handbook.title)
        pdf.set_author(handbook.authors)
        pdf.title_block(handbook.title, handbook.subtitle)
        pdf.line_of_text(handbook.authors)
        pdf.line_of_text(_("Version %(version)s") % {"version": handbook.version})
        pdf.add_page()
        pdf.insert_toc_placeholder(_toc, pages=toc_pages)  # it breaks the page: the first chapter starts anew
        for chapter in handbooks.chapters(handbook):
            if chapter.number > 1:
                pdf.add_page()
            pdf.start_section(f"{chapter.number}. {chapter.title}")
            pdf.heading(f"{chapter.number}. {chapter.title}")
            pdf.set_font(FAMILY, "", 10)
            pdf.write_html(str(chapter.html), font_family=FAMILY)
            pdf.ln(2)
            _boxes(pdf, chapter, base_url)
        report, figures = handbooks.figures()
        if figures:
            pdf.add_page()
            pdf.start_section(_("Figures"))
            pdf.heading(_("Figures"))
            pdf.line_of_text(_("From the state-of-the-art report: %(title)s") % {"title": report.title})
            for figure in figures:
                pdf.ln(2)
                pdf.set_font(FAMILY, "B", 10)
                pdf.multi_cell(0, 6, figure["title"], new_x="LMARGIN", new_y="NEXT")
                pdf.line_of_text(figure["summary"])
                pdf.table(tuple(c["title"] for c in figure["columns"]),
                          ([_cell(row.get(c["field"]), c.get("format", "text")) for c in figure["columns"]]
                           for row in figure["rows"]))
        refs = handbooks.references(handbook)
        if refs:
            pdf.add_page()
            pdf.start_section(_("References"))
            pdf.heading(_("References"))
            for ref in refs:
                pdf.line_of_text(ref)
        return pdf.bytes()


def _box_html(box, base_url: str) -> str:
    kind = _("Case study") if box.kind == "case" else _("Resource pack")
    link = format_html('<a href="{}">{}</a>', f"{base_url}{box.url}", box.title) if box.url else box.title
    return format_html('<aside class="box"><p><strong>{}:</strong> {}</p><p>{}</p></aside>', kind, link,
                       Truncator(box.summary).chars(240))


def handbook_epub(handbook: Handbook, *, base_url: str = "") -> bytes:
    """The EPUB: one part per chapter (its text, then the case studies and packs it draws on), then the references."""
    with override(handbook.language):
        parts = [(f"{c.number}. {c.title}", str(c.html) + "".join(_box_html(b, base_url) for b in c.boxes))
                 for c in handbooks.chapters(handbook)]
        refs = handbooks.references(handbook)
        if refs:
            parts.append((_("References"), "<ul>" + "".join(format_html("<li>{}</li>", r) for r in refs) + "</ul>"))
        out = io.BytesIO()
        write_epub(out, title=handbook.title, language=handbook.language, authors=[handbook.authors],
                   identifier=f"urn:safeschool:handbook:{handbook.version}:{handbook.language}",
                   modified=handbook.published_at or handbook.created_at, chapters=parts)
        return out.getvalue()
