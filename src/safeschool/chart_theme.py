"""The one chart theme: fonts, sizes, the Okabe–Ito palette, the highlight colour and gridlines, shared by every
Vega-Lite chart on the web (applied to each spec by the `chart` template tag and the spec builders) and by
anything that draws charts for print (a PDF writer reads the same colours from here).

Pure Python, no Django: the statistics figures (stats/figures.py) and report writers import it too.
"""

from __future__ import annotations

import copy

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision deficiency.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
HIGHLIGHT = "#D55E00"   # "this school" among others
OTHERS = "#9aa7b5"      # the others a highlighted mark stands among
INK = "#1b2733"         # text
MUTED = "#4a5868"       # axis titles, notes
GRID = "#d5dbe3"        # gridlines and domain lines (the design system's border colour)
SURFACE = "#f5f7fa"
PRIMARY = "#1d4f91"     # a single-series bar
REFERENCE = "#4a5868"   # reference rules (a target, an average), drawn dashed
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
FONT_SIZE = 12          # axis labels, legends, mark labels
TITLE_SIZE = 14
LABEL_INSIDE = "#ffffff"  # a value written inside a dark bar

# For print (e.g. fpdf): the same colours as RGB triples.


def rgb(hex_colour: str) -> tuple[int, int, int]:
    """'#0072B2' -> (0, 114, 178), for drawing libraries that take RGB."""
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


PALETTE_RGB = tuple(rgb(c) for c in PALETTE)

_CONFIG = {
    "font": FONT,
    "padding": 4,
    "view": {"stroke": None, "continuousWidth": 300, "continuousHeight": 200},
    "range": {"category": list(PALETTE)},
    "mark": {"color": PRIMARY},
    "bar": {"color": PRIMARY},
    "text": {"color": INK, "fontSize": FONT_SIZE},
    "title": {"font": FONT, "fontSize": TITLE_SIZE, "fontWeight": 600, "color": INK, "anchor": "start",
              "limit": 0, "offset": 8},
    "axis": {"labelFont": FONT, "titleFont": FONT, "labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE,
             "labelColor": INK, "titleColor": MUTED, "titleFontWeight": 600, "gridColor": GRID, "domainColor": GRID,
             "tickColor": GRID, "labelLimit": 0, "labelOverlap": True},
    "axisY": {"titleAngle": 0, "titleAlign": "left", "titleY": -10, "titleX": 0, "titleBaseline": "bottom"},
    "axisBand": {"grid": False, "ticks": False, "domain": False, "labelPadding": 6},
    "legend": {"labelFont": FONT, "titleFont": FONT, "labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE,
               "labelColor": INK, "titleColor": MUTED, "labelLimit": 0, "orient": "bottom", "direction": "vertical",
               "symbolType": "circle"},
}


def vega_config() -> dict:
    """The theme as a Vega-Lite `config` (a fresh copy: callers may change it)."""
    return copy.deepcopy(_CONFIG)


def themed(spec: dict) -> dict:
    """`spec` with the theme as its config; what the spec sets itself wins, key by key."""
    config = vega_config()
    for key, value in (spec.get("config") or {}).items():
        config[key] = {**config[key], **value} if isinstance(value, dict) and isinstance(config.get(key), dict) \
            else value
    return {**spec, "config": config}
