"""A document figure's chart drawn into a PDF (core.pdf.Document) with the one chart theme (safeschool.chart_theme):
bars with their labels on the left and their values on the right (a long label wraps, and shrinks when it still
does not fit; nothing is cut), whiskers, a colour per series with a legend; lines with axes, year ticks, labelled
dashed reference rules and flagged points marked (their meanings are the figure's footnote); dots with their
intervals. The same rows as the web chart (vega.drawn_rows): a suppressed row has no mark. Every number is
written by core.formatting in the active language. Text is drawn with `text()`, which never breaks a page: the
caller makes room for `height(...)` first."""

from __future__ import annotations

import math

from safeschool import chart_theme as theme
from safeschool.publishing.document import Chart
from safeschool.web.core import formatting, vega
from safeschool.web.core.pdf import FAMILY, Document

LABEL_W = 58      # mm for category labels
VALUE_W = 24      # mm for values right of the plot
FONT = 7          # pt
LINE = 3.1        # mm per label line
BAR = 4.2         # mm per bar
GAP = 1.6         # mm between categories
PLOT_H = 62       # a line chart's plot height, mm
AXIS_H = 7        # tick labels under a plot
LEGEND_H = 5
RULE_W = 36       # mm right of a line chart for its rules' labels


def _rgb(colour: str) -> tuple[int, int, int]:
    return theme.rgb(colour)


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    if high <= low:
        high = low + 1
    raw = (high - low) / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step + 1e-9) * step
    ticks, value = [], first
    while value <= high + step * 1e-6:
        if value >= low - step * 1e-6:
            ticks.append(round(value, 12))
        value += step
    return ticks


def tick_text(value: float, fmt: str, step: float) -> str:
    kind = fmt.partition(":")[0]
    if kind == "percent":
        digits = max(0, -math.floor(math.log10(step * 100) + 1e-9)) if step else 0
        return formatting.percent(value, digits)
    digits = max(0, -math.floor(math.log10(step) + 1e-9)) if step else 0
    return formatting.number(value, digits)


def _scale(chart: Chart, rows: list[dict], zero: bool = True) -> tuple[float, float]:
    if chart.domain:
        return float(chart.domain[0]), float(chart.domain[1])
    values = [float(r[f]) for r in rows for f in (chart.value, chart.low, chart.high) if f and r.get(f) is not None]
    values += [float(rule.value) for rule in chart.rules]
    if not values:
        return 0.0, 1.0
    low, high = min(values), max(values)
    if zero:
        low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        high = low + (abs(low) or 1)
    if not zero:
        pad = (high - low) * 0.08
        low, high = low - pad, high + pad
    ticks = nice_ticks(low, high)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1
    return min(low, ticks[0]), max(high, ticks[-1] if ticks[-1] >= high else ticks[-1] + step)


def _series(chart: Chart, rows: list[dict]) -> list[str]:
    return list(dict.fromkeys(str(r.get(chart.series)) for r in rows)) if chart.series else []


def _colour(series: list[str], name: str) -> str:
    return theme.PALETTE[series.index(name) % len(theme.PALETTE)] if name in series else theme.PRIMARY


def wrap_label(pdf: Document, text: str, width: float, size: float = FONT) -> tuple[list[str], float]:
    """A label's lines at `size`, shrunk (down to 5.5 pt) while it needs more than two lines; never cut."""
    while True:
        pdf.set_font(FAMILY, "", size)
        lines = wrap(pdf, str(text), width)
        if len(lines) <= 2 or size <= 5.5:
            return lines, size
        size -= 0.5


def wrap(pdf: Document, text: str, width: float) -> list[str]:
    """`text` in lines no wider than `width` at the current font, broken at spaces (never at a no-break space);
    a word wider than a line is broken where it must be."""
    lines, current = [], ""
    for word in text.split(" "):
        candidate = f"{current} {word}".strip()
        if pdf.get_string_width(candidate) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
        while pdf.get_string_width(current) > width and len(current) > 1:  # a single very long word
            cut = len(current)
            while cut > 1 and pdf.get_string_width(current[:cut]) > width:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    return lines + ([current] if current else []) or [""]


