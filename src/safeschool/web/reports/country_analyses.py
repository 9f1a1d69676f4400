"""The country report's two analysis sections, from stored analysis runs (reports.selectors_country picks them):
where the variance of achievement and of early leaving sits (school, class, student; ecological decomposition
within the country, 95 % intervals by cluster bootstrap over its schools) and who is left behind (MAIHDA within
the country: the strata with the highest predicted early leaving, hidden strata counted, never shown). A run not
finished yet, or failed, is said so in words with its page linked; every label is in the active language."""

from __future__ import annotations

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext

from safeschool.publishing.document import Chart, Facts, Figure, Links, Notice, Paragraph, Section
from safeschool.vocabulary import MIN_CELL
from safeschool.web.analysis.models import AnalysisRun, Status
from safeschool.web.analysis.selectors import at_boundary, run_display
from safeschool.web.core import formatting
from safeschool.web.reports.common import table

VARIANCE = (("variance_achievement", "achievement"), ("variance_dropout", "dropout"))
PARTS = ("school", "class", "student")  # where variance sits, outermost first
TOP_STRATA = 5  # the strata shown: at most this many, the most disadvantaged first


def run_url(run: AnalysisRun) -> str:
    return reverse("analysis:run_detail", args=[run.pk])


def run_title(run: AnalysisRun) -> str:
    """"Ecological decomposition: Early leaving (by the last wave)"."""
    # Translators: an analysis and its outcome, e.g. "Ecological decomposition: Achievement (test score)".
    return gettext("%(analysis)s: %(outcome)s") % {
        "analysis": run.get_kind_display(), "outcome": formatting.label("outcome", run.parameters.get("outcome"))}


def run_detail(run: AnalysisRun) -> str:
    """"run 12 · data fingerprint 3f2a9c1e · mixedlm 0.4.1 · finished 29/11/2026" (or the run's status)."""
    parts = [gettext("run %(id)s") % {"id": run.pk}]
    if run.status != Status.SUCCEEDED:
        parts.append(str(run.get_status_display()))
    record = run.provenance or {}
    if record.get("data_fingerprint"):
        parts.append(gettext("data fingerprint %(fingerprint)s") % {"fingerprint": record["data_fingerprint"][:8]})
    engine = (record.get("packages") or {}).get("mixedlm")
    if engine:
        parts.append(f"mixedlm {engine}")
    if run.finished_at:
        parts.append(gettext("finished %(date)s") % {"date": date_format(localtime(run.finished_at),
                                                                         "SHORT_DATE_FORMAT")})
    return " · ".join(parts)


def run_state(run: AnalysisRun | None, what: str) -> list | None:
    """What to show instead of a run's results while it has none; None when it succeeded."""
    if run is None:
        return [Notice(gettext("%(analysis)s has not been computed yet.") % {"analysis": what})]
    if not run.finished:
        return [Notice(gettext("%(analysis)s is being computed: refresh this page in a minute.") % {
            "analysis": what})]
    if run.status == Status.FAILED:
        return [Notice(gettext("%(analysis)s could not be computed for this country; the analysis run's page says "
                               "why.") % {"analysis": what}), Links([(run_title(run), run_url(run))])]
    return None


def interval_from() -> str:
    # Translators: a column title, the lower end of a 95 % confidence interval.
    return gettext("95 %% interval: from") % {}


def interval_to() -> str:
    # Translators: a column title, the upper end of a 95 % confidence interval.
    return gettext("95 %% interval: to") % {}


def _pct(value) -> str:
    return formatting.percent(value, 1)


# ------------------------------------------------------------------------------------------------ variance
def variance_section(country_name: str, runs: dict) -> Section:
    blocks: list = [Paragraph(gettext(
        "How the differences between students in the network's schools of %(country)s divide between schools, "
        "between classes of the same school and between students of the same class. A large share between schools "
        "means that which school a student attends matters. The 95 %% intervals come from re-drawing the "
        "country's schools many times (a cluster bootstrap).") % {"country": country_name})]
    for key, outcome in VARIANCE:
        blocks += _variance_blocks(runs.get(key), outcome)
    return Section(gettext("Where the variance sits"), blocks, anchor="variance")


