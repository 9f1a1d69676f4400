"""Vega-Lite charts of a screening model's evaluation (the JSON `safeschool.screening.evaluation.evaluate` writes):
ROC curves of the model against its baselines, the calibration curve with its diagonal, precision and recall at
top-k, and the observed outcome rate per tier. Each spec carries its text alternative (a summary sentence and a data
table, web/core/charts.py); every figure is written by the formatting layer; a calibration bin or tier of fewer than
10 students is hidden (vocabulary.MIN_CELL), with no rate left in the chart data.
"""

from __future__ import annotations

import hashlib
import json

import altair as alt
import pandas as pd
from django.core.cache import cache
from django.utils.translation import get_language, gettext, gettext_lazy, pgettext

from safeschool import chart_theme as theme
from safeschool.stats.disclosure import protect
from safeschool.vocabulary import MIN_CELL
from safeschool.web.core import formatting
from safeschool.web.research.charts import HEIGHT, WIDTH, bars, column, spec

# What each entry of an evaluation is called on a page (models by algorithm, the baselines, the simulated truth).
# (the candidate algorithms read as their risk_algorithm labels)
MODEL_NAMES = {
    "abc": gettext_lazy("ABC rule (attendance, behaviour, course failure)"),
    "school_only": gettext_lazy("School only (no individual data)"),
    "chance": gettext_lazy("Chance"),
    "oracle": gettext_lazy("Simulated truth (the ceiling)"),
}
COLOURS = {"logistic": theme.PALETTE[0], "boosting": theme.PALETTE[3], "school_only": theme.PALETTE[1],
           "abc": theme.PALETTE[2], "chance": theme.OTHERS, "oracle": theme.PALETTE[6]}
TIERS = ("low", "moderate", "high")
TOPK_SHARES = (0.05, 0.1, 0.2, 0.3, 0.5)  # rows of the top-k chart's data table
SQUARE = 300  # height of the square charts (ROC, calibration)


def model_label(name: str) -> str:
    return str(MODEL_NAMES[name]) if name in MODEL_NAMES else formatting.label("risk_algorithm", name)


def _colours(names: list[str]) -> alt.Scale:
    spare = iter(c for c in theme.PALETTE if c not in COLOURS.values())
    return alt.Scale(domain=[model_label(n) for n in names],
                     range=[COLOURS.get(n) or next(spare, theme.INK) for n in names])


def _legend() -> alt.Legend:
    return alt.Legend(title=None, orient="bottom", direction="vertical", labelLimit=0)


def _best(evaluation: dict) -> dict | None:
    best = (evaluation.get("verdict") or {}).get("best_model")
    models = evaluation.get("models") or []
    return next((m for m in models if m["name"] == best), None) or next(
        (m for m in models if m.get("kind") == "model"), None)


def _at_share(entry: dict, share) -> dict | None:
    """The top-k point of `entry` nearest to `share`."""
    points = entry.get("topk") or []
    if formatting.is_missing(share) or not points:
        return None
    return min(points, key=lambda p: abs(p["share"] - float(share)))