def _rows_layout(pdf: Document, chart: Chart, rows: list[dict]) -> list[tuple[str, list[dict], list[str], float]]:
    """Per category: its rows, its label's lines and font size."""
    categories: dict[str, list[dict]] = {}
    for r in rows:
        categories.setdefault(str(r.get(chart.category)), []).append(r)
    out = []
    for name, members in categories.items():
        lines, size = wrap_label(pdf, name, LABEL_W - 2)
        out.append((name, members, lines, size))
    return out


def _category_height(lines: list[str], members: list[dict]) -> float:
    return max(len(lines) * LINE, len(members) * BAR) + GAP


def height(pdf: Document, chart: Chart) -> float:
    rows = vega.drawn_rows(chart)
    if not rows:
        return 0
    legend = LEGEND_H if _series(chart, rows) else 0
    rules = 4 if chart.rules else 0
    if chart.kind == "lines":
        return rules + PLOT_H + AXIS_H + legend + 4 + (4 if chart.value_title else 0)
    body = sum(_category_height(lines, members) for _n, members, lines, _s in _rows_layout(pdf, chart, rows))
    return rules + body + AXIS_H + legend + 4


def _dashed(pdf: Document, x1: float, y1: float, x2: float, y2: float, colour: str) -> None:
    pdf.set_draw_color(*_rgb(colour))
    pdf.set_line_width(0.35)
    pdf.set_dash_pattern(dash=1.4, gap=1)
    pdf.line(x1, y1, x2, y2)
    pdf.set_dash_pattern()
    pdf.set_line_width(0.2)


def _text(pdf: Document, x: float, y: float, text: str, *, size: float = FONT, colour: str = theme.INK,
          align: str = "L", bold: bool = False) -> None:
    pdf.set_font(FAMILY, "B" if bold else "", size)
    pdf.set_text_color(*_rgb(colour))
    width = pdf.get_string_width(text)
    pdf.text(x - width if align == "R" else x - width / 2 if align == "C" else x, y, text)
    pdf.set_text_color(*_rgb(theme.INK))


def _legend(pdf: Document, series: list[str], x: float, y: float, right: float) -> None:
    for name in series:
        pdf.set_font(FAMILY, "", FONT)
        width = pdf.get_string_width(name) + 7
        if x + width > right:
            x, y = pdf.l_margin, y + 4
        pdf.set_fill_color(*_rgb(_colour(series, name)))
        pdf.rect(x, y - 2.2, 2.6, 2.6, style="F")
        _text(pdf, x + 3.6, y, name)
        x += width


def _value_axis(pdf: Document, low: float, high: float, fmt: str, x0: float, width: float, top: float,
                bottom: float) -> None:
    ticks = [t for t in nice_ticks(low, high) if low - 1e-9 <= t <= high + 1e-9]
    step = ticks[1] - ticks[0] if len(ticks) > 1 else (high - low or 1)
    pdf.set_draw_color(*_rgb(theme.GRID))
    pdf.set_line_width(0.15)
    for t in ticks:
        x = x0 + width * (t - low) / (high - low)
        pdf.line(x, top, x, bottom)
        _text(pdf, x, bottom + 3.2, tick_text(t, fmt, step), size=6, colour=theme.MUTED, align="C")


def _rules_vertical(pdf: Document, chart: Chart, low: float, high: float, x0: float, width: float, top: float,
                    bottom: float) -> None:
    for i, rule in enumerate(chart.rules):
        x = x0 + width * (float(rule.value) - low) / (high - low)
        _dashed(pdf, x, top - 1, x, bottom, theme.REFERENCE)
        _text(pdf, min(x + 1, x0 + width - 1), top - 1.2 - 3 * i, rule.label, size=6.5, colour=theme.REFERENCE,
              align="R" if x > x0 + width * 0.6 else "L")


def bars(pdf: Document, chart: Chart) -> None:
    """Horizontal bars (kind "bars") or dots with intervals (kind "dots"); a chart taller than the page goes on
    over the next pages, each part with its axis, rules and legend."""
    rows = vega.drawn_rows(chart)
    if not rows:
        return
    series = _series(chart, rows)
    low, high = _scale(chart, rows, zero=chart.kind == "bars")
    layout = _rows_layout(pdf, chart, rows)
    frame = _rules_h(chart) + AXIS_H + (LEGEND_H if series else 0) + 4
    while layout:
        room = pdf.page_break_trigger - pdf.get_y() - frame
        fits, used = 0, 0.0
        for _n, members, lines, _s in layout:
            used += _category_height(lines, members)
            if used > room:
                break
            fits += 1
        if not fits and pdf.get_y() > pdf.t_margin + 1:
            pdf.add_page()
            continue
        fits = max(fits, 1)
        _bars_part(pdf, chart, layout[:fits], series, low, high)
        layout = layout[fits:]
        if layout:
            pdf.add_page()


