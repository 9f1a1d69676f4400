"""The figures of a state-of-the-art report version, read from its snapshot (StateReport.figures) and labelled in the
active language: per narrative section, each figure's title, a one-sentence summary, a table (columns and rows, every
code as its label) and a Vega-Lite chart drawn through core.charts. The page and the PDF both read `sections`.

A figure hidden by the disclosure control of safeschool.partnership.scoring keeps its row in the table with no
value and says why (its `note`), and has no mark on the chart: nothing of it is in the chart's data."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from safeschool import chart_theme as theme
from safeschool.partnership import instrument as instruments
from safeschool.partnership import needs as needs_module
from safeschool.partnership.scoring import ALL_ROLES, OVERALL, REASONS
from safeschool.partnership.taxonomy import PROBLEMS
from safeschool.stats.disclosure import EMPTY, PROTECTS
from safeschool.vocabulary import MIN_CELL
from safeschool.web.core import formatting
from safeschool.web.recs.selectors_report import SECTIONS
from safeschool.web.research.charts import BAND_HEIGHT, LINES, WIDTH, column, wrap

LIKERT, PRIORITY, SHARE = (1, 5), (1, 4), (0, 1)


def _why(kind: str, reason: str | None) -> str:
    if kind == "students":
        if reason == PROTECTS:
            return gettext("hidden to protect a small group")
        if reason == EMPTY:
            return gettext("no students")
        # Translators: why a figure about students is not shown, e.g. "fewer than 10 students".
        return gettext("fewer than %(n)s students") % {"n": formatting.count(MIN_CELL)}
    return gettext(REASONS[kind].get(reason or "small", REASONS[kind]["small"]))


def _country(code: str) -> str:
    return gettext("All countries") if code == OVERALL else formatting.label("country", code)


def _dimension(code: str) -> str:
    try:
        return gettext(instruments.load().dimension(code).name)
    except (KeyError, instruments.InstrumentError):
        return formatting.humanise(code)


def _topic(code: str) -> str:
    topic = needs_module.load().topics.get(code)
    return gettext(topic.name) if topic else formatting.humanise(code)


def _format(code: str) -> str:
    label = needs_module.load().formats.get(code)
    return gettext(label) if label else formatting.humanise(code)


def _role(code: str) -> str:
    return gettext("All roles") if code == ALL_ROLES else formatting.label("needs_role", code)


def _problem(code: str) -> str:
    return gettext(PROBLEMS[code].label) if code in PROBLEMS else formatting.humanise(code)


def _figure(name: str, title: str, summary: str, columns: list[dict], rows: list[dict], *, category: str,
            value: str, scale: tuple | None, series: str | None = None, value_title: str = "", fmt: str = "number:2") -> dict:
    """A horizontal bar chart (grouped by `series` when given) over the rows that have a value; the table keeps
    every row, a hidden one with its note."""
    drawn = [r | {"label": wrap(str(r[category]))} for r in rows if r.get(value) is not None]
    order = list(dict.fromkeys(r["label"] for r in drawn))
    encoding = {"y": {"field": "label", "type": "nominal", "sort": order, "title": None,
                      "axis": {"labelExpr": LINES}},
                "x": {"field": value, "type": "quantitative", "title": value_title,
                      **({"scale": {"domain": list(scale), "nice": False}} if scale else {}),
                      **({"axis": {"format": ".0%"}} if fmt.startswith("percent") else {})},
                "tooltip": [{"field": category, "type": "nominal", "title": columns[0]["title"]},
                            *([{"field": series, "type": "nominal", "title": columns[1]["title"]}] if series else []),
                            {"field": "display", "type": "nominal", "title": value_title}]}
    series_values = list(dict.fromkeys(r[series] for r in drawn)) if series else []
    if series:
        encoding["yOffset"] = {"field": series, "type": "nominal", "sort": series_values}
        encoding["color"] = {"field": series, "type": "nominal", "sort": series_values,
                             "scale": {"domain": series_values, "range": list(theme.PALETTE[:len(series_values)])},
                             "legend": {"title": None, "orient": "bottom", "direction": "horizontal",
                                        "labelLimit": 0}}
    chart = {"title": title, "width": WIDTH, "height": BAND_HEIGHT * max(len(order), 1) * max(1, len(series_values)
                                                                                              // 2 + 1),
             "data": {"values": [r | {"display": _display(r.get(value), fmt)} for r in drawn]},
             "mark": {"type": "bar", **({} if series else {"color": theme.PRIMARY})}, "encoding": encoding,
             "config": theme.vega_config(), "usermeta": {"summary": summary,
                                                         "table": {"columns": columns, "rows": rows}}}
    return {"name": name, "title": title, "summary": summary, "spec": chart, "columns": columns, "rows": rows,
            "drawn": {"category": category, "value": value, "series": series, "fmt": fmt,
                      "scale": list(scale) if scale else None}}


def _display(value, fmt: str) -> str:
    kind, _, digits = fmt.partition(":")
    if kind == "percent":
        return formatting.percent(value, int(digits or 0))
    return formatting.number(value, int(digits or 2))


def _extreme_summary(rows: list[dict], category: str, value: str, fmt: str, what: str) -> str:
    shown = [r for r in rows if r.get(value) is not None]
    if not shown:
        return gettext("No figure can be shown: too few answered.")
    high = max(shown, key=lambda r: r[value])
    low = min(shown, key=lambda r: r[value])
    # Translators: a chart's summary, e.g. "Highest mean: Trust and respect (4.10); lowest: Clear roles (3.05)."
    return gettext("Highest %(what)s: %(high)s (%(high_value)s); lowest: %(low)s (%(low_value)s).") % {
        "what": what, "high": high[category], "high_value": _display(high[value], fmt),
        "low": low[category], "low_value": _display(low[value], fmt)}


# ------------------------------------------------------------------------------------------- the survey figures
def _survey_means(survey: dict) -> dict:
    overall, rows = survey["overall"], []
    for dim in survey["dimensions"]:
        for side in ("school", "rec"):
            mean = None if overall.get("suppressed") else (overall["means"].get(dim) or {}).get(side)
            note = _why("survey", overall.get("reason")) if overall.get("suppressed") else (
                "" if mean is not None else _why("survey", "small"))
            rows.append({"dimension": _dimension(dim), "side": formatting.label("survey_side", side), "mean": mean,
                         "note": note})
    mean_title = gettext("Mean (1–5)")
    return _figure("survey-means", gettext("Partnership quality by dimension, as each side sees it"),
                   _extreme_summary(rows, "dimension", "mean", "number:2", gettext("mean")),
                   [column("dimension", gettext("Dimension")), column("side", gettext("Side")),
                    column("mean", mean_title, "number:2"), column("note", gettext("Note"))],
                   rows, category="dimension", value="mean", series="side", scale=LIKERT, value_title=mean_title)


def _survey_agreement(survey: dict) -> dict:
    overall = survey["overall"]
    rows = [{"dimension": _dimension(dim),
             "difference": None if overall.get("suppressed") else (overall["agreement"].get(dim) or {}).get(
                 "difference")} for dim in survey["dimensions"]]
    for r in rows:
        r["note"] = "" if r["difference"] is not None else _why("survey", overall.get("reason"))
    title = gettext("Mean difference between the sides (0 = full agreement)")
    return _figure("survey-agreement", gettext("Agreement between schools and RECs"),
                   _extreme_summary(rows, "dimension", "difference", "number:2", gettext("difference")),
                   [column("dimension", gettext("Dimension")), column("difference", title, "number:2"),
                    column("note", gettext("Note"))],
                   rows, category="dimension", value="difference", scale=(0, 4), value_title=title)


def _survey_countries(survey: dict) -> dict:
    rows = []
    for code, scope in sorted(survey["countries"].items()):
        for dim in survey["dimensions"]:
            means = {} if scope.get("suppressed") else (scope["means"].get(dim) or {})
            values = [v for v in means.values() if v is not None]
            mean = round(sum(values) / len(values), 2) if len(values) == 2 else None
            rows.append({"country": _country(code), "dimension": _dimension(dim), "mean": mean,
                         "note": "" if mean is not None else _why("survey", scope.get("reason"))})
    title = gettext("Mean of both sides (1–5)")
    return _figure("survey-countries", gettext("Partnership quality by country"),
                   _extreme_summary(rows, "country", "mean", "number:2", gettext("mean")),
                   [column("country", gettext("Country")), column("dimension", gettext("Dimension")),
                    column("mean", title, "number:2"), column("note", gettext("Note"))],
                   rows, category="dimension", value="mean", series="country", scale=LIKERT, value_title=title)


def _problems(survey: dict, scope_code: str, scope: dict) -> list[dict]:
    rows = []
    for code in survey.get("problems_order") or list(PROBLEMS):
        cell = {} if scope.get("suppressed") else (scope["problems"].get(code) or {})
        rows.append({"country": _country(scope_code), "problem": _problem(code), "share": cell.get("share"),
                     "school": cell.get("school"), "rec": cell.get("rec"),
                     "note": "" if cell.get("share") is not None else _why("survey", scope.get("reason"))})
    return rows


def _problem_figures(survey: dict) -> list[dict]:
    share = gettext("Share of partnerships")
    overall = _problems(survey, OVERALL, survey["overall"])
    overall.sort(key=lambda r: -(r["share"] or 0))
    first = _figure("problems", gettext("Problems of implementation named in the partnerships"),
                    _extreme_summary(overall, "problem", "share", "percent:0", gettext("share")),
                    [column("problem", gettext("Problem")), column("share", share, "percent:0"),
                     column("school", gettext("Named by schools"), "percent:0"),
                     column("rec", gettext("Named by RECs"), "percent:0"), column("note", gettext("Note"))],
                    overall, category="problem", value="share", scale=SHARE, value_title=share, fmt="percent:0")
    rows = [r for code, scope in sorted(survey["countries"].items()) for r in _problems(survey, code, scope)]
    second = _figure("problems-countries", gettext("Problems of implementation by country"),
                     _extreme_summary(rows, "problem", "share", "percent:0", gettext("share")),
                     [column("country", gettext("Country")), column("problem", gettext("Problem")),
                      column("share", share, "percent:0"), column("note", gettext("Note"))],
                     rows, category="problem", value="share", series="country", scale=SHARE, value_title=share,
                     fmt="percent:0")
    return [first, second]


# -------------------------------------------------------------------------------------------- the needs figures
def _needs_rows(needs: dict, country: str, cells: dict, roles) -> list[dict]:
    rows = []
    for role in roles:
        cell = cells.get(role) or {}
        for topic in needs["topics"]:
            stats = {} if cell.get("suppressed") else ((cell.get("topics") or {}).get(topic) or {})
            if not cell.get("suppressed") and stats.get("reason") == "empty":
                continue  # a topic this role is not asked about
            rows.append({"country": _country(country), "role": _role(role), "topic": _topic(topic),
                         "mean": stats.get("mean"), "high": stats.get("high"),
                         "note": "" if stats.get("mean") is not None else _why(
                             "needs", cell.get("reason") or stats.get("reason"))})
    return rows


def _needs_figures(needs: dict) -> list[dict]:
    mean = gettext("Mean priority (1–4)")
    roles = [r for r in needs["roles"] if r != ALL_ROLES]
    rows = _needs_rows(needs, OVERALL, needs["overall"], roles)
    first = _figure("needs-roles", gettext("Training and support needs by role"),
                    _extreme_summary(rows, "topic", "mean", "number:2", gettext("priority")),
                    [column("topic", gettext("Topic")), column("role", gettext("Role")),
                     column("mean", mean, "number:2"), column("high", gettext("High priority"), "percent:0"),
                     column("note", gettext("Note"))],
                    rows, category="topic", value="mean", series="role", scale=PRIORITY, value_title=mean)
    rows = [r for code, cells in sorted(needs["countries"].items())
            for r in _needs_rows(needs, code, cells, [ALL_ROLES])]
    second = _figure("needs-countries", gettext("Training and support needs by country (leaders and teachers)"),
                     _extreme_summary(rows, "topic", "mean", "number:2", gettext("priority")),
                     [column("country", gettext("Country")), column("topic", gettext("Topic")),
                      column("mean", mean, "number:2"), column("note", gettext("Note"))],
                     rows, category="topic", value="mean", series="country", scale=PRIORITY, value_title=mean)
    everyone = needs["overall"].get(ALL_ROLES) or {}
    share = gettext("Share of respondents")
    rows = [{"format": _format(code), "share": None if everyone.get("suppressed") else value,
             "note": _why("needs", everyone.get("reason")) if everyone.get("suppressed") else ""}
            for code, value in (everyone.get("formats") or {}).items()]
    third = _figure("needs-formats", gettext("Preferred formats of training"),
                    _extreme_summary(rows, "format", "share", "percent:0", gettext("share")),
                    [column("format", gettext("Format")), column("share", share, "percent:0"),
                     column("note", gettext("Note"))],
                    rows, category="format", value="share", scale=SHARE, value_title=share, fmt="percent:0")
    return [first, second, third]


# ----------------------------------------------------------------------------------- partnerships and outcomes
def _partnership_figures(tables: dict) -> list[dict]:
    rows = []
    for code, scope in [(OVERALL, tables[OVERALL]), *sorted(tables["countries"].items())]:
        referrals = scope.get("referrals_per_100") or {}
        rows.append({"country": _country(code), "schools": scope.get("schools"),
                     "with_partner": scope.get("schools_with_partner"), "share": scope.get("share_with_partner"),
                     "partnerships": scope.get("partnerships"), "meetings": scope.get("meetings_per_partnership"),
                     "referrals": referrals.get("value"),
                     "note": _why("students", referrals.get("reason")) if referrals.get("suppressed") else ""})
    share = gettext("Share of schools with a REC partner")
    # Translators: a column of the partnership figures; %(year)s is a calendar year.
    per_year = gettext("Meetings per partnership in %(year)s") % {"year": tables.get("year")}
    first = _figure("partnerships", gettext("Schools working with a Regional Educational Centre"),
                    _extreme_summary(rows[1:] or rows, "country", "share", "percent:0", gettext("share")),
                    [column("country", gettext("Country")), column("schools", gettext("Schools"), "count"),
                     column("with_partner", gettext("With a REC partner"), "count"),
                     column("share", share, "percent:0"), column("partnerships", gettext("Partnerships"), "count"),
                     column("meetings", per_year, "number:1"),
                     column("referrals", gettext("Students referred per 100 students"), "number:1"),
                     column("note", gettext("Note"))],
                    rows, category="country", value="share", scale=SHARE, value_title=share, fmt="percent:0")
    agreed = gettext("Share of partnerships")
    services = [{"service": formatting.label("rec_service", code), "share": cell.get("share"),
                 "count": cell.get("count")} for code, cell in (tables[OVERALL].get("services") or {}).items()]
    second = _figure("services", gettext("Services agreed in the partnerships"),
                     _extreme_summary(services, "service", "share", "percent:0", gettext("share")),
                     [column("service", gettext("Service")), column("count", gettext("Partnerships"), "count"),
                      column("share", agreed, "percent:0")],
                     services, category="service", value="share", scale=SHARE, value_title=agreed, fmt="percent:0")
    return [first, second]


OUTCOME_TITLES = {"early_leaving": (_("Early leaving by group"), _("Share who left education early"), "percent:1",
                                    None),
                  "security": (_("Attachment security by group"), _("Mean security (1–4)"), "number:2", (1, 4)),
                  "belonging": (_("Sense of belonging at school by group"), _("Mean belonging (1–5)"), "number:2",
                                (1, 5))}


def _outcome_rows(tables: dict, measure: str) -> list[dict]:
    rows = []
    for code, scope in [(OVERALL, tables[OVERALL]), *sorted(tables["countries"].items())]:
        cells = [(gettext("All students"), scope.get(measure) or {})]
        for group in tables.get("groups") or []:
            for category, cell in ((scope.get("by_group") or {}).get(group, {}).get(measure) or {}).items():
                cells.append((f"{formatting.label('group', group)}: {formatting.label(f'group:{group}', category)}",
                              cell))
        for label, cell in cells:
            rows.append({"country": _country(code), "group": label, "value": cell.get("mean"),
                         "n": cell.get("n"), "note": _why("students", cell.get("reason"))
                         if cell.get("suppressed") or cell.get("mean") is None else ""})
    return rows


def _outcome_figures(tables: dict) -> list[dict]:
    out = []
    for measure in tables.get("measures") or []:
        if measure not in OUTCOME_TITLES:
            continue
        title, value_title, fmt, scale = OUTCOME_TITLES[measure]
        title, value_title = str(title), str(value_title)
        rows = _outcome_rows(tables, measure)
        out.append(_figure(f"outcome-{measure}", title,
                           _extreme_summary(rows, "group", "value", fmt, value_title.lower()),
                           [column("country", gettext("Country")), column("group", gettext("Group")),
                            column("value", value_title, fmt), column("n", gettext("Students"), "count"),
                            column("note", gettext("Note"))],
                           rows, category="group", value="value", series="country", scale=scale,
                           value_title=value_title, fmt=fmt))
    return out


def section_figures(figures: dict) -> dict[str, list[dict]]:
    """Section code -> its figures (possibly none), from a version's snapshot."""
    out: dict[str, list[dict]] = {code: [] for code in SECTIONS}
    survey, needs = (figures or {}).get("survey"), (figures or {}).get("needs")
    if survey:
        out["collaboration"] = [_survey_means(survey), _survey_agreement(survey), _survey_countries(survey)]
        out["implementation"] = _problem_figures(survey)
    if needs:
        out["training_needs"] = _needs_figures(needs)
    if (figures or {}).get("partnerships"):
        out["collaboration"] = _partnership_figures(figures["partnerships"]) + out["collaboration"]
    if (figures or {}).get("outcomes"):
        out["target_groups"] = _outcome_figures(figures["outcomes"])
    return out


def sections(report) -> list[dict]:
    """The report's sections in order: code, title, the narrative's paragraphs and the figures."""
    found = section_figures(report.figures)
    narrative = report.narrative or {}
    return [{"code": code, "title": str(title),
             "paragraphs": [p.strip() for p in str(narrative.get(code) or "").split("\n\n") if p.strip()],
             "figures": found[code]} for code, title in SECTIONS.items()]