def roc(evaluation: dict) -> dict:
    """The ROC curve of every entry (model, baselines, the simulated truth) with the chance diagonal."""
    models = [m for m in evaluation.get("models") or [] if m.get("roc")]
    names = [m["name"] for m in models]
    points = [{"entry": model_label(m["name"]), "fpr": p["fpr"], "tpr": p["tpr"]} for m in models for p in m["roc"]]
    x_title, y_title = gettext("False-positive rate"), gettext("True-positive rate (recall)")
    curves = alt.Chart(alt.Data(values=points)).mark_line(strokeWidth=2).encode(
        x=alt.X("fpr:Q", title=x_title, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="~%", tickCount=5)),
        y=alt.Y("tpr:Q", title=y_title, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="~%", tickCount=5)),
        color=alt.Color("entry:N", scale=_colours(names), legend=_legend(), sort=[model_label(n) for n in names]),
        tooltip=[alt.Tooltip("entry:N", title=gettext("Model")),
                 alt.Tooltip("fpr:Q", title=x_title, format=".0%"), alt.Tooltip("tpr:Q", title=y_title, format=".0%")])
    diagonal = alt.Chart(alt.Data(values=[{"x": 0, "y": 0}, {"x": 1, "y": 1}])).mark_line(
        color=theme.REFERENCE, strokeDash=[4, 4], strokeWidth=1).encode(x="x:Q", y="y:Q")
    chart = alt.layer(diagonal, curves).properties(width=WIDTH, height=SQUARE,
                                                   title=gettext("ROC curves: the model against its baselines"))
    rows = [{"entry": model_label(m["name"]), "auc": m.get("auc"), "auc_low": (m.get("auc_ci") or [None, None])[0],
             "auc_high": (m.get("auc_ci") or [None, None])[1]} for m in models]
    ranked = sorted((r for r in rows if not formatting.is_missing(r["auc"])), key=lambda r: -r["auc"])
    if ranked:
        # Translators: a chart's summary, e.g. "Highest area under the curve: Logistic regression (0.81); lowest:
        # Chance (0.50)."
        summary = gettext("Highest area under the curve: %(high)s (%(high_auc)s); lowest: %(low)s (%(low_auc)s).") % {
            "high": ranked[0]["entry"], "high_auc": formatting.number(ranked[0]["auc"], 2),
            "low": ranked[-1]["entry"], "low_auc": formatting.number(ranked[-1]["auc"], 2)}
    else:
        summary = gettext("No curve could be computed.")
    return spec(chart, summary=summary, rows=rows, columns=[
        column("entry", gettext("Model")), column("auc", gettext("AUC"), "number:3"),
        column("auc_low", gettext("95 % CI from"), "number:3"), column("auc_high", gettext("95 % CI to"), "number:3")])


def _hidden(counts: list) -> list[bool]:
    """Which cells of a breakdown of the test cohort to hide: none recorded, under MIN_CELL, or one whose n the
    shown total (n_test) and the other cells would give away (stats.disclosure.protect)."""
    known = {i: int(n) for i, n in enumerate(counts) if not formatting.is_missing(n)}
    protection = protect(known)
    return [i not in known or known[i] < MIN_CELL or protection.hidden(i) for i in range(len(counts))]


def calibration(entry: dict) -> dict:
    """Observed outcome rate against the mean predicted probability in ten bins, with the diagonal of perfect
    calibration; a bin of fewer than 10 students is hidden."""
    raw = entry.get("calibration") or []
    hide = _hidden([b.get("n") for b in raw])
    bins = [b | {"bin": i + 1, "suppressed": hide[i], "reason": "small"} for i, b in enumerate(raw)]
    for b in bins:
        if b["suppressed"]:
            b.update(n=None, observed_rate=None, mean_predicted=None)
    shown = [b for b in bins if not b["suppressed"]]
    top = max([0.05] + [max(b["observed_rate"], b["mean_predicted"]) for b in shown])
    top = min(1.0, round(top * 1.1 + 0.005, 2))
    x_title, y_title = gettext("Mean predicted probability"), gettext("Observed rate")
    axis = {"format": "~%", "tickCount": 5}
    points = alt.Chart(alt.Data(values=shown)).mark_line(point=alt.OverlayMarkDef(filled=True, size=60),
                                                         color=theme.PALETTE[0]).encode(
        x=alt.X("mean_predicted:Q", title=x_title, scale=alt.Scale(domain=[0, top]), axis=alt.Axis(**axis)),
        y=alt.Y("observed_rate:Q", title=y_title, scale=alt.Scale(domain=[0, top]), axis=alt.Axis(**axis)),
        tooltip=[alt.Tooltip("mean_predicted:Q", title=x_title, format=".1%"),
                 alt.Tooltip("observed_rate:Q", title=y_title, format=".1%"),
                 alt.Tooltip("n:Q", title=gettext("Students"))])
    diagonal = alt.Chart(alt.Data(values=[{"x": 0, "y": 0}, {"x": top, "y": top}])).mark_line(
        color=theme.REFERENCE, strokeDash=[4, 4], strokeWidth=1).encode(x="x:Q", y="y:Q")
    chart = alt.layer(diagonal, points).properties(
        width=WIDTH, height=SQUARE, title=gettext("Calibration: observed rate against predicted probability"))
    if shown:
        gap = max(shown, key=lambda b: abs(b["observed_rate"] - b["mean_predicted"]))
        # Translators: a chart's summary, e.g. "On the diagonal, predictions are right on average; the largest gap:
        # 12.0 % predicted, 15.3 % observed."
        summary = gettext("On the dashed diagonal a prediction is right on average; the largest gap: %(predicted)s "
                          "predicted, %(observed)s observed.") % {
            "predicted": formatting.percent(gap["mean_predicted"]), "observed": formatting.percent(gap["observed_rate"])}
    else:
        summary = gettext("Every bin is hidden to protect small groups.")
    return spec(chart, summary=summary, rows=bins, columns=[
        column("bin", pgettext("a tenth of the students ranked by risk", "Bin")),
        column("n", gettext("Students"), "count"), column("mean_predicted", x_title, "percent"),
        column("observed_rate", y_title, "percent")])


