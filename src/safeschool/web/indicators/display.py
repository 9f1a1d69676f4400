"""A document figure on a page: the Vega-Lite chart (core.vega, the same spec builder the reports use) with its
data table (core.charts.figure_html) — the same numbers as the reports' PDF and HTML."""

from __future__ import annotations

from django.utils.safestring import SafeString

from safeschool.publishing.document import Figure
from safeschool.web.core.charts import figure_html
from safeschool.web.core.vega import spec as vega_spec


def figure_block(figure: Figure | None) -> SafeString | str:
    if figure is None:
        return ""
    return figure_html(vega_spec(figure), figure.name)
