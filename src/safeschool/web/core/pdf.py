"""The platform's PDF documents (fpdf2): A4, the chart theme's colours, and an embedded Unicode font — fpdf2's core
fonts are Latin-1 only and cannot draw Greek, Polish or Romanian letters, so every PDF uses DejaVu Sans, which
the repository carries (static/vendor/fonts, with its licence) so that a fresh machine needs no system font."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from safeschool import chart_theme

FONTS = Path(__file__).resolve().parent / "static" / "vendor" / "fonts"
FAMILY = "DejaVuSans"


class Document(FPDF):
    """An A4 page with the Unicode font registered as FAMILY (regular and bold) and a page footer."""

    def __init__(self, *, footer: str = ""):
        super().__init__(format="A4")
        self.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.footer_text = footer
        self.set_auto_page_break(auto=True, margin=15)
        self.set_text_color(*chart_theme.rgb(chart_theme.INK))
        self.set_draw_color(*chart_theme.rgb(chart_theme.GRID))

    def footer(self):
        self.set_y(-12)
        self.set_font(FAMILY, "", 7)
        self.set_text_color(*chart_theme.rgb(chart_theme.MUTED))
        self.cell(0, 5, f"{self.footer_text}  ·  {self.page_no()}", align="R")
        self.set_text_color(*chart_theme.rgb(chart_theme.INK))

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
