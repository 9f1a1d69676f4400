"""The document as a tagged PDF (reports.render_pdf): read back with PDFium — tagged, in the report's language and
title, headings, paragraphs, lists, tables of rows and cells and figures with their alternative text, every piece
of text marked; numbers written in the report's language; a hidden figure shows its reason, never its value; a
long table carries on, tagged, over pages; and the checks themselves can fail."""

from __future__ import annotations

import re

import pytest
from report_checks import assert_not_blank, assert_tagged, pdf_text, structure, untranslated
from report_world import GREEK, HIDDEN_VALUE, POLISH, make_report

from safeschool.web.core.pdf import FAMILY, Document
from safeschool.web.reports import render_pdf


def _plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\r", "")


@pytest.fixture(scope="module")
def spanish(report):
    return render_pdf.pdf(report)


def test_the_pdf_is_tagged_in_its_language_and_not_blank(report, spanish):
    assert spanish.startswith(b"%PDF")
    found = assert_tagged(spanish, "es", report.title)
    assert_not_blank(spanish)
    alts = found["alts"]["Figure"]
    assert [a.split(".")[0] for a in alts] == [f.title for f in report.figures()]
    assert b"/Outlines" in spanish  # a bookmark per section
    for field in (b"/Subject", b"/Creator", b"/CreationDate"):
        assert field in spanish


def test_the_text_is_the_report_s_with_numbers_in_its_language(spanish):
    text = _plain(pdf_text(spanish))
    for expected in ("9,7 %", "12,1 %", "1 234", GREEK, POLISH, "c3f2a9c1-i4-r2", "Perfil " + GREEK, "2019",
                     "2022", "n<10", "2030 target: below 9 %"):
        assert expected in text, expected
    assert "9.7 %" not in text and "2.019" not in text and "2,019" not in text
    assert "None" not in text and "nan" not in text.lower().split()


def test_a_hidden_figure_shows_its_reason_and_never_its_value(spanish):
    text = _plain(pdf_text(spanish))
    percent = f"{HIDDEN_VALUE * 100:.1f}"
    for leaked in (percent, percent.replace(".", ","), str(HIDDEN_VALUE), str(HIDDEN_VALUE).replace(".", ",")):
        assert leaked not in text, leaked
    assert "n<10:" in text  # the reason spelt out under the table


def test_flags_are_marked_and_explained(report):
    text = _plain(pdf_text(render_pdf.pdf(make_report("en"))))
    assert "b: break in time series" in text and "p: provisional" in text
    assert "9.7 %" in text  # English reads a decimal point
    assert re.search(r"generated 29 Nov\w* 2026 · data c3f2a9c1-i4-r2\s+·\s+page 2", text)  # the footer


def test_a_long_table_carries_on_over_pages_tagged():
    data = render_pdf.pdf(make_report("pl", long_table=60))
    found = assert_tagged(data, "pl", "Perfil " + GREEK)
    pages = pdf_text(data).split("\f")
    first = next(i for i, p in enumerate(pages) if f"Row 0 {GREEK}" in p)
    last = next(i for i, p in enumerate(pages) if f"Row 59 {GREEK}" in p)
    assert last > first
    for i in (first, last):
        assert {"Table", "TR", "TD"} <= set(found["pages"][i]), i
    assert "Number" in pages[last]  # the header row repeated on the next page (as an artifact)
    assert found["pages"][last].count("TH") == 0 or first == last


def test_the_checks_can_fail():
    plain = Document(footer="x")
    plain.add_page()
    plain.set_font(FAMILY, "", 10)
    plain.cell(0, 5, "Untagged")
    data = plain.bytes()
    with pytest.raises(AssertionError):
        assert_tagged(data, "en", "x")
    tagged = Document(footer="x", tagged=True)
    tagged.set_lang("en")
    tagged.set_title("x")
    tagged.add_page()
    tagged.set_font(FAMILY, "", 10)
    with tagged.tag("P"):
        tagged.cell(0, 5, "Inside")
    tagged.cell(0, 5, "Outside any tag")
    assert structure(tagged.bytes())["unmarked"] == [1]
    with pytest.raises(AssertionError):
        assert_not_blank(_blank())


def _blank() -> bytes:
    pdf = Document(footer="")
    pdf.footer = lambda: None
    pdf.add_page()
    return pdf.bytes()


def test_untranslated_finds_labels_left_in_one_language():
    english, spanish = make_report("en"), make_report("es")
    same = untranslated(english, spanish, allow=("Perfil " + GREEK,))
    assert "Summary" in same and "Perfil " + GREEK not in same
    spanish.sections[0].title = "Resumen"
    assert "Summary" not in untranslated(english, spanish)


def test_existing_documents_stay_untagged_and_unchanged_in_kind():
    pdf = Document(footer="report")
    assert not pdf.tagged and pdf.group("Table") is None
    pdf.add_page()
    pdf.set_font(FAMILY, "", 9)
    with pdf.tag("P") as element:
        pdf.multi_cell(0, 5, "text")
    assert element is None
    assert b"/StructTreeRoot" not in pdf.bytes()


def test_marked_content_cannot_nest():
    pdf = Document(tagged=True)
    pdf.add_page()
    with pdf.tag("P"), pytest.raises(RuntimeError), pdf.tag("P"):
        pass


def test_a_chart_taller_than_a_page_goes_on_over_pages_inside_them():
    import pypdfium2

    from safeschool.publishing.document import Chart, Column, Figure, Section, Table

    rows = [{"school": f"School {i} {POLISH}", "share": i / 200} for i in range(70)]
    figure = Figure("many", "Many schools", "Seventy bars.", Chart("bars", rows, "share", "school",
                                                                  format="percent:1"),
                    Table("Many schools", [Column("school", "School"), Column("share", "Share", "percent:1")], rows))
    report = make_report("en")
    report.sections = [Section("Schools", [figure])]
    data = render_pdf.pdf(report)
    found = structure(data)
    with_figure = [i for i, types in enumerate(found["pages"]) if "Figure" in types]
    assert len(with_figure) >= 2 and not found["unmarked"] and not found["orphans"]
    pdf = pypdfium2.PdfDocument(data)
    try:
        for page in pdf:
            height = page.get_height()
            for obj in page.get_objects():
                left, bottom, right, top = obj.get_bounds()
                assert bottom >= 0 and top <= height + 0.5, (left, bottom, right, top)
    finally:
        pdf.close()
    text = pdf_text(data)
    assert "School 69" in text and "34.5 %" in text.replace("\u00a0", " ")


def test_a_paragraph_broken_by_the_page_stays_one_tagged_paragraph():
    from safeschool.publishing.document import Paragraph, Section

    report = make_report("el")
    report.sections = [Section("Long", [Paragraph(f"{GREEK} {POLISH}. " * 600)])]
    data = render_pdf.pdf(report)
    found = structure(data)
    middle = found["pages"][1:-1]  # between the cover and the sources: nothing but the one paragraph going on
    assert len(middle) >= 2 and all(types == ["Document", "P"] for types in middle)
    assert not found["unmarked"] and not found["orphans"]
    assert found["lang"] == "el"
