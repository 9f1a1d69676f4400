"""The award's certificate (PDF, in the reader's language): the school, the level, the dates, the verification
code and the address where anyone checks it. The PDF embeds the Unicode font (core/pdf.py)."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext

from safeschool import chart_theme
from safeschool.web.core.pdf import FAMILY, Document
from safeschool.web.label.models import Award


def format_code(code: str) -> str:
    """ABCDEFGHJKLM -> ABCD-EFGH-JKLM (easier to read aloud and type)."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def certificate_pdf(award: Award, verify_url: str) -> bytes:
    label = gettext("Safe School Label")
    pdf = Document(footer=label)
    # the code and address also in the document's properties and as a link, for readers and search tools
    pdf.set_title(f"{label}: {award.school.name}")
    pdf.set_subject(f"{award.get_level_display()} · {format_code(award.verification_code)}")
    pdf.set_keywords(f"{award.verification_code} {verify_url}")
    pdf.add_page()
    pdf.ln(25)
    pdf.set_font(FAMILY, "B", 14)
    pdf.set_text_color(*chart_theme.rgb(chart_theme.MUTED))
    pdf.cell(0, 10, label, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(FAMILY, "B", 26)
    pdf.set_text_color(*chart_theme.rgb(chart_theme.PRIMARY))
    pdf.multi_cell(0, 13, award.get_level_display(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_text_color(*chart_theme.rgb(chart_theme.INK))
    pdf.set_font(FAMILY, "", 12)
    pdf.cell(0, 8, gettext("is awarded to"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "B", 18)
    pdf.multi_cell(0, 10, award.school.name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 11)
    pdf.cell(0, 7, award.school.country.name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    dates = gettext("Awarded on %(awarded)s · valid until %(until)s") % {
        "awarded": date_format(award.awarded_on, "DATE_FORMAT"), "until": date_format(award.valid_until, "DATE_FORMAT")}
    pdf.cell(0, 7, dates, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(14)
    pdf.set_font(FAMILY, "", 10)
    pdf.cell(0, 6, gettext("Verification code"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "B", 16)
    pdf.cell(0, 9, format_code(award.verification_code), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 10)
    pdf.multi_cell(0, 6, gettext("Check this certificate at %(url)s") % {"url": verify_url}, align="C",
                   new_x="LMARGIN", new_y="NEXT", link=verify_url)
    pdf.ln(12)
    pdf.set_font(FAMILY, "", 9)
    pdf.set_text_color(*chart_theme.rgb(chart_theme.MUTED))
    pdf.multi_cell(0, 5, gettext(
        "The Safe School Label recognises a school's continuous self-improvement: an honest self-evaluation, "
        "a plan and action with its community. It is not a ranking. The published criteria of each level are on "
        "the label's pages."), align="C", new_x="LMARGIN", new_y="NEXT")
    return pdf.bytes()