def _rules_h(chart: Chart) -> float:
    return 4 + 3 * (len(chart.rules) - 1) if chart.rules else 0


def _bars_part(pdf: Document, chart: Chart, layout: list, series: list[str], low: float, high: float) -> None:
    x0 = pdf.l_margin + LABEL_W
    width = pdf.epw - LABEL_W - VALUE_W
    top = pdf.get_y() + _rules_h(chart)
    bottom = top + sum(_category_height(lines, members) for _n, members, lines, _s in layout)
    _value_axis(pdf, low, high, chart.format, x0, width, top, bottom)

    def at(v: float) -> float:
        return x0 + width * (min(max(float(v), low), high) - low) / (high - low)

    y = top
    for _name, members, lines, size in layout:
        block = _category_height(lines, members) - GAP
        label_top = y + (block - len(lines) * LINE) / 2
        for i, line in enumerate(lines):
            _text(pdf, x0 - 2, label_top + (i + 0.78) * LINE, line, size=size, align="R")
        bar_top = y + (block - len(members) * BAR) / 2
        for r in members:
            colour = _colour(series, str(r.get(chart.series))) if series else theme.PRIMARY
            value = float(r[chart.value])
            mid = bar_top + BAR / 2
            if chart.kind == "bars":
                pdf.set_fill_color(*_rgb(colour))
                start, end = sorted((at(max(low, min(0.0, high))), at(value)))
                pdf.rect(start, bar_top + 0.5, max(end - start, 0.3), BAR - 1, style="F")
            if r.get(chart.low) is not None and r.get(chart.high) is not None:
                pdf.set_draw_color(*_rgb(theme.INK if chart.kind == "bars" else theme.MUTED))
                pdf.set_line_width(0.3 if chart.kind == "bars" else 0.5)
                a, b = at(r[chart.low]), at(r[chart.high])
                pdf.line(a, mid, b, mid)
                pdf.line(a, mid - 0.9, a, mid + 0.9)
                pdf.line(b, mid - 0.9, b, mid + 0.9)
                pdf.set_line_width(0.2)
            if chart.kind == "dots":
                pdf.set_fill_color(*_rgb(colour))
                pdf.ellipse(at(value) - 1.1, mid - 1.1, 2.2, 2.2, style="F")
            _text(pdf, x0 + width + 2, mid + 1.1, vega.display(value, chart.format), size=6.5)
            bar_top += BAR
        y += block + GAP
    _rules_vertical(pdf, chart, low, high, x0, width, top, bottom)
    y = bottom + AXIS_H
    if chart.value_title:
        _text(pdf, x0 + width / 2, bottom + 6.5, chart.value_title, size=6.5, colour=theme.MUTED, align="C")
    if series:
        _legend(pdf, series, pdf.l_margin, y + 1, pdf.l_margin + pdf.epw)
        y += LEGEND_H
    pdf.set_y(y + 2)


