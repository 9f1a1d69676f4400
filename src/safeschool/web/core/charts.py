"""How a Vega-Lite chart reaches a page: a figure with its title as a caption, an accessible name and description,
the spec (with the one chart theme) for static/core/charts.js to draw, and a text alternative — a one-sentence
summary and the data table behind a toggle, built from the same records as the chart.

A spec builder describes its text alternative in the spec's `usermeta` (Vega-Lite ignores it when drawing):
``{"summary": "…", "table": {"columns": [{"field": "band", "title": "Band", "format": "text"}, …],
"rows": [{…}, …]}}``. A column's format is one of `text`, `label:<kind>` (a code, read through the formatting
layer's labels), `count`, `percent`, `number` or `number:<digits>`. A row whose `suppressed` is true shows why
its figures are hidden (its `reason`) in place of each figure; a row's `hidden` lists single fields hidden so.
"""

from __future__ import annotations

import itertools
import json

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from safeschool.chart_theme import themed
from safeschool.web.core import formatting

_ids = itertools.count(1)
FIGURES = ("count", "percent", "number")


def _title_text(title) -> str:
    if isinstance(title, dict):
        title = title.get("text", "")
    if isinstance(title, list):
        title = " ".join(str(t) for t in title)
    return str(title or "")


def _hidden(row: dict) -> SafeString:
    reason = row.get("reason")
    return format_html('<span class="suppressed" data-reason="{}" title="{}">{}</span>', reason or "small",
                       formatting.hidden_reason(reason).capitalize(), formatting.hidden_short(reason))


def formatted(value, fmt: str, row: dict | None = None, field: str = ""):
    """One table cell: `value` written by the formatting layer as the column's format says; a figure of a
    suppressed row, or a field the row lists as `hidden`, shows why it is not shown."""
    kind, _, arg = (fmt or "text").partition(":")
    if kind in FIGURES and row is not None and (row.get("suppressed") or field in (row.get("hidden") or ())):
        return _hidden(row)
    if kind == "count":
        return formatting.count(value)
    if kind == "percent":
        return formatting.percent(value, int(arg or 1))
    if kind == "number":
        return formatting.number(value, int(arg or 2))
    if kind == "label":
        return formatting.label(arg, value)
    return formatting.MISSING if formatting.is_missing(value) else str(value)


def _data_values(spec: dict) -> list[dict]:
    """The records a spec without a table of its own draws (its first inline data)."""
    stack = [spec]
    while stack:
        node = stack.pop(0)
        values = (node.get("data") or {}).get("values") if isinstance(node.get("data"), dict) else None
        if values:
            return values
        for key in ("layer", "vconcat", "hconcat", "concat"):
            stack.extend(node.get(key) or [])
        if isinstance(node.get("spec"), dict):
            stack.append(node["spec"])
    return []


def _fallback_table(spec: dict) -> dict:
    """A table from the spec's own records, for specs built before tables were described (stored analyses)."""
    rows = _data_values(spec)
    fields = [k for k in (rows[0] if rows else {}) if not k.startswith("_")]
    columns = [{"field": f, "title": formatting.label("variable", f),
                "format": "number:3" if any(isinstance(r.get(f), float) for r in rows) else "text"} for f in fields]
    return {"columns": columns, "rows": rows}


def table_html(table: dict, caption: str) -> SafeString:
    columns = table.get("columns") or []
    head = format_html_join("", '<th scope="col"{}>{}</th>', (
        (mark_safe(' class="num"') if c.get("format", "text").split(":")[0] in FIGURES else "", c["title"])
        for c in columns))
    body = []
    for row in table.get("rows") or []:
        cells = format_html_join("", '<td{} data-label="{}">{}</td>', (
            (mark_safe(' class="num"') if c.get("format", "text").split(":")[0] in FIGURES else "", c["title"],
             formatted(row.get(c["field"]), c.get("format", "text"), row, c["field"])) for c in columns))
        body.append(format_html("<tr>{}</tr>", cells))
    return format_html('<div class="table-scroll"><table class="chart-table table-cards"><caption '
                       'class="visually-hidden">{}</caption><thead><tr>{}</tr></thead><tbody>{}</tbody></table></div>',
                       caption, head, mark_safe("".join(body)))


def figure_html(spec: dict, name: str, description: str = "") -> SafeString:
    """The figure for one chart. Its title becomes the caption (HTML wraps on a phone where a Vega title would be
    cut), the summary its description; the spec keeps the data and gets the theme."""
    uid = f"chart-{name}-{next(_ids)}"
    meta = spec.get("usermeta") or {}
    title = _title_text(spec.get("title")) or description
    summary = meta.get("summary") or description
    table = meta.get("table") or _fallback_table(spec)
    drawn = themed({k: v for k, v in spec.items() if k not in ("title", "usermeta")})
    drawn["description"] = f"{title}. {summary}" if summary else title
    payload = json.dumps(drawn).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return format_html(
        '<figure class="chart" data-chart="{name}" aria-labelledby="{uid}-title">'
        '<figcaption id="{uid}-title" class="chart-title">{title}</figcaption>'
        '<div class="vega" role="img" aria-label="{title}" aria-describedby="{uid}-summary" data-error="{error}">'
        '</div>'
        '<script type="application/json">{payload}</script>'
        '<p id="{uid}-summary" class="chart-summary">{summary}</p>'
        '<details class="chart-data"><summary>{toggle}</summary>{table}</details>'
        '</figure>',
        name=name, uid=uid, title=title, summary=summary, payload=mark_safe(payload),
        # Translators: shown in place of a chart when the browser fails to draw it, followed by the error.
        error=gettext("This chart could not be drawn:"),
        # Translators: the toggle that shows the numbers behind a chart as a table.
        toggle=gettext("Data table"), table=table_html(table, title))
