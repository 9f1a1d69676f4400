"""Template filters that keep suppressed cells suppressed wherever they are shown; the chart tags."""

import math

from django import template
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from safeschool.web.core import charts, formatting

register = template.Library()


def hidden(reason: str | None = None):
    """A figure not shown: 'n<10' for a small group, 'hidden' for one hidden to protect a small group (in the
    reader's language, with the reason as its title)."""
    return format_html('<span class="suppressed" data-reason="{}" title="{}">{}</span>',
                       reason or "small", formatting.hidden_reason(reason).capitalize(),
                       formatting.hidden_short(reason))


@register.filter
def cell(stat, fmt: str = ".2f"):
    """Render a statistic dict ({mean or value, suppressed, reason, ...}) or a plain number; a suppressed one
    shows why it is hidden ('n<10', or 'hidden' when it protects a small group)."""
    if stat is None or (isinstance(stat, float) and math.isnan(stat)):
        return hidden()
    if isinstance(stat, dict):
        value = stat.get("mean") if "mean" in stat else stat.get("value")
        if stat.get("suppressed") or value is None or (isinstance(value, float) and math.isnan(value)):
            return hidden(stat.get("reason"))
        stat = value
    return _formatted(stat, fmt)


def _formatted(value, fmt: str) -> str:
    """A Python format spec (".2f", "%", ".1%", ".0f") read as the formatting layer's rule for it."""
    fmt = fmt or ".2f"
    if fmt.endswith("%"):
        return formatting.percent(value, int(fmt[1:-1]) if fmt[1:-1].isdigit() else 1)
    if fmt.startswith(".") and fmt[-1] in "fg" and fmt[1:-1].isdigit():
        return formatting.number(value, int(fmt[1:-1]))
    return formatting.number(value)


@register.filter
def count(n, reason: str | None = None):
    """A number of students, or why it is hidden when suppressed (None or NaN): `{{ row.n|count:row.reason }}`;
    an integer with the locale's thousands separator ("1,131")."""
    if formatting.is_missing(n):
        return hidden(reason)
    return formatting.count(n)


# The formatting layer's figures (web/core/formatting.py): missing reads "—", never "-0", locale-aware.
@register.filter
def number(x, digits=2):
    """`{{ value|number }}` -> "3.23" / "3,23"; `{{ value|number:1 }}`."""
    return formatting.number(x, int(digits))


@register.filter
def percent(p, digits=1):
    """A proportion 0–1: `{{ share|percent }}` -> "93.9 %"."""
    return formatting.percent(p, int(digits))


@register.filter
def points(p, digits=1):
    """A difference of proportions in percentage points: `{{ diff|points }}` -> "4.7"."""
    return formatting.points(p, int(digits))


@register.filter
def significant(x, sig=2):
    """`{{ value|significant:3 }}`: `sig` significant digits ("0.00046", "123")."""
    return formatting.significant(x, int(sig))


@register.filter
def p_value(p):
    """`{{ p|p_value }}` -> "< 0.001" or "0.023"."""
    return formatting.p_value(p)


@register.filter
def fraction(part, whole):
    """A count out of a total, counts as integers: `{{ r.responded|fraction:r.invited }}` -> "25 of 33"."""
    return formatting.fraction(part, whole)


@register.filter(name="label")
def label_filter(code, kind: str):
    """The translated label of a code: `{{ member.stakeholder_type|label:"stakeholder_type" }}`."""
    return formatting.label(kind, code)


@register.filter
def term_label(term):
    """A model term as a reader says it: `{{ "genderM"|term_label }}` -> "Gender: boys (vs girls)"."""
    return formatting.term_label(term)


@register.filter(name="interval")
def interval_filter(row, field: str):
    """An estimate with its interval from a row's `field`, `field_low`, `field_high` (dict or object):
    `{{ s|interval:"predicted" }}` -> "0.12 (0.05 to 0.19)"."""
    def get(name):
        return row.get(name) if isinstance(row, dict) else getattr(row, name, None)
    return formatting.interval(get(field), get(f"{field}_low"), get(f"{field}_high"))


@register.simple_tag(name="interval")
def interval_tag(estimate, low, high, digits=2):
    """`{% interval est lo hi %}` -> "0.12 (0.05 to 0.19)"."""
    return formatting.interval(estimate, low, high, int(digits))


# Vega, Vega-Lite, vega-embed and our renderer: about 1 MB, so only pages that show a chart load them.
CHART_SCRIPTS = ("vendor/vega.min.js", "vendor/vega-lite.min.js", "vendor/vega-embed.min.js", "core/charts.js")
_HAS_CHARTS = "safeschool_has_charts"


@register.simple_tag(takes_context=True)
def uses_charts(context) -> str:
    """Mark the page as showing charts, for a page whose charts arrive later through htmx (an analysis that is
    still running); `chart` marks its page itself. The mark is kept on the request, which included templates share."""
    request = context.get("request")
    if request is not None:
        setattr(request, _HAS_CHARTS, True)
    return ""


@register.simple_tag(takes_context=True)
def chart_scripts(context) -> str:
    """The chart scripts, when the page (rendered before this tag, at the end of core/base.html) has charts."""
    if not getattr(context.get("request"), _HAS_CHARTS, False):
        return ""
    return mark_safe("".join(f'<script src="{static(path)}"></script>\n' for path in CHART_SCRIPTS))


@register.simple_tag(takes_context=True)
def chart(context, spec: dict, name: str, description: str = ""):
    """A figure that static/core/charts.js turns into a Vega-Lite chart (the spec travels as JSON, with the chart
    theme), with its title, accessible name and description, and its data table (web/core/charts.py)."""
    uses_charts(context)
    return charts.figure_html(spec, name, description)


@register.filter
def pvalue(p):
    """The older name of `p_value`."""
    return formatting.p_value(p)
