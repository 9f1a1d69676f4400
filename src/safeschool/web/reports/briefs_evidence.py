"""The evidence of a policy brief, from its analysis' stored result: for an ecological decomposition the shares of
variance at each level (student, class, school, country) with how much the model's blocks explain; for MAIHDA the
intersectional strata's predicted outcome with 95 % intervals. Every figure about students comes from the stored
result, whose small strata the statistics core already left out; strata under vocabulary.MIN_CELL are dropped here
again. Also the sentences saying what the analysis cannot show."""

from __future__ import annotations

from django.utils.translation import gettext

from safeschool.publishing.document import Chart, Column, Facts, Figure, Paragraph, Table
from safeschool.vocabulary import GROUP_ALIASES, MIN_CELL
from safeschool.web.analysis.models import AnalysisRun, Kind
from safeschool.web.core import formatting

LEVEL_ORDER = ("country", "school", "class", "student")


def _null_shares(result: dict) -> list[dict]:
    """One row per model level: its share of the null model's variance and how much of that level's variance the
    final model's predictors explain (None where it cannot be said, e.g. the fixed residual of a logistic model)."""
    steps = [s["step"] for s in result.get("steps", [])]
    last = steps[-1] if steps else None
    final = {v["level"]: v.get("pcv") for v in result.get("variance", []) if v.get("step") == last}
    rows = []
    for v in result.get("variance", []):
        if v.get("step") != "null model":
            continue
        rows.append({"level": formatting.label("model_level", v["level"]), "code": v["level"],
                     "share": v.get("vpc"), "explained": final.get(v["level"]) if last != "null model" else None})
    rows.sort(key=lambda r: LEVEL_ORDER.index(r["code"]) if r["code"] in LEVEL_ORDER else 9)
    intervals = result.get("intervals") or {}
    for r in rows:
        if r["explained"] is not None and r["explained"] < 0:
            r["explained"] = 0.0  # a level whose variance grew once others were explained: nothing explained there
        ci = intervals.get(f"{r['code']}_ci") if intervals.get("available") else None
        r["low"], r["high"] = (ci[0], ci[1]) if ci and None not in ci else (None, None)
    return rows


def ecological(run: AnalysisRun) -> list:
    result = run.result or {}
    outcome = formatting.label("outcome", result.get("outcome") or run.parameters.get("outcome"))
    rows = _null_shares(result)
    intervals = result.get("intervals") or {}
    with_ci = bool(intervals.get("available")) and any(r["low"] is not None for r in rows)
    columns = [Column("level", gettext("Level")), Column("share", gettext("Share of the variance"), "percent:1")]
    if with_ci:
        # xgettext:no-python-format
        columns += [Column("low", gettext("95 % interval: from"), "percent:1"), Column("high", gettext("to"),
                                                                                     "percent:1")]
    columns.append(Column("explained", gettext("Of it explained by the model's predictors"), "percent:0"))
    note = gettext("Shares of the null model's variance (a multilevel model without predictors).")
    if with_ci:
        note += " " + gettext("95 %% intervals from a cluster bootstrap over %(n)s schools.") % {
            "n": formatting.count(intervals.get("n_schools"))}
    title = gettext("Where differences in %(outcome)s lie") % {"outcome": outcome.lower()}
    fields = ("level", "share", "low", "high", "explained") if with_ci else ("level", "share", "explained")
    table = Table(title, columns, [{k: r[k] for k in fields} for r in rows], note=note)
    chart = Chart(kind="bars", rows=[{"level": r["level"], "share": r["share"], "low": r["low"], "high": r["high"]}
                                     for r in rows], value="share", category="level", format="percent:0",
                  low="low" if with_ci else "", high="high" if with_ci else "",
                  value_title=gettext("Share of the variance"), category_title=gettext("Level"), domain=(0.0, 1.0))
    ranked = sorted((r for r in rows if r["share"] is not None), key=lambda r: -r["share"])
    parts = [gettext("%(share)s at the level of the %(level)s") % {
        "share": formatting.percent(r["share"], 0), "level": r["level"].lower()} for r in ranked]
    summary = gettext("Of the differences in %(outcome)s, %(parts)s.") % {"outcome": outcome.lower(),
                                                                          "parts": "; ".join(parts)}
    figure = Figure(name="variance-shares", title=title, summary=summary, chart=chart, table=table,
        note=gettext("Variance partition coefficients of the null model; a level's share is how much of all the "
                     "differences lies between its units."))
    return [figure]


def _strata_rows(result: dict) -> list[dict]:
    attributes = result.get("strata_attributes", [])
    rows = []
    for s in result.get("strata", []):
        if s.get("n") is None or s["n"] < MIN_CELL:
            continue  # never shown: the statistics core already left these out
        label = (" · ".join(formatting.label(f"group:{a}", s[a]) for a in attributes)
                 if all(a in s for a in attributes) else formatting.humanise(s.get("stratum", "")))
        rows.append({"stratum": label, "n": s["n"], "predicted": s.get("predicted"),
                     "low": s.get("predicted_low"), "high": s.get("predicted_high")})
    return sorted(rows, key=lambda r: (r["predicted"] is None, r["predicted"] or 0))


