"""The one document model every report is built as (school and country profiles, policy briefs, the annual
report): a title, the language it is written in, when and from which data it was generated, where its analyses
come from, and sections of blocks. The web renders it with the site's template and charts
(safeschool.web.reports.render_html) and print renders the same document as a tagged PDF with the same chart theme
(safeschool.web.reports.render_pdf), so a figure reads the same in both.

Pure Python, no Django: builders (in the web apps) fill it with text already translated and figures as numbers;
the renderers write every number through the one formatting layer in the reader's language, from a column's
`format` (the core.charts convention: `text`, `label:<kind>`, `count`, `percent[:digits]`, `number[:digits]`).
A row whose `suppressed` is true (with its `reason`) or that lists a field in `hidden` carries no figure for it:
builders leave the value out (None) as well, so nothing about a small group can reach a renderer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class Column:
    field: str
    title: str  # translated
    format: str = "text"


@dataclass
class Table:
    caption: str  # translated; also the table's accessible name
    columns: list[Column]
    rows: list[dict]
    note: str = ""  # e.g. why some cells are hidden


@dataclass
class Rule:
    """A reference line on a chart: a target, an average."""

    value: float
    label: str  # translated, e.g. "2030 target: below 9 %"


@dataclass
class Chart:
    """How a figure is drawn, the same on the web (a Vega-Lite spec built from this) and in print.

    kind: "bars" (one bar per row of `category`, optional whiskers `low`–`high`, optional `series` colouring),
    "lines" (`x` numeric, e.g. year, one line per `series`; rows with `flag` letters are marked), or
    "dots" (a point estimate per `category` with its interval, e.g. MAIHDA strata)."""

    kind: str
    rows: list[dict]
    value: str  # the field drawn (bar length, line height, dot position)
    category: str = ""  # bars/dots: the label of each row; lines: the x field
    series: str = ""  # the field telling series apart (its values are already translated labels)
    low: str = ""
    high: str = ""
    format: str = "number:2"  # how values read (axis, labels)
    value_title: str = ""  # axis title, translated
    category_title: str = ""
    domain: tuple[float, float] | None = None  # the value axis' range; None: from the data (and 0)
    rules: list[Rule] = field(default_factory=list)
    flag: str = ""  # lines: the field holding a point's flags (e.g. Eurostat's "b", "p"), shown as a mark and note


@dataclass
class Figure:
    name: str  # stable id within the document, e.g. "esl-series"
    title: str  # translated
    summary: str  # one or two sentences saying what the figure shows (its text alternative), translated
    chart: Chart
    table: Table  # the numbers behind the chart (the web's "Data table", printed under the chart)
    note: str = ""  # a source or caveat printed under the figure


@dataclass
class Paragraph:
    text: str  # translated plain text (no markup)


@dataclass
class Facts:
    """Label–value pairs, e.g. "Tracking age: 14"; values already formatted by the builder."""

    items: list[tuple[str, str]]


@dataclass
class Links:
    """A list of references with their addresses (relative addresses are resolved against the site's address)."""

    items: list[tuple[str, str]]  # (text, url)


@dataclass
class Notice:
    """A boxed statement the reader must not miss: simulated data, a withdrawn analysis, nothing to show."""

    text: str


Block = Paragraph | Facts | Links | Notice | Figure | Table


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)
    anchor: str = ""  # an id for links within the document


@dataclass
class Provenance:
    """Where the document's figures come from: one line per source (data, analysis run, release of an
    official series), with an address when the platform has a page for it."""

    label: str  # translated, e.g. "Ecological decomposition of achievement"
    detail: str  # e.g. "run 12, data fingerprint 3f2a9c1e, mixedlm 0.4.1, generated 2026-11-29"
    url: str = ""


@dataclass
class Report:
    kind: str  # school | country | brief | annual
    title: str
    language: str  # the language every string was written in
    generated_at: dt.datetime
    data_version: str  # research.selectors.data_version(): which data the figures were computed from
    sections: list[Section]
    subtitle: str = ""
    authors: str = ""
    provenance: list[Provenance] = field(default_factory=list)
    slug: str = ""  # a file name stem, e.g. "school-IT-S001-it"
    notices: list[Notice] = field(default_factory=list)  # shown under the title

    def figures(self) -> list[Figure]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)] + [f.table for f in
                                                                                       self.figures()]
