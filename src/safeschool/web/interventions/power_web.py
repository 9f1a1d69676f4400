"""The power page (a trial's, and the standalone calculator): defaults from the network's own data — the ICCs and
R² per level estimated by `safeschool.trials.icc.estimate` for the outcome, stages and countries (cached by those
parameters and the data's fingerprint: an estimate takes seconds), cluster sizes from the participating schools —
each with a sentence saying where it came from; the PowerUp! result (`safeschool.trials.power`); binary outcomes
in percentage points and as an odds ratio; and the chart of the MDES over plausible ICCs."""

from __future__ import annotations

import hashlib

import altair as alt
import numpy as np
from django.core.cache import cache
from django.utils.translation import gettext, ngettext

from safeschool import chart_theme as theme
from safeschool.stats.analyses import data_fingerprint
from safeschool.stats.formula import ModelSpecError
from safeschool.trials import icc, power
from safeschool.trials.outcomes import outcome as outcome_spec
from safeschool.trials.protocol import canonical_json
from safeschool.vocabulary import MIN_CELL
from safeschool.web.core import formatting
from safeschool.web.interventions import power_refusals as refusals
from safeschool.web.interventions import selectors_trials as trials
from safeschool.web.research.charts import column, spec

N_BOOT = 100               # school-bootstrap replicates behind an ICC's interval
CACHE_SECONDS = 7 * 24 * 3600
TYPICAL_ICC = (0.20, 0.05)  # school, class: near Hedges & Hedberg's (2007) achievement ICCs, when the data give none
CURVE_POINTS = 25
INPUTS = ("clusters", "classes_per_school", "cluster_size", "icc", "icc_class", "r2_1", "r2_2", "r2_3",
          "covariates", "blocks", "steps", "p", "alpha", "power")


