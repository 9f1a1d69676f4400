"""Checks every report test can use on what a renderer wrote: the text of a PDF, that its first page is not
blank, that it is a tagged PDF (read back with PDFium: catalog, language, title, the structure tree of each page
and the marks on every piece of text) and which labels two languages' versions of a report left untranslated."""

from __future__ import annotations

import ctypes
import re

import pypdfium2
import pypdfium2.raw as raw

from safeschool.publishing.document import Facts, Figure, Report, Table


def pdf_text(data: bytes) -> str:
    """The text of every page, pages separated by a form feed."""
    pdf = pypdfium2.PdfDocument(data)
    try:
        return "\f".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


def assert_not_blank(data: bytes) -> None:
    """Page 1 drawn to an image is not all one colour (something was drawn, text and more)."""
    pdf = pypdfium2.PdfDocument(data)
    try:
        image = pdf[0].render(scale=0.5).to_pil().convert("L")
    finally:
        pdf.close()
    low, high = image.getextrema()
    assert high - low > 100, "page 1 is blank"
    dark = sum(image.histogram()[:128])
    assert dark > 200, f"page 1 has almost nothing drawn ({dark} dark pixels)"


def _string(getter, handle) -> str:
    size = getter(handle, None, 0)
    if size <= 2:
        return ""
    buffer = ctypes.create_string_buffer(size)
    target = ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)) if getter is raw.FPDFCatalog_GetLanguage \
        else buffer
    getter(handle, target, size)
    return buffer.raw[:size].decode("utf-16-le").rstrip("\x00")


def _walk(element, page_types: list[str], alts: dict[str, list[str]], mcids: set[int]) -> None:
    kind = _string(raw.FPDF_StructElement_GetType, element)
    page_types.append(kind)
    for i in range(max(0, raw.FPDF_StructElement_GetMarkedContentIdCount(element))):
        mcids.add(raw.FPDF_StructElement_GetMarkedContentIdAtIndex(element, i))
    alt = _string(raw.FPDF_StructElement_GetAltText, element)
    if alt:
        alts.setdefault(kind, []).append(alt)
    for i in range(raw.FPDF_StructElement_CountChildren(element)):
        child = raw.FPDF_StructElement_GetChildAtIndex(element, i)
        if child:
            _walk(child, page_types, alts, mcids)


def structure(data: bytes) -> dict:
    """What PDFium reads of the document's tagging: per page the structure element types with content on it, the
    alternative texts by type, the catalog's language and tagged flag, the title, and the text objects on each
    page that carry no mark (neither a tag with an MCID nor an artifact) and the (page, MCID) of content that no
    structure element references (a parent tree out of step with the content)."""
    pdf = pypdfium2.PdfDocument(data)
    try:
        lang = _string(raw.FPDFCatalog_GetLanguage, pdf.raw)
        out = {"tagged": bool(raw.FPDFCatalog_IsTagged(pdf.raw)), "lang": lang,
               "title": pdf.get_metadata_dict().get("Title", ""), "pages": [], "alts": {}, "unmarked": [],
               "orphans": []}
        for index in range(len(pdf)):
            page = pdf[index]
            tree = raw.FPDF_StructTree_GetForPage(page.raw)
            types: list[str] = []
            referenced: set[int] = set()
            try:
                for i in range(raw.FPDF_StructTree_CountChildren(tree)):
                    _walk(raw.FPDF_StructTree_GetChildAtIndex(tree, i), types, out["alts"], referenced)
            finally:
                raw.FPDF_StructTree_Close(tree)
            out["pages"].append(types)
            for obj in page.get_objects(max_depth=1):
                if obj.type == raw.FPDF_PAGEOBJ_TEXT and raw.FPDFPageObj_CountMarks(obj.raw) == 0:
                    out["unmarked"].append(index + 1)
                mcid = raw.FPDFPageObj_GetMarkedContentID(obj.raw)
                if mcid >= 0 and mcid not in referenced:  # content no structure element owns
                    out["orphans"].append((index + 1, mcid))
    finally:
        pdf.close()
    return out


def assert_tagged(data: bytes, language: str, title: str) -> dict:
    """A tagged PDF: marked, in `language`, titled `title`, with headings, paragraphs, a table of rows and cells, a
    figure with its alternative text, and every piece of text marked (content or artifact). Returns `structure`."""
    assert b"/StructTreeRoot" in data and b"/DisplayDocTitle true" in data
    assert re.search(rb"/MarkInfo\s*<<\s*/Marked true\s*>>", data), "no /MarkInfo <</Marked true>>"
    found = structure(data)
    assert found["tagged"], "PDFium does not read the document as tagged"
    assert found["lang"] == language
    assert found["title"] == title
    types = {t for page in found["pages"] for t in page}
    missing = {"H1", "H2", "P", "Table", "TR", "TH", "TD", "Figure", "L", "LI"} - types
    assert not missing, f"structure types missing: {sorted(missing)}"
    assert all(found["pages"]), "a page with no tagged content"
    assert found["alts"].get("Figure"), "a figure without alternative text"
    assert not found["unmarked"], f"text outside any marked content on pages {sorted(set(found['unmarked']))}"
    assert not found["orphans"], f"marked content no structure element owns: {found['orphans'][:5]}"
    return found


def labels(report: Report) -> list[str]:
    """The labels a reader reads as words: section titles, table captions and column titles, fact labels, figure
    titles and axis titles."""
    out = [report.title, *(s.title for s in report.sections)]
    for section in report.sections:
        for block in section.blocks:
            if isinstance(block, Facts):
                out += [label for label, _value in block.items]
            if isinstance(block, Figure):
                out += [block.title, block.chart.value_title, block.chart.category_title]
            tables = [block] if isinstance(block, Table) else [block.table] if isinstance(block, Figure) else []
            for table in tables:
                out += [table.caption, *(c.title for c in table.columns)]
    return [text for text in out if text]


def untranslated(report_a: Report, report_b: Report, allow=()) -> list[str]:
    """Labels that read the same in two languages' versions of a report (numbers, codes and the proper names in
    `allow` excepted): what a translation left out."""
    allowed = set(allow)
    other = set(labels(report_b))
    same = []
    for text in dict.fromkeys(labels(report_a)):
        if text in other and text not in allowed and re.search(r"[^\W\d_]{3,}", text) and not re.fullmatch(
                r"[A-Z0-9_\-.]+", text):
            same.append(text)
    return same