def topk(evaluation: dict) -> dict:
    """Precision and recall of the best model and the school-only baseline when the top share of students is
    selected, with a rule at the capacity the evaluation used."""
    chosen = [m for m in [_best(evaluation)] + [m for m in evaluation.get("models") or []
                                                 if m["name"] in ("school_only", "abc")] if m and m.get("topk")]
    metrics = {"precision": gettext("Precision"), "recall": gettext("Recall")}
    points = [{"entry": model_label(m["name"]), "metric": metrics[k], "share": p["share"], "value": p[k]}
              for m in chosen for p in m["topk"] for k in metrics if not formatting.is_missing(p.get(k))]
    names = [m["name"] for m in chosen]
    x_title = gettext("Share of students selected")
    lines = alt.Chart(alt.Data(values=points)).mark_line(strokeWidth=2).encode(
        x=alt.X("share:Q", title=x_title, axis=alt.Axis(format="~%", tickCount=5)),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="~%", tickCount=5)),
        color=alt.Color("entry:N", scale=_colours(names), legend=_legend(), sort=[model_label(n) for n in names]),
        strokeDash=alt.StrokeDash("metric:N", legend=_legend(), scale=alt.Scale(
            domain=list(metrics.values()), range=[[1, 0], [6, 4]])),
        tooltip=[alt.Tooltip("entry:N", title=gettext("Model")), alt.Tooltip("metric:N", title=None),
                 alt.Tooltip("share:Q", title=x_title, format=".0%"),
                 alt.Tooltip("value:Q", title=gettext("Value"), format=".1%")])
    layers = [lines]
    capacity = evaluation.get("capacity")
    if not formatting.is_missing(capacity):
        layers.append(alt.Chart(alt.Data(values=[{"x": capacity, "what": gettext("Support capacity")}])).mark_rule(
            color=theme.REFERENCE, strokeDash=[2, 2]).encode(x="x:Q", tooltip=alt.Tooltip("what:N", title=None)))
    chart = alt.layer(*layers).properties(width=WIDTH, height=HEIGHT + 60,
                                          title=gettext("Precision and recall when the top share of all students is selected"))
    rows = []
    for m in chosen:
        by_share = {round(p["share"], 3): p for p in m["topk"]}
        for share in TOPK_SHARES:
            p = by_share.get(round(share, 3))
            if p:
                rows.append({"entry": model_label(m["name"]), "share": share, "precision": p.get("precision"),
                             "recall": p.get("recall")})
    best = _best(evaluation)
    at = _at_share(best, capacity) if best else None
    if best and at and not formatting.is_missing(best.get("precision_at_k")):
        # Translators: a chart's summary, e.g. "Selecting the top 10.0 % of all students, Logistic regression finds
        # 55.0 % of those who later had the outcome (precision 58.0 %); when each school selects its own top 10.0 %,
        # as the lists do, it finds 27.8 % (precision 27.8 %)."
        summary = gettext("Selecting the top %(share)s of all students, %(model)s finds %(recall_all)s of those who "
                          "later had the outcome (precision %(precision_all)s); when each school selects its own top "
                          "%(share)s, as the lists do, it finds %(recall)s (precision %(precision)s).") % {
            "share": formatting.percent(capacity), "model": model_label(best["name"]),
            "recall_all": formatting.percent(at.get("recall")), "precision_all": formatting.percent(at.get("precision")),
            "recall": formatting.percent(best.get("recall_at_k")),
            "precision": formatting.percent(best.get("precision_at_k"))}
    else:
        summary = gettext("No top-k figures could be computed.")
    return spec(chart, summary=summary, rows=rows, columns=[
        column("entry", gettext("Model")), column("share", x_title, "percent"),
        column("precision", metrics["precision"], "percent"), column("recall", metrics["recall"], "percent")])