def lines(pdf: Document, chart: Chart) -> None:
    """One line per series over the years, points, flagged points marked with their letters, labelled rules."""
    rows = [r for r in vega.drawn_rows(chart) if r.get(chart.category) is not None]
    if not rows:
        return
    series = _series(chart, rows)
    low, high = _scale(chart, rows, zero=chart.domain is not None and chart.domain[0] == 0)
    years = sorted({int(r[chart.category]) for r in rows})
    first, last = years[0], max(years[-1], years[0] + 1)
    left, gutter = 20, (RULE_W if chart.rules else 4)
    x0, width = pdf.l_margin + left, pdf.epw - left - gutter
    top = pdf.get_y() + (6 if chart.value_title else 2)
    bottom = top + PLOT_H
    if chart.value_title:
        _text(pdf, pdf.l_margin, top - 4, chart.value_title, size=6.5, colour=theme.MUTED)

    def px(year: float) -> float:
        return x0 + width * (float(year) - first) / (last - first)

    def py(v: float) -> float:
        return bottom - PLOT_H * (min(max(float(v), low), high) - low) / (high - low)

    ticks = [t for t in nice_ticks(low, high) if low - 1e-9 <= t <= high + 1e-9]
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1
    pdf.set_line_width(0.15)
    for t in ticks:
        pdf.set_draw_color(*_rgb(theme.GRID))
        pdf.line(x0, py(t), x0 + width, py(t))
        _text(pdf, x0 - 1.5, py(t) + 1, tick_text(t, chart.format, step), size=6, colour=theme.MUTED, align="R")
    pdf.set_draw_color(*_rgb(theme.MUTED))
    pdf.line(x0, bottom, x0 + width, bottom)
    every = max(1, math.ceil((last - first + 1) / 12))
    for year in range(first, last + 1, every):
        pdf.line(px(year), bottom, px(year), bottom + 1)
        _text(pdf, px(year), bottom + 4, str(year), size=6, colour=theme.MUTED, align="C")  # never "2,019"
    _rules_horizontal(pdf, chart, py, x0, width, top, bottom)
    for name in series or [""]:
        points = sorted((int(r[chart.category]), float(r[chart.value]), vega.flag_letters(r.get(chart.flag))
                          if chart.flag else "") for r in rows if not series or str(r.get(chart.series)) == name)
        colour = _colour(series, name) if series else theme.PRIMARY
        pdf.set_draw_color(*_rgb(colour))
        pdf.set_fill_color(*_rgb(colour))
        pdf.set_line_width(0.5)
        for (xa, ya, _f), (xb, yb, _g) in zip(points, points[1:], strict=False):
            pdf.line(px(xa), py(ya), px(xb), py(yb))
        for year, value, flags in points:
            pdf.ellipse(px(year) - 0.8, py(value) - 0.8, 1.6, 1.6, style="F")
            if flags:
                _flag_mark(pdf, px(year), py(value), flags)
        pdf.set_line_width(0.2)
    y = bottom + AXIS_H
    if chart.category_title:
        _text(pdf, x0 + width / 2, y - 0.5, chart.category_title, size=6.5, colour=theme.MUTED, align="C")
    if series:
        _legend(pdf, series, pdf.l_margin, y + 2.5, pdf.l_margin + pdf.epw)
        y += LEGEND_H
    pdf.set_y(y + 2)


def _rules_horizontal(pdf: Document, chart: Chart, py, x0: float, width: float, top: float, bottom: float) -> None:
    """Dashed horizontal rules, each labelled in the gutter right of the plot (labels kept apart, wrapped)."""
    placed = []
    for rule in sorted(chart.rules, key=lambda r: -float(r.value)):
        y = py(rule.value)
        _dashed(pdf, x0, y, x0 + width + 1, y, theme.REFERENCE)
        pdf.set_font(FAMILY, "", 6.5)
        lines = wrap(pdf, rule.label, RULE_W - 4.5)
        block = len(lines) * 2.8
        start = max(y - block / 2, placed[-1] + 0.8 if placed else top - 2)
        for i, line in enumerate(lines):
            _text(pdf, x0 + width + 3.5, start + (i + 0.8) * 2.8, line, size=6.5, colour=theme.REFERENCE)
        placed.append(start + block)


def _flag_mark(pdf: Document, x: float, y: float, flags: str) -> None:
    """A flagged point: an open diamond in the highlight colour and its letters above it."""
    pdf.set_draw_color(*_rgb(theme.HIGHLIGHT))
    pdf.set_line_width(0.35)
    d = 1.8
    pdf.polygon([(x, y - d), (x + d, y), (x, y + d), (x - d, y)], style="D")
    _text(pdf, x, y - d - 0.8, flags, size=6, colour=theme.HIGHLIGHT, align="C", bold=True)


def draw(pdf: Document, chart: Chart) -> None:
    if chart.kind == "lines":
        lines(pdf, chart)
    elif chart.kind in ("bars", "dots"):
        bars(pdf, chart)
    else:
        raise ValueError(f"unknown chart kind {chart.kind!r}")
