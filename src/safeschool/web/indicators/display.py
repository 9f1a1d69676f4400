"""A document figure on a page: the Vega-Lite chart with its data table (core.charts.figure_html) when the spec
builder is available, else the data table alone — the same numbers either way."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from safeschool.publishing.document import Figure
from safeschool.web.core.charts import figure_html, table_html

try:  # the spec builder shared with the reports (safeschool.web.reports.vega re-exports it)
    from safeschool.web.core.vega import spec as vega_spec
except ImportError:  # not there yet: the table carries the figure
    vega_spec = None
DRAWS = vega_spec is not None  # pages load the chart scripts only then


def table_dict(figure: Figure) -> dict:
    return {"columns": [{"field": c.field, "title": c.title, "format": c.format} for c in figure.table.columns],
            "rows": figure.table.rows}


def figure_block(figure: Figure | None) -> SafeString | str:
    if figure is None:
        return ""
    if vega_spec is not None:
        return figure_html(vega_spec(figure), figure.name)
    return format_html('<figure class="chart" data-chart="{}"><figcaption class="chart-title">{}</figcaption>'
                       '<p class="chart-summary">{}</p><details class="chart-data" open><summary>{}</summary>{}'
                       '</details></figure>', figure.name, figure.title, figure.summary,
                       # Translators: the toggle that shows the numbers behind a chart as a table.
                       gettext("Data table"), table_html(table_dict(figure), figure.title))