def tiers(entry: dict) -> dict:
    """The share of students in each tier who later had the outcome (EWIS: calibration per tier)."""
    by_tier = {t["tier"]: t for t in entry.get("tiers") or []}
    hide = _hidden([by_tier.get(code, {}).get("n") for code in TIERS])
    rows = []
    for i, code in enumerate(TIERS):
        t = by_tier.get(code, {})
        small = hide[i]
        rows.append({"tier": formatting.label("risk_tier", code), "n": None if small else t["n"],
                     "value": None if small else t.get("observed_rate"),
                     "mean_predicted": None if small else t.get("mean_predicted"),
                     "suppressed": small, "reason": "small"})
    data = pd.DataFrame(rows)
    shown = [r for r in rows if not r["suppressed"]]
    if shown:
        # Translators: a chart's summary, e.g. "Of the students in the tier High, 38.0 % later had the outcome;
        # in Low, 3.1 %."
        summary = gettext("Of the students in the tier %(high)s, %(high_rate)s later had the outcome; in %(low)s, "
                          "%(low_rate)s.") % {"high": shown[-1]["tier"], "high_rate": formatting.percent(
                              shown[-1]["value"]), "low": shown[0]["tier"], "low_rate": formatting.percent(
                              shown[0]["value"])}
    else:
        summary = gettext("Every tier is hidden to protect small groups.")
    value_title = gettext("Observed rate")
    return bars(data, category="tier", value="value", title=gettext("Observed outcome rate in each tier"),
                value_title=value_title, display=lambda r: formatting.percent(r["value"]), summary=summary,
                axis_format="~%", columns=[column("tier", gettext("Tier")), column("n", gettext("Students"), "count"),
                                           column("mean_predicted", gettext("Mean predicted"), "percent"),
                                           column("value", value_title, "percent")])


def evaluation_charts(evaluation: dict) -> dict:
    """Every chart of a model's evaluation page, by name (empty when the evaluation holds no model)."""
    best = _best(evaluation or {})
    if not best:
        return {}
    return {"roc": roc(evaluation), "calibration": calibration(best), "topk": topk(evaluation), "tiers": tiers(best)}


def model_charts(model) -> dict:
    """`evaluation_charts` of a model's evaluation, built once per evaluation and language and shared by every
    server process through the cache: an evaluation does not change once written, and building its Vega-Lite specs
    on each view was 1.6 s of the model's page at 40,000 students."""
    evaluation = model.evaluation or {}
    digest = hashlib.sha256(json.dumps(evaluation, sort_keys=True, default=str).encode()).hexdigest()[:24]
    key = f"screening:charts:{model.pk}:{get_language()}:{digest}"
    found = cache.get(key)
    if found is None:
        found = evaluation_charts(evaluation)
        cache.set(key, found, timeout=24 * 3600)
    return found
