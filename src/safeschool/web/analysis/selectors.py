"""Reads for analyses: the runs, and a run's stored result as a reader sees it — every code and model term as its
translated label, a boundary (singular) MAIHDA said in words instead of printed as "-0 (-0–0)"."""

from __future__ import annotations

import copy
import math
import re

from django.db.models import QuerySet
from django.utils.translation import gettext

from safeschool.vocabulary import GROUP_ALIASES
from safeschool.web.analysis.models import AnalysisRun
from safeschool.web.core import formatting

# lme4's isSingular() tolerance on a variance parameter's relative standard deviation (theta)
SINGULAR_TOLERANCE = 1e-4


def analysis_run_list() -> QuerySet:
    return AnalysisRun.objects.select_related("created_by", "rerun_of")


def analysis_run_get(*, pk: int) -> AnalysisRun:
    return AnalysisRun.objects.select_related("created_by").get(pk=pk)


def step_label(step: str) -> str:
    """"null model" -> "Null model", "+individual" -> "+ Individual" (the block the step adds)."""
    if step == "null model":
        return gettext("Null model")
    if step.startswith("+"):
        return "+ " + formatting.label("level", step[1:])
    return formatting.humanise(step)


def parameter_rows(parameters: dict) -> list[tuple[str, str]]:
    """A run's parameters as (what, value) in words: outcome, wave, stages, strata attributes, model family."""
    family = parameters.get("family", "auto")
    rows = [(gettext("Outcome"), formatting.label("outcome", parameters.get("outcome"))),
            (gettext("Wave"), formatting.count(parameters.get("wave", 1))),
            (gettext("Stages"), ", ".join(formatting.label("stage", s) for s in parameters.get("stages") or [])
             or gettext("All stages"))]
    if parameters.get("country"):
        rows.append((gettext("Country"), formatting.label("country", parameters["country"])))
    if parameters.get("strata"):
        rows.append((gettext("Strata attributes"), " × ".join(
            formatting.label("group", GROUP_ALIASES.get(a, a)) for a in parameters["strata"])))
    rows.append((gettext("Model"), gettext("chosen from the outcome") if family == "auto"
                 else formatting.label("model_family", family)))
    return rows


def at_boundary(model: dict) -> bool:
    """The between-strata variance is at zero, the boundary of its range (lme4: a singular fit)."""
    if model.get("singular"):
        return True
    between, within = model.get("between_variance"), model.get("within_variance")
    if formatting.is_missing(between):
        return False
    if formatting.is_missing(within) or within <= 0:
        return abs(between) < SINGULAR_TOLERANCE ** 2
    return math.sqrt(max(between, 0.0) / within) < SINGULAR_TOLERANCE


def run_display(run: AnalysisRun) -> dict:
    """The stored result and charts with labels in the reader's language (the stored JSON stays as computed)."""
    result = copy.deepcopy(run.result or {})
    charts = copy.deepcopy(run.charts or {})
    outcome = (run.parameters or {}).get("outcome", "")
    display = {"r": result, "charts": charts, "outcome_label": formatting.label("outcome", outcome),
               "parameters": parameter_rows(run.parameters or {})}
    if not result:
        return display
    if run.kind == "ecological":
        _ecological(result, charts)
    else:
        display["boundary"] = _maihda(result, charts)
    return display


def _ecological(result: dict, charts: dict) -> None:
    for s in result.get("steps", []):
        s["label"] = step_label(s["step"])
        s["pillar_label"] = formatting.label("pillar", s.get("block")) if s.get("block") else ""
    for v in result.get("variance", []):
        v["step_label"] = step_label(v["step"])
        v["level_label"] = formatting.label("model_level", v["level"])
    coefficients = result.get("coefficients", [])
    last = result["steps"][-1]["step"] if result.get("steps") else None
    result["determinants"] = [
        c | {"label": formatting.term_label(c["term"]), "block_label": formatting.label("level", c["block"])}
        for c in coefficients if c["step"] == last]
    _relabel_values(charts.get("coefficients"), "term", formatting.term_label)
    _relabel_values(charts.get("variance_partition"), "step", step_label)
    _relabel_values(charts.get("variance_partition"), "level", lambda v: formatting.label("model_level", v))
    for spec in (charts.get("variance_partition"), charts.get("coefficients")):
        _axis_titles(spec, _axis_title)
    outcome = formatting.label("outcome", result.get("outcome"))
    _title(charts.get("variance_partition"), gettext("Variance of %(outcome)s by level, step by step"), outcome)
    _title(charts.get("coefficients"), gettext("Determinants of %(outcome)s (final model)"), outcome)