def _variance_blocks(run: AnalysisRun | None, outcome: str) -> list:
    outcome_label = formatting.label("outcome", outcome)
    # Translators: a chart's title, e.g. "Achievement (test score): share of variance by level".
    title = gettext("%(outcome)s: share of variance by level") % {"outcome": outcome_label}
    state = run_state(run, title)
    if state is not None:
        return state
    result = run.result or {}
    null = {v["level"]: v["vpc"] for v in result.get("variance", []) if v["step"] == "null model"}
    intervals = result.get("intervals") or {}
    available = bool(intervals.get("available"))
    rows = []
    for level in PARTS:
        ci = intervals.get(f"{level}_ci") if available else None
        rows.append({"level": formatting.label("model_level", level),
                     "share": intervals.get(level) if available else null.get(level),
                     "low": ci[0] if ci else None, "high": ci[1] if ci else None, "model": null.get(level)})
    school, klass, student = rows
    if school["low"] is not None:
        summary = gettext("%(school)s of the variance lies between schools (95 %% interval %(low)s to %(high)s), "
                          "%(class)s between classes of a school and %(student)s between students of a class.")
    else:
        summary = gettext("%(school)s of the variance lies between schools, %(class)s between classes of a school "
                          "and %(student)s between students of a class.")
    summary = summary % {"school": _pct(school["share"]), "low": _pct(school["low"]), "high": _pct(school["high"]),
                         "class": _pct(klass["share"]), "student": _pct(student["share"])}
    notes = []
    if not available:
        notes.append(gettext("No 95 %% intervals: they need at least %(k)s schools with these data in the country "
                             "and at least %(k)s students per school on average.") % {"k": MIN_CELL})
    if result.get("family") == "binomial":
        notes.append(gettext("Early leaving is a yes-or-no outcome: the shares and their intervals are on the "
                             "observed scale (left or stayed), the scale trial designs use; the analysis run's "
                             "logistic model sets the student level on a latent scale (π²/3), so its shares, in the "
                             "last column, differ."))
    columns = [("level", gettext("Level"), "text"), ("share", gettext("Share of variance"), "percent:1"),
               ("low", interval_from(), "percent:1"), ("high", interval_to(), "percent:1"),
               ("model", gettext("Analysis run (null model)"), "percent:1")]
    chart = Chart(kind="bars", rows=rows, value="share", category="level", low="low", high="high",
                  format="percent:1", value_title=gettext("Share of variance"), category_title=gettext("Level"),
                  domain=(0.0, 1.0))
    figure = Figure(name=f"variance-{outcome}", title=title, summary=summary, chart=chart,
                    table=table(title, columns, rows, note=" ".join(notes)),
                    note=gettext("Analysis run %(id)s.") % {"id": run.pk})
    return [figure, *_explained(result)]


def _explained(result: dict) -> list:
    """How much of the variance between schools the determinants of the final model account for."""
    steps = result.get("steps") or []
    if len(steps) < 2:
        return []
    last = steps[-1]["step"]
    pcv = next((v.get("pcv") for v in result.get("variance", []) if v["step"] == last and v["level"] == "school"),
               None)
    if formatting.is_missing(pcv):
        return []
    if pcv <= 0:
        return [Paragraph(gettext("The students' characteristics, their relationships and their schools' context "
                                  "(the determinants of the final model) do not reduce the variance between "
                                  "schools."))]
    return [Paragraph(gettext("The students' characteristics, their relationships and their schools' context (the "
                              "determinants of the final model) account for %(share)s of the variance between "
                              "schools.") % {"share": _pct(min(pcv, 1.0))})]


