"""Template filters that keep suppressed cells suppressed wherever they are shown."""

import json
import math

from django import template
from django.utils.safestring import mark_safe

from safeschool.stats.mixed import format_p

register = template.Library()
SUPPRESSED = mark_safe('<span class="suppressed" title="Fewer than 10 students: not shown">n&lt;10</span>')


@register.filter
def cell(stat, fmt: str = ".2f"):
    """Render a statistic dict ({mean, suppressed, ...}) or a plain number, showing 'n<10' when suppressed."""
    if stat is None or (isinstance(stat, float) and math.isnan(stat)):
        return SUPPRESSED
    if isinstance(stat, dict):
        if stat.get("suppressed") or stat.get("mean") is None:
            return SUPPRESSED
        stat = stat["mean"]
    if fmt == "%":
        return f"{stat:.1%}"
    return format(stat, fmt)


@register.filter
def count(n):
    """A number of students, or 'n<10' when suppressed (None or NaN)."""
    if n is None or (isinstance(n, float) and math.isnan(n)):
        return SUPPRESSED
    return f"{int(n):,}"


@register.simple_tag
def chart(spec: dict, name: str, description: str = ""):
    """A container that static/core/charts.js turns into a Vega-Lite chart; the spec travels as JSON."""
    payload = json.dumps(spec).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(
        f'<figure class="chart" data-chart="{name}"><div class="vega" role="img" aria-label="{description}"></div>'
        f'<script type="application/json">{payload}</script></figure>'
    )


@register.filter
def pvalue(p):
    return format_p(p)