def _maihda(result: dict, charts: dict) -> bool:
    attributes = result.get("strata_attributes", [])
    result["attribute_labels"] = [formatting.label("group", a) for a in attributes]
    for m in result.get("models", []):
        m["label"] = formatting.label("maihda_model", m["model"])
        m["boundary"] = at_boundary(m)
    for s in result.get("strata", []):
        if all(a in s for a in attributes):
            s["label"] = " · ".join(formatting.label(f"group:{a}", s[a]) for a in attributes)
        else:
            s["label"] = s["stratum"]
    labels = {s["stratum"]: s["label"] for s in result.get("strata", [])}
    for name in ("strata", "interactions"):
        _relabel_values(charts.get(name), "stratum", lambda v: labels.get(v, v))
    outcome = formatting.label("outcome", result.get("outcome"))
    for spec in (charts.get("strata"), charts.get("interactions")):
        _axis_titles(spec, lambda t: _axis_title(t, outcome=(result.get("outcome", ""), outcome)))
    _title(charts.get("strata"), gettext("Predicted %(outcome)s by stratum (null model, shrunken)"), outcome)
    _title(charts.get("interactions"), gettext("Stratum interaction effects (main-effects model)"), outcome)
    for f in result.get("fixed_effects", []):
        f["label"] = formatting.term_label(f["term"])
    models = result.get("models", [])
    boundary = len(models) > 1 and models[1]["boundary"]
    if boundary:  # every interaction is zero by construction: a flat chart at 0 would say nothing
        charts.pop("interactions", None)
    return boundary


_BLOCK_AXIS = re.compile(r"(\w+) \(estimate, 95 % CI\)")


def _axis_title(text: str, outcome: tuple[str, str] = ("", "")) -> str:
    """An axis or legend title of the stored (English) spec in the reader's language."""
    block = _BLOCK_AXIS.fullmatch(text)
    if block:
        # Translators: the axis of one ecological level's panel of estimates, e.g. "Individual: estimate, 95 % CI".
        return gettext("%(level)s: estimate, 95 %% CI") % {"level": formatting.label("level", block[1])}
    words = {"Variance": gettext("Variance"), "Level": gettext("Level"),
             "Predicted probability": gettext("Predicted probability"),
             "Interaction (logit scale)": gettext("Interaction (logit scale)"),
             "Interaction effect": gettext("Interaction effect")}
    if text in words:
        return words[text]
    if outcome[0] and text == f"Predicted {outcome[0]}":
        return gettext("Predicted %(outcome)s") % {"outcome": outcome[1]}
    return text


def _axis_titles(spec, translate) -> None:
    """Every axis and legend title below the top of a spec (whose title `_title` sets)."""
    if isinstance(spec, dict):
        for value in spec.values():
            if isinstance(value, dict):
                if isinstance(value.get("title"), str):
                    value["title"] = translate(value["title"])
                _axis_titles(value, translate)
            elif isinstance(value, list):
                for item in value:
                    _axis_titles(item, translate)


def _title(spec: dict | None, text: str, outcome: str) -> None:
    """The chart's title in the reader's language (the stored spec holds the English one)."""
    if spec is not None:
        spec["title"] = text % {"outcome": outcome}


def _relabel_values(spec, field: str, relabel) -> None:
    """Replace `field` in every inline data row of a Vega-Lite spec, and in the sort order and colour domain of
    the encodings that list its values."""
    if isinstance(spec, dict):
        values = spec.get("values")
        if isinstance(values, list):
            for row in values:
                if isinstance(row, dict) and field in row and row[field] is not None:
                    row[field] = relabel(row[field])
        if spec.get("field") == field:
            if isinstance(spec.get("sort"), list):
                spec["sort"] = [relabel(v) for v in spec["sort"]]
            domain = (spec.get("scale") or {}).get("domain")
            if isinstance(domain, list):
                spec["scale"]["domain"] = [relabel(v) for v in domain]
        for key, value in spec.items():
            if key != "values":
                _relabel_values(value, field, relabel)
    elif isinstance(spec, list):
        for item in spec:
            _relabel_values(item, field, relabel)
