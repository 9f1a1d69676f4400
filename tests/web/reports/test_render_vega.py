"""The Vega-Lite specs of document figures (core.vega): each chart kind's layers, a year axis written without
a thousands separator, dashed labelled rules, flagged points drawn apart with their meanings, the text
alternative in usermeta, and nothing hidden or raw in what the chart draws. (Vega-Lite's schema is not available
offline: the structure is asserted here, and tests/browser/test_report_document.py draws the specs for real.)"""

from __future__ import annotations

import json

from django.utils import translation
from report_world import GREEK, HIDDEN_VALUE, bars_figure, dots_figure, lines_figure

from safeschool import chart_theme as theme
from safeschool.web.core import vega
from safeschool.web.core.charts import figure_html


def _marks(spec: dict) -> list[str]:
    return [layer["mark"]["type"] for layer in spec["layer"]]


def _titles(node) -> list:
    """Every axis, legend and encoding title set anywhere in the spec."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "title" and not isinstance(value, dict | list):
                found.append(value)
            found += _titles(value)
    elif isinstance(node, list):
        for value in node:
            found += _titles(value)
    return found


def test_bars_have_whiskers_series_colours_values_and_a_labelled_rule():
    with translation.override("es"):
        spec = vega.spec(bars_figure())
    assert _marks(spec) == ["bar", "rule", "text", "rule", "text"]
    bar, whisker, values, rule, label = spec["layer"]
    assert bar["encoding"]["y"]["field"] == "label" and bar["encoding"]["x"]["field"] == "share"
    assert whisker["encoding"]["x"]["field"] == "low" and whisker["encoding"]["x2"]["field"] == "high"
    assert bar["encoding"]["color"]["scale"]["range"] == list(theme.PALETTE[:2])
    assert bar["encoding"]["color"]["legend"]["title"] is None
    assert rule["mark"]["strokeDash"] and rule["data"]["values"][0]["rule_label"] == "2030 target: below 9 %"
    assert label["encoding"]["text"]["field"] == "rule_label"
    assert bar["encoding"]["x"]["axis"]["format"] == ".0%"  # whole percentages on a 0–40 % axis
    displayed = [r["display"] for r in spec["data"]["values"]]
    assert "9,7\u00a0%" in displayed  # written by core.formatting in the active language
    assert spec["config"]["range"]["category"] == list(theme.PALETTE)  # the one theme


def test_a_suppressed_row_is_not_drawn_and_its_value_goes_nowhere():
    figure = bars_figure()
    spec = vega.spec(figure)
    assert len(spec["data"]["values"]) == len(figure.chart.rows) - 1
    assert all(not r.get("suppressed") for r in spec["data"]["values"])
    assert str(HIDDEN_VALUE) not in json.dumps(spec)  # neither drawn nor in the table behind it
    hidden = [r for r in spec["usermeta"]["table"]["rows"] if r.get("suppressed")]
    assert hidden and hidden[0]["share"] is None and hidden[0]["reason"] == "small"
    html = figure_html(spec, figure.name)
    assert str(HIDDEN_VALUE) not in html and "43,2" not in html and "43.2" not in html
    assert 'data-reason="small"' in html


def test_lines_read_years_without_grouping_and_mark_flagged_points():
    with translation.override("en"):
        spec = vega.spec(lines_figure())
    marks = _marks(spec)
    assert marks[:3] == ["line", "point", "point"] and marks[3:] == ["rule", "text"]
    line, points, flagged = spec["layer"][:3]
    x = line["encoding"]["x"]
    assert x["field"] == "year" and x["type"] == "quantitative"
    assert x["axis"]["format"] == "d" and x["axis"]["tickMinStep"] == 1  # "2019", never "2,019"
    assert x["scale"]["zero"] is False and x["scale"]["domain"] == [2019, 2022]
    assert flagged["mark"]["shape"] == "diamond" and flagged["mark"]["color"] == theme.HIGHLIGHT
    assert flagged["transform"] == [{"filter": "datum.flag_text != ''"}]
    texts = {r["year"]: r["flag_text"] for r in spec["data"]["values"] if r["sex"] == "Total"}
    assert texts[2020] == "b: break in time series" and texts[2019] == ""
    assert {"field": "flag_text", "type": "nominal", "title": " "} in points["encoding"]["tooltip"]
    rules = spec["layer"][3]["data"]["values"]
    assert [r["rule"] for r in rules] == [0.09, 0.10] and spec["layer"][3]["mark"]["strokeDash"]
    assert vega.flag_notes(lines_figure()) == ["b: break in time series", "p: provisional"]


def test_dots_draw_a_point_and_its_interval():
    spec = vega.spec(dots_figure())
    assert _marks(spec) == ["rule", "point"]
    interval, point = spec["layer"]
    assert interval["encoding"]["x"]["field"] == "low" and interval["encoding"]["x2"]["field"] == "high"
    assert point["encoding"]["x"]["scale"]["zero"] is False
    assert len(spec["data"]["values"]) == 4  # the protected stratum is not drawn
    assert spec["height"] == 4 * vega.BAND


def test_every_spec_carries_its_text_alternative_and_no_raw_field_name_as_a_title():
    for make in (bars_figure, lines_figure, dots_figure):
        figure = make()
        spec = vega.spec(figure)
        assert spec["usermeta"]["summary"] == figure.summary
        assert [c["title"] for c in spec["usermeta"]["table"]["columns"]] == [c.title for c in figure.table.columns]
        assert spec["title"] == figure.title and spec["width"] == "container"
        for layer in spec["layer"]:
            for channel in ("x", "y"):
                encoding = layer["encoding"].get(channel)
                if encoding and layer["mark"]["type"] in ("bar", "line", "point") and "title" in encoding:
                    assert encoding["title"] in (figure.chart.value_title, figure.chart.category_title, None)
        main = spec["layer"][0 if make is not dots_figure else 1]["encoding"]
        assert "title" in main["x"] and "title" in main["y"]  # else Vega-Lite titles an axis with the field name
        fields = {c.field for c in figure.table.columns} | {"label", "display", "rule", "low", "high"}
        assert not set(_titles(spec)) & fields


def test_a_long_label_wraps_and_the_unknown_kind_is_refused():
    spec = vega.spec(bars_figure())
    labels = [r["label"] for r in spec["data"]["values"]]
    assert any("\n" in label for label in labels) and GREEK in labels
    assert spec["layer"][0]["encoding"]["y"]["axis"]["labelExpr"] == vega.LINES
    figure = bars_figure()
    figure.chart.kind = "pie"
    try:
        vega.spec(figure)
    except ValueError as error:
        assert "pie" in str(error)
    else:
        raise AssertionError("an unknown chart kind was drawn")


def test_a_count_axis_ticks_whole_numbers_only():
    figure = bars_figure()
    figure.chart.format = "count"
    axes = [layer["encoding"]["x"].get("axis") or {} for layer in vega.spec(figure)["layer"]
            if "x" in layer.get("encoding", {})]
    assert any(a.get("tickMinStep") == 1 and a.get("format") == ",d" for a in axes), axes


def test_bars_sit_side_by_side_only_where_a_category_has_several_series():
    figure = bars_figure()  # Girls has two waves: offsets
    assert "yOffset" in vega.spec(figure)["layer"][0]["encoding"]
    figure.chart.rows = [r for r in figure.chart.rows if r["group"] != "Girls"]  # one series per category
    encoding = vega.spec(figure)["layer"][0]["encoding"]
    assert "yOffset" not in encoding and encoding["color"]["field"] == figure.chart.series