# ------------------------------------------------------------------------------------------------ strata
def strata_section(country_name: str, runs: dict) -> Section:
    title = gettext("Who is left behind")
    intro = Paragraph(gettext(
        "Students grouped by gender, migrant background and socio-economic status, every combination a stratum: "
        "the strata of the network's schools in %(country)s with the highest predicted share leaving education "
        "early, from a multilevel model (MAIHDA) that draws small strata towards the average. Strata of fewer than "
        "%(k)s students are estimated but never shown.") % {"country": country_name, "k": MIN_CELL})
    run = runs.get("strata_dropout")
    state = run_state(run, gettext("The comparison of strata"))
    if state is not None:
        return Section(title, [intro, *state], anchor="strata")
    display = run_display(run)
    result = display["r"]
    binary = result.get("family") == "binomial"
    shown = sorted(result.get("strata") or [], key=lambda s: -s["predicted"] if binary else s["predicted"])
    top = shown[:TOP_STRATA]
    models = result.get("models") or []
    blocks: list = [intro, _strata_facts(result, models, len(shown))]
    if not top:
        blocks.append(Notice(gettext("Every stratum holds fewer than %(k)s students or protects one that does: none "
                                     "can be shown.") % {"k": MIN_CELL}))
        return Section(title, blocks, anchor="strata")
    fmt = "percent:1" if binary else "number:1"
    rows = [{"stratum": s["label"], "n": s["n"], "predicted": s["predicted"], "low": s["predicted_low"],
             "high": s["predicted_high"]} for s in top]
    value_title = gettext("Predicted share leaving early") if binary else gettext("Predicted mean")
    write = _pct if binary else (lambda v: formatting.number(v, 1))
    figure_title = gettext("The strata with the highest predicted early leaving") if binary else gettext(
        "The strata with the lowest predicted mean")
    summary = gettext("Highest: %(stratum)s, %(value)s (95 %% interval %(low)s to %(high)s).") % {
        "stratum": top[0]["label"], "value": write(top[0]["predicted"]), "low": write(top[0]["predicted_low"]),
        "high": write(top[0]["predicted_high"])}
    columns = [("stratum", gettext("Stratum"), "text"), ("n", gettext("Students"), "count"),
               ("predicted", value_title, fmt), ("low", interval_from(), fmt), ("high", interval_to(), fmt)]
    chart = Chart(kind="dots", rows=rows, value="predicted", category="stratum", low="low", high="high", format=fmt,
                  value_title=value_title, category_title=gettext("Stratum"))
    note = gettext("Predicted from the null model (each stratum's estimate drawn towards the average); analysis "
                   "run %(id)s.") % {"id": run.pk}
    blocks.append(Figure(name="strata-dropout", title=figure_title, summary=summary, chart=chart,
                         table=table(figure_title, columns, rows), note=note))
    return Section(title, blocks, anchor="strata")


def _strata_facts(result: dict, models: list[dict], n_shown: int) -> Facts:
    items = []
    if models:
        null = models[0]
        share = _pct(null.get("vpc"))
        if at_boundary(null):
            share = gettext("%(share)s (no detectable differences between strata)") % {"share": share}
        elif result.get("family") == "binomial":
            # Translators: the scale of a logistic model's variance shares.
            share = gettext("%(share)s (latent scale)") % {"share": share}
        items.append((gettext("Variance between strata"), share))
        if len(models) > 1 and not formatting.is_missing(models[1].get("pcv")):
            items.append((gettext("Explained by main effects"),
                          _pct(max(models[1]["pcv"], 0.0))))
    hidden = (result.get("n_strata_suppressed") or 0) + (result.get("n_strata_protecting") or 0)
    items.append((gettext("Strata"), gettext("%(all)s, of which %(shown)s shown and %(hidden)s not shown (fewer than "
                                             "%(k)s students, or hidden to protect a smaller one)") % {
        "all": formatting.count(result.get("n_strata")), "shown": formatting.count(n_shown),
        "hidden": formatting.count(hidden), "k": MIN_CELL}))
    if (result.get("n_in_small_strata") or 0) >= MIN_CELL:
        items.append((gettext("Students in strata not shown"), formatting.count(result["n_in_small_strata"])))
    return Facts(items)
