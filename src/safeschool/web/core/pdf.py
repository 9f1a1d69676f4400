"""The platform's PDF documents (fpdf2): A4, the chart theme's colours, and an embedded Unicode font — fpdf2's core
fonts are Latin-1 only and cannot draw Greek, Polish or Romanian letters, so every PDF uses DejaVu Sans, which
the repository carries (static/vendor/fonts, with its licence) so that a fresh machine needs no system font.

A document made with `tagged=True` is a tagged PDF (PDF/UA's logical structure): `tag("P")` wraps what is drawn
in a marked-content sequence (`/P <</MCID n>> BDC … EMC`) that belongs to a structure element, `group("Table")`
makes an element that holds others (Table > TR > TH/TD, L > LI), the page footer is an artifact, and a sequence
open when a page breaks is closed on the old page and carries on, as part of the same element, on the new one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace
from fpdf.prefs import ViewerPreferences
from fpdf.structure_tree import StructElem, StructureTreeBuilder

from safeschool import chart_theme

FONTS = Path(__file__).resolve().parent / "static" / "vendor" / "fonts"
FAMILY = "DejaVuSans"


class _ContentRef:
    """A marked-content reference (/MCR): content `mcid` of page `page` belongs to the element listing it."""

    def __init__(self, pdf: FPDF, page: int, mcid: int):
        self.pdf, self.page, self.mcid = pdf, page, mcid

    def serialize(self, _security_handler=None, _obj_id=None) -> str:
        return f"<</Type /MCR /Pg {self.pdf.pages[self.page].ref} /MCID {self.mcid}>>"


class Element(StructElem):
    """A structure element with attributes (/A), e.g. a header cell's scope."""

    __slots__ = ("a",)

    def __init__(self, *args, attributes: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.a = attributes


class TagTree(StructureTreeBuilder):
    """fpdf2's structure tree with nested elements: every element is written out (fpdf2 writes only the
    document's children), content is referenced by page and MCID, and MCIDs are numbered per page in the order
    the content is drawn (the parent tree lists each page's owners in that order)."""

    def __init__(self, pdf: FPDF):
        super().__init__()
        self.pdf = pdf
        self.elements: list[StructElem] = []
        self._mcids: dict[int, int] = {}

    def element(self, tag: str, parent: StructElem | None = None, *, title: str | None = None,
                alt: str | None = None, attributes: str | None = None) -> Element:
        parent = parent or self.doc_struct_elem
        elem = Element(struct_type=f"/{tag}", parent=parent, kids=[], page_number=max(self.pdf.page, 1),
                       title=title, alt=alt, attributes=attributes)
        parent.k.append(elem)
        self.elements.append(elem)
        return elem

    def _parents_id(self, page: int) -> int:
        spid = self.spid_per_page_number.setdefault(page, len(self.spid_per_page_number))
        self.pdf.pages[page].struct_parents = spid
        return spid

    def mark(self, elem: StructElem, page: int) -> int:
        """A new MCID on `page` owned by `elem`."""
        mcid = self.next_mcid_for_page(page)
        self.struct_tree_root.parent_tree.nums[self._parents_id(page)].append(elem)
        elem.k.append(_ContentRef(self.pdf, page, mcid))
        return mcid

    def next_mcid_for_page(self, page_number: int) -> int:
        mcid = self._mcids.get(page_number, 0)
        self._mcids[page_number] = mcid + 1
        return mcid

    def add_marked_content(self, page_number, struct_type, mcid=None, title=None, alt_text=None):
        """fpdf2's own tagging (an image's alt text): an element under the document, numbered like ours."""
        elem = StructElem(struct_type=struct_type, parent=self.doc_struct_elem, kids=[] if mcid is None else [mcid],
                          page_number=page_number, title=title, alt=alt_text)
        self.doc_struct_elem.k.append(elem)
        self.elements.append(elem)
        spid = self._parents_id(page_number)
        self.struct_tree_root.parent_tree.nums[spid].append(elem)
        return elem, spid

    def empty(self) -> bool:
        return not self.elements

    def __iter__(self):
        yield self.struct_tree_root
        yield self.doc_struct_elem
        yield self.struct_tree_root.parent_tree
        yield from self.elements


class Document(FPDF):
    """An A4 page with the Unicode font registered as FAMILY (regular and bold) and a page footer; with
    `tagged=True`, a tagged PDF (see the module's docstring)."""

    def __init__(self, *, footer: str = "", tagged: bool = False):
        super().__init__(format="A4")
        self.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.footer_text = footer
        self.tagged = tagged
        self._open: StructElem | None = None
        if tagged:
            self.struct_builder = TagTree(self)
            self.viewer_preferences = ViewerPreferences(display_doc_title=True)
        self.set_auto_page_break(auto=True, margin=15)
        self.set_text_color(*chart_theme.rgb(chart_theme.INK))
        self.set_draw_color(*chart_theme.rgb(chart_theme.GRID))

    def normalize_text(self, text: str) -> str:
        """A character the font has no glyph for (an emoji, a rare script) prints as U+FFFD "�" (a visible
        stand-in) rather than nothing; the text's meaning stays in the tagged structure's own strings."""
        text = super().normalize_text(text)
        cmap = getattr(self.current_font, "cmap", None)
        if text.isascii() or not cmap:
            return text
        return "".join(c if ord(c) in cmap or c in "\n\r\t\u200d" else "\ufffd" for c in text).replace(
            "\ufffd\u200d\ufffd", "\ufffd").replace("\ufffd\u200d", "\ufffd")

    # ---------------------------------------------------------------------------------------------- tagging
    def group(self, tag: str, parent: StructElem | None = None, *, title: str | None = None,
              alt: str | None = None, attributes: str | None = None) -> StructElem | None:
        """A structure element that holds others (Table, TR, L, LI, Sect); None when the PDF is not tagged."""
        if not self.tagged:
            return None
        return self.struct_builder.element(tag, parent, title=title, alt=alt, attributes=attributes)

    @contextmanager
    def tag(self, tag: str, parent: StructElem | None = None, *, title: str | None = None, alt: str | None = None,
            attributes: str | None = None) -> Iterator[StructElem | None]:
        """What is drawn inside, as the content of a new `tag` element under `parent` (the document when None)."""
        if not self.tagged:
            yield None
            return
        if self._open is not None:
            raise RuntimeError("marked content cannot nest: close the open tag first")
        elem = self.struct_builder.element(tag, parent, title=title, alt=alt, attributes=attributes)
        self._begin(elem)
        try:
            yield elem
        finally:
            self._end()

    @contextmanager
    def artifact(self, kind: str = "Layout") -> Iterator[None]:
        """What is drawn inside is not content (a decoration, a page's footer): assistive technology skips it."""
        if not self.tagged or self._open is not None:
            yield
            return
        self._out(f"/Artifact <</Type /{kind}>> BDC")
        try:
            yield
        finally:
            self._out("EMC")

    def _begin(self, elem: StructElem) -> None:
        mcid = self.struct_builder.mark(elem, self.page)
        self._out(f"{elem.s} <</MCID {mcid}>> BDC")
        self._open = elem

    def _end(self) -> None:
        if self._open is not None:
            self._out("EMC")
            self._open = None

    def add_page(self, *args, **kwargs) -> None:
        """A page break inside a marked sequence ends it on this page and carries it on on the next one."""
        carried = self._open if self.page else None
        self._end()
        super().add_page(*args, **kwargs)
        if carried is not None:
            self._begin(carried)

    def footer(self):
        self.set_y(-12)
        self.set_font(FAMILY, "", 7)
        self.set_text_color(*chart_theme.rgb(chart_theme.MUTED))
        if self.tagged:
            self._out("/Artifact <</Type /Pagination /Subtype /Footer>> BDC")
        self.cell(0, 5, f"{self.footer_text}  ·  {self.page_label()}", align="R")
        if self.tagged:
            self._out("EMC")
        self.set_text_color(*chart_theme.rgb(chart_theme.INK))

    def page_label(self) -> str:
        """The page's number as the footer writes it (a subclass may say "page 3")."""
        return str(self.page_no())

    def title_block(self, title: str, subtitle: str = "", size: int = 15) -> None:
        self.add_page()
        self.set_font(FAMILY, "B", size)
        self.set_text_color(*chart_theme.rgb(chart_theme.PRIMARY))
        self.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*chart_theme.rgb(chart_theme.INK))
        if subtitle:
            self.set_font(FAMILY, "", 9)
            self.multi_cell(0, 5, subtitle, new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def heading(self, text: str) -> None:
        self.set_font(FAMILY, "B", 12)
        self.multi_cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FAMILY, "", 9)

    def line_of_text(self, text: str) -> None:
        self.set_font(FAMILY, "", 9)
        self.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")

    def table(self, heads: tuple[str, ...], rows, widths: tuple[int, ...] | None = None) -> None:
        """A table that wraps long cells, a bold header on the theme's surface colour repeated on each page."""
        self.set_font(FAMILY, "", 8)
        with super().table(col_widths=widths, line_height=4.5, text_align="LEFT", first_row_as_headings=True,
                           headings_style=_heading_style(), repeat_headings=1) as table:
            table.row(heads)
            for cells in rows:
                table.row([str(c) for c in cells])

    def bytes(self) -> bytes:
        return bytes(self.output())


def _heading_style() -> FontFace:
    return FontFace(family=FAMILY, emphasis="BOLD", fill_color=chart_theme.rgb(chart_theme.SURFACE))