def maihda(run: AnalysisRun) -> list:
    result = run.result or {}
    outcome = formatting.label("outcome", result.get("outcome") or run.parameters.get("outcome"))
    binary = result.get("family") == "binomial"
    fmt = "percent:1" if binary else "number:1"
    rows = _strata_rows(result)
    columns = [Column("stratum", gettext("Group")), Column("n", gettext("Students"), "count"),
               # xgettext:no-python-format
               Column("predicted", gettext("Predicted"), fmt), Column("low", gettext("95 % interval: from"), fmt),
               Column("high", gettext("to"), fmt)]
    hidden = (result.get("n_strata_suppressed") or 0) + (result.get("n_strata_protecting") or 0)
    note = gettext("Groups of fewer than %(n)s students are not shown (%(hidden)s groups in all, with those hidden "
                   "so that they cannot be worked out).") % {"n": MIN_CELL, "hidden": formatting.count(hidden)}
    title = gettext("%(outcome)s by intersectional group") % {"outcome": outcome}
    table = Table(title, columns, rows, note=note)
    chart = Chart(kind="dots", rows=rows, value="predicted", category="stratum", low="low", high="high", format=fmt,
                  value_title=gettext("Predicted %(outcome)s") % {"outcome": outcome.lower()},
                  category_title=gettext("Group"), domain=(0.0, 1.0) if binary else None)
    models = {m.get("model"): m for m in result.get("models", [])}
    null, main = models.get("null model", {}), models.get("main-effects model", {})
    blocks: list = []
    if rows:
        lowest, highest = rows[0], rows[-1]
        summary = gettext("Predicted %(outcome)s ranges from %(low)s (%(low_group)s) to %(high)s (%(high_group)s), "
                          "each with its 95 %% interval in the table.") % {
            "outcome": outcome.lower(), "low": _value(lowest["predicted"], binary),
            "low_group": lowest["stratum"], "high": _value(highest["predicted"], binary),
            "high_group": highest["stratum"]}
    else:
        summary = gettext("No group is large enough to be shown.")
    if null.get("vpc") is not None:
        text = gettext("%(share)s of the differences in %(outcome)s lie between these groups.") % {
            "share": formatting.percent(null["vpc"], 1), "outcome": outcome.lower()}
        pcv = main.get("pcv")
        if pcv is not None and pcv >= 0.995:
            text += " " + gettext("The groups' separate characteristics, added up, account for all of them: no "
                                  "sign of an effect of their intersection beyond that.")
        elif pcv is not None:
            text += " " + gettext("The groups' separate characteristics, added up, account for %(pcv)s of those "
                                  "differences; the rest lies in their intersection.") % {
                "pcv": formatting.percent(max(0.0, pcv), 0)}
        blocks.append(Paragraph(text))
    blocks.append(Figure(name="strata", title=title, summary=summary, chart=chart, table=table,
                         note=gettext("Predictions of the null model, shrunken towards the mean of all groups.")))
    return blocks


def _value(value, binary: bool) -> str:
    return formatting.percent(value, 1) if binary else formatting.number(value, 1)


def facts(run: AnalysisRun) -> Facts:
    """What the analysis is: kind, outcome, students, wave, stages (and the strata's attributes)."""
    result, params = run.result or {}, run.parameters or {}
    n = result.get("n_obs")
    items = [(gettext("Analysis"), str(run.get_kind_display())),
             (gettext("Outcome"), formatting.label("outcome", params.get("outcome"))),
             (gettext("Students"), formatting.count(n) if n is not None and n >= MIN_CELL else
              gettext("not stated (it would reveal a small group)")),
             (gettext("Wave"), formatting.count(params.get("wave", 1))),
             (gettext("Stages"), ", ".join(formatting.label("stage", s) for s in params.get("stages") or [])
              or gettext("All stages"))]
    if params.get("country"):
        items.append((gettext("Country"), formatting.label("country", params["country"])))
    if params.get("strata"):
        items.append((gettext("Groups formed from"), " × ".join(
            formatting.label("group", GROUP_ALIASES.get(a, a)) for a in params["strata"])))
    return Facts(items)


def limitations(run: AnalysisRun, *, simulated: bool) -> list[str]:
    """What the analysis cannot show, in sentences (before the team's own limitations)."""
    result = run.result or {}
    sentences = [gettext("The data are observational: the figures show associations, not the effects of any "
                         "practice or policy."),
                 gettext("The network's schools are not a random sample of their countries' schools; the figures "
                         "describe them, not a country's whole school system.")]
    if run.kind == Kind.ECOLOGICAL:
        sentences.append(gettext("Variance shares say where differences lie, not what causes them."))
        if not (result.get("intervals") or {}).get("available"):
            sentences.append(gettext("The variance shares are shown without confidence intervals (the platform "
                                     "computes them for a decomposition within one country); read small "
                                     "differences between them with care."))
        dropped = result.get("n_dropped_incomplete")
        if dropped:
            sentences.append(gettext("%(n)s students with incomplete data were left out of the models.") % {
                "n": formatting.count(dropped) if dropped >= MIN_CELL else gettext("fewer than 10")})
        if any(s.get("singular") for s in result.get("steps", [])):
            sentences.append(gettext("At some level the model found no differences beyond the others (a variance "
                                     "estimated at zero); that level's share is reported as 0."))
    else:
        sentences.append(gettext("Groups of fewer than %(n)s students are not shown, and their students' outcomes "
                                 "cannot be read from this brief.") % {"n": MIN_CELL})
        sentences.append(gettext("Predictions are drawn towards the overall mean, most for the smallest groups."))
    if simulated:
        sentences.append(gettext("The figures come from simulated data: they illustrate the method and say nothing "
                                 "about real schools or students."))
    return sentences


def blocks(run: AnalysisRun) -> list:
    return ecological(run) if run.kind == Kind.ECOLOGICAL else maihda(run)