# ---------------------------------------------------------------------------------------------- estimate
def estimate_for(*, outcome: str, stages=(), countries=(), covariates=()) -> dict:
    """{"estimate": icc.estimate(...), "fingerprint": …} or {"error": why not}, cached per parameters and data.

    With the outcome at baseline among the covariates and at least two waves, everything is estimated from the
    last wave with the first wave's outcome as `baseline` ("waves": {"first", "last"}); with one wave (or for
    early leaving, which has no baseline) the baseline is left out and "no_baseline" says so."""
    covariates = list(covariates)
    waves, no_baseline = None, False
    try:
        if trials.BASELINE in covariates:
            found = trials.baseline_frame(outcome)
            if found is None:
                no_baseline = True
                covariates = [c for c in covariates if c != trials.BASELINE]
                data = trials.frame()
            else:
                data, waves = found["frame"], {"first": found["first"], "last": found["last"]}
        else:
            data = trials.frame()
    except ValueError:
        return {"error": gettext("The network has no outcome data yet."), "no_baseline": no_baseline}
    if data.empty:
        return {"error": gettext("The network has no student data yet."), "no_baseline": no_baseline}
    fingerprint = data_fingerprint(data)
    params = {"outcome": outcome, "stages": sorted(stages), "countries": sorted(countries),
              "covariates": sorted(covariates), "n_boot": N_BOOT, "waves": waves}
    key = "trials:icc:v2:" + hashlib.sha256((canonical_json(params) + fingerprint).encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        try:
            found = {"estimate": icc.estimate(data, outcome=outcome, stages=list(stages) or None,
                                              countries=list(countries) or None, covariates=covariates,
                                              n_boot=N_BOOT, seed=0), "fingerprint": fingerprint}
        except (ModelSpecError, ValueError) as exc:
            found = {"refusal": str(exc)}  # the library's English; shown through power_refusals.icc_message
        cache.set(key, found, timeout=CACHE_SECONDS)
    if "refusal" in found:
        return {"error": refusals.icc_message(found["refusal"]), "waves": waves, "no_baseline": no_baseline}
    return {**_rate_checked(found), "waves": waves, "no_baseline": no_baseline}


def _rate_checked(found: dict) -> dict:
    """A binary outcome's base rate is shown, and used as a default, only when it comes from at least MIN_CELL
    students (icc.estimate refuses fewer than 10 schools of 10 students on average, so it normally does);
    otherwise it is dropped and "rate_hidden" says so."""
    est = found.get("estimate")
    if est and est.get("base_rate") is not None and est["n_students"] < MIN_CELL:
        return {**found, "estimate": {**est, "base_rate": None}, "rate_hidden": True}
    return found


def selection_text(stages=(), countries=()) -> str:
    """"lower secondary, Italy and Spain" — the data an estimate rests on."""
    stage = ", ".join(formatting.label("stage", s) for s in stages) or gettext("all stages")
    names = [formatting.label("country", c) for c in countries]
    if len(names) > 1:
        # Translators: the last two items of a list, e.g. "Italy, Greece and Spain".
        names = [gettext("%(items)s and %(last)s") % {"items": ", ".join(names[:-1]), "last": names[-1]}]
    return f"{stage.lower() if stages else stage}, {names[0] if names else gettext('all countries')}"


def _icc_text(name: str, value, ci, est: dict, selection: str) -> str:
    low, high = ci or (None, None)
    digits = 2 if value >= 0.095 else 3  # small ICCs (binary outcomes) need the third decimal
    shown = formatting.number(value, digits)
    if low is not None:
        # Translators: an ICC and its 95 % interval, e.g. "0.12 (95 % CI 0.09–0.16)".
        shown = gettext("%(value)s (%(level)s CI %(low)s–%(high)s)") % {
            "value": shown, "level": "95" + formatting.PERCENT_SIGN, "low": formatting.number(low, digits),
            "high": formatting.number(high, digits)}
    return gettext("%(name)s %(value)s, estimated from %(students)s students in %(schools)s schools, "
                   "%(selection)s") % {"name": name, "value": shown, "students": formatting.count(est["n_students"]),
                                       "schools": formatting.count(est["n_schools"]), "selection": selection}


def _r2_text(value: float, level: str | None, est: dict, found: dict, selection: str) -> str:
    """Where an R² default came from: "R² 0.52 at school level from the baseline, estimated from …"."""
    if level is None:
        return gettext("not used by 2-level designs")
    if est["covariates"]:
        names = [gettext("the baseline") if c == trials.BASELINE else trials.variable_label(c)
                 for c in est["covariates"]]
        text = gettext("R² %(value)s at %(level)s from %(covariates)s, estimated from %(students)s students in %(schools)s schools, %(selection)s") % {
            "value": formatting.number(value, 2), "level": level, "covariates": ", ".join(names),
            "students": formatting.count(est["n_students"]), "schools": formatting.count(est["n_schools"]),
            "selection": selection}
        if found.get("waves"):
            text += "; " + gettext("the outcome at wave %(last)s with that at wave %(first)s as the baseline") % (
                found["waves"])
    else:
        text = gettext("no covariates chosen")
    if found.get("no_baseline"):
        why = (gettext("early leaving has no baseline: every student is in school at the start")
               if est.get("outcome") == "dropout" else gettext("the network's data have a single wave"))
        text += ". " + gettext("The baseline's R² cannot be estimated here (%(why)s): it counts as 0; enter it if "
                               "you know it") % {"why": why}
    return text


def defaults(*, design: str, found: dict, selection: str, sizes: dict | None = None, trial=None) -> tuple[dict, dict]:
    """The power form's starting values and, for each, where it came from."""
    three = design in power.THREE_LEVEL
    init = {"design": design, "solve": "mdes", "p": 0.5, "alpha": 0.05, "power": 0.8, "r2_1": 0.0, "r2_2": 0.0,
            "r2_3": 0.0, "covariates": 0}
    conventional = gettext("the conventional value")
    src = {"p": gettext("equal arms"), "alpha": conventional, "power": conventional}
    est = found.get("estimate")
    if est:
        icc_where = selection if not found.get("waves") else ", ".join(
            [selection, gettext("wave %(number)s") % {"number": found["waves"]["last"]}])
        init["icc"] = round(est["icc_school"], 3)
        src["icc"] = _icc_text(gettext("ICC"), est["icc_school"], est["icc_school_ci"], est, icc_where)
        if est.get("icc_class") is not None:
            init["icc_class"] = round(est["icc_class"], 3)
            src["icc_class"] = _icc_text(gettext("Class ICC"), est["icc_class"], est["icc_class_ci"], est, icc_where)
        r2 = (est["r2_1"], est["r2_2"], est["r2_3"] or 0.0) if three else (est["r2_1"], est["r2_3"] or 0.0, 0.0)
        init.update(r2_1=round(r2[0], 3), r2_2=round(r2[1], 3), r2_3=round(r2[2], 3))
        levels = (gettext("student level"), gettext("class level"), gettext("school level")) if three else (
            gettext("student level"), gettext("school level"), None)
        for key, value, level in zip(("r2_1", "r2_2", "r2_3"), r2, levels, strict=True):
            src[key] = _r2_text(value, level, est, found, selection)
        if est.get("base_rate") is not None:
            init["base_rate"] = round(est["base_rate"], 3)
            src["base_rate"] = gettext("the rate among %(students)s students in the data, %(selection)s") % {
                "students": formatting.count(est["n_students"]), "selection": selection} + " " + gettext(
                "(a rate is shown only when it comes from at least %(n)s students)") % {
                "n": formatting.count(MIN_CELL)}
        elif found.get("rate_hidden"):
            src["base_rate"] = gettext("not shown: the data have fewer than %(n)s students for this selection; "
                                       "enter the rate you expect") % {"n": formatting.count(MIN_CELL)}
    else:
        init["icc"], init["icc_class"] = TYPICAL_ICC
        why = gettext("no estimate from the network's data (%(reason)s): a typical value for schools, change it "
                      "if you know better") % {"reason": found.get("error", "")}
        src["icc"] = src["icc_class"] = why
    if sizes and sizes.get("schools"):
        init["clusters"] = sizes["schools"]
        src["clusters"] = ngettext("the trial's %(n)s participating school", "the trial's %(n)s participating schools",
                                   sizes["schools"]) % {"n": formatting.count(sizes["schools"])}
    else:
        init["clusters"] = 20
        src["clusters"] = gettext("a starting value: change it")
    if sizes and sizes.get("students", 0) >= MIN_CELL:
        where = gettext("the mean of the participating schools (%(students)s students in %(classes)s classes)") % {
            "students": formatting.count(sizes["students"]), "classes": formatting.count(sizes["classes"])}
        size_from = sizes
    else:  # no figure about fewer than MIN_CELL students is shown or used: the network's mean instead
        where = gettext("the mean in the data, %(selection)s") % {"selection": selection}
        if sizes and sizes.get("students"):
            where = gettext("the participating schools have fewer than %(n)s students in the data, too few to give "
                            "a cluster size, so %(fallback)s") % {"n": formatting.count(MIN_CELL), "fallback": where}
        size_from = est or {}
    if size_from.get("mean_school_size"):
        init["cluster_size"] = round(size_from["mean_class_size" if three else "mean_school_size"], 1)
        init["classes_per_school"] = round(size_from["mean_classes_per_school"], 1)
        src["cluster_size"] = src["classes_per_school"] = where
    else:
        init.update(cluster_size=25.0 if three else 100.0, classes_per_school=4.0)
        src["cluster_size"] = src["classes_per_school"] = gettext("a starting value: change it")
    if trial is not None:
        school_level = [c for c in trial.covariates if c in trials.SCHOOL_LEVEL]
        init["covariates"] = 0 if design == "bcrt3" else len(school_level)
        src["covariates"] = gettext("the trial's covariates measured at the randomised level")
        init["blocks"] = trials.strata_count(trial) or 2
        init["steps"] = trial.steps or 4
        src["blocks"] = (gettext("the strata among the trial's schools") if trials.strata_count(trial)
                         else gettext("a starting value: change it"))
        src["steps"] = gettext("the trial's steps") if trial.steps else gettext("a starting value: change it")
    else:
        init.update(blocks=2, steps=4)
        src["blocks"] = src["steps"] = gettext("a starting value: change it")
    return init, src


# ---------------------------------------------------------------------------------------------- calculate
def _kwargs(data: dict) -> dict:
    kw = {k: data.get(k) for k in INPUTS}
    for key in ("classes_per_school", "icc_class", "blocks", "steps"):
        if kw[key] is None:
            kw.pop(key)
    return kw


def iccs(chosen: float, ci=None, *, ceiling: float = 0.95) -> list[float]:
    """Plausible ICCs: the interval (or ±0.1 around the chosen value) and half its width beyond, with the chosen."""
    low, high = ci if ci else (chosen - 0.1, chosen + 0.1)
    low, high = min(low, chosen), max(high, chosen)
    margin = max(high - low, 0.05) / 2
    grid = np.linspace(max(0.0, low - margin), min(ceiling, high + margin), CURVE_POINTS)
    return sorted({round(float(v), 4) for v in grid} | {round(float(chosen), 4)})


def calculate(data: dict, *, ci=None) -> dict:
    """The result for the power form's cleaned data: PowerResult.as_dict(), the inputs, the MDES curve and, for
    a binary outcome's control-group rate, the MDES as proportions. Raises PowerInputError."""
    design, kw = data["design"], _kwargs(data)
    if data["solve"] == "clusters":
        result = power.clusters_for_mdes(design, data["target"], **kw)
    elif data["solve"] == "power":
        result = power.power_for_effect(design, data["effect"], **kw)
    else:
        result = power.mdes(design, **kw)
    ceiling = 0.95 - (kw.get("icc_class") or 0.0) if design in power.THREE_LEVEL else 0.95
    curve = power.mdes_curve(design, iccs(kw["icc"], ci, ceiling=ceiling), **{**kw, "clusters": result.clusters})
    out = {"design": design, "solve": data["solve"], "inputs": {**kw, "target": data.get("target"),
                                                                  "effect": data.get("effect")},
           "result": result.as_dict(), "curve": curve, "binary": None}
    if data.get("base_rate") is not None:
        out["inputs"]["base_rate"] = data["base_rate"]
        out["binary"] = power.binary_effect(result.mdes, data["base_rate"])
    return out


def sources_for(data: dict, initial: dict, sources: dict) -> dict:
    """Where each input of a calculation came from: the default's source, or "entered" when it was changed."""
    out = {}
    for key in (*INPUTS, "base_rate"):
        if data.get(key) is None:
            continue
        same = initial.get(key) is not None and abs(float(data[key]) - float(initial[key])) < 1e-9
        out[key] = sources.get(key, "") if same else gettext("entered on the power page")
    return out


def record(calculation: dict, *, sources: dict, found: dict, outcome: str, selection: str) -> dict:
    """What Trial.power stores: inputs, their sources, the result, and the estimate the defaults came from."""
    est = found.get("estimate") or {}
    keep = ("outcome", "n_students", "n_schools", "n_classes", "icc_school", "icc_school_ci", "icc_class",
            "icc_class_ci", "r2_1", "r2_2", "r2_3", "covariates", "scale", "base_rate")
    return {"design": calculation["design"], "solve": calculation["solve"], "outcome": outcome,
            "inputs": {k: v for k, v in calculation["inputs"].items() if v is not None},
            "sources": sources, "result": calculation["result"], "binary": calculation["binary"],
            "estimate": {**{k: est.get(k) for k in keep}, "waves": found.get("waves")} if est else None,
            "selection": selection,
            "data_fingerprint": found.get("fingerprint")}


def icc_note(saved: dict | None) -> str:
    """The trial page's one sentence on the ICC a saved calculation used: the estimate's own sentence when the ICC
    is the network's estimate ("ICC 0.13 (95 % CI 0.08–0.17), estimated from …"), else the value and where it came
    from ("ICC 0.150: entered on the power page")."""
    source = ((saved or {}).get("sources") or {}).get("icc")
    icc = ((saved or {}).get("inputs") or {}).get("icc")
    if not source or icc is None:
        return ""
    estimate = (saved.get("estimate") or {}).get("icc_school")
    if estimate is not None and abs(round(estimate, 3) - icc) < 1e-9 and source.startswith(gettext("ICC")):
        return source.rstrip(".") + "."
    # Translators: the ICC a power calculation used and where it came from, e.g. "ICC 0.150: entered on the page".
    return gettext("ICC %(value)s: %(source)s.") % {"value": formatting.number(icc, 3), "source": source.rstrip(".")}


# ----------------------------------------------------------------------------------------------- the chart
def curve_chart(calculation: dict, *, ci=None) -> dict:
    """MDES over plausible ICCs, the chosen ICC marked (and the estimate's interval shaded)."""
    chosen = calculation["inputs"]["icc"]
    mdes = calculation["result"]["mdes"]
    rows = [{"icc": r["icc"], "mdes": r["mdes"], "chosen": abs(r["icc"] - chosen) < 1e-9,
             "icc_text": formatting.number(r["icc"], 3), "mdes_text": formatting.number(r["mdes"], 2)}
            for r in calculation["curve"]]
    x = alt.X("icc:Q", title=gettext("ICC (between-school share of the variance)"), scale=alt.Scale(zero=False))
    y = alt.Y("mdes:Q", title=gettext("MDES (standard deviations)"), scale=alt.Scale(zero=True))
    tooltip = [alt.Tooltip("icc_text:N", title=gettext("ICC")), alt.Tooltip("mdes_text:N", title=gettext("MDES"))]
    base = alt.Chart(alt.Data(values=rows))
    layers = []
    if ci:
        layers.append(alt.Chart(alt.Data(values=[{"lo": ci[0], "hi": ci[1]}])).mark_rect(
            color=theme.OTHERS, opacity=0.25).encode(x="lo:Q", x2="hi:Q"))
    layers += [
        base.mark_line(color=theme.PRIMARY).encode(x=x, y=y, tooltip=tooltip),
        base.transform_filter("datum.chosen").mark_point(filled=True, size=110, color=theme.HIGHLIGHT,
                                                         opacity=1).encode(x="icc:Q", y="mdes:Q", tooltip=tooltip),
        base.transform_filter("datum.chosen").mark_text(dy=-12, baseline="bottom", color=theme.INK).encode(
            x="icc:Q", y="mdes:Q", text="mdes_text:N"),
    ]
    chart = alt.layer(*layers).properties(width="container", height=220,
                                          title=gettext("How the MDES changes with the ICC"))
    lows = [r["mdes"] for r in calculation["curve"]]
    digits = 2 if chosen >= 0.095 else 3
    summary = gettext("At the chosen ICC of %(icc)s the MDES is %(mdes)s; over ICCs from %(low)s to %(high)s it "
                      "ranges from %(min)s to %(max)s.") % {
        "icc": formatting.number(chosen, digits), "mdes": formatting.number(mdes, 2),
        "low": formatting.number(rows[0]["icc"], digits), "high": formatting.number(rows[-1]["icc"], digits),
        "min": formatting.number(min(lows), 2), "max": formatting.number(max(lows), 2)}
    if ci:
        summary += " " + gettext("The shaded band is the %(level)s interval of the ICC estimated from the data.") % {
            "level": "95" + formatting.PERCENT_SIGN}
    return spec(chart, summary=summary, rows=rows, columns=[column("icc", gettext("ICC"), "number:3"),
                                                            column("mdes", gettext("MDES"), "number:3")])


def outcome_label(code: str) -> str:
    return formatting.label("trial_outcome", code)


def is_binary(code: str) -> bool:
    return outcome_spec(code).binary
