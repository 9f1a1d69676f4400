"""Reads of a country's profile report: the analyses it rests on (for each, the latest run with this country: a
succeeded one first, else one still queued or running, else the last failure), the Policy database's entries for
the country, and the network's schools by stage with their students (suppressed under MIN_CELL)."""

from __future__ import annotations

from safeschool.stats.disclosure import BELOW_MIN
from safeschool.vocabulary import MIN_CELL
from safeschool.web.analysis.models import AnalysisRun, Status
from safeschool.web.hub.models import Policy
from safeschool.web.research import selectors as research
from safeschool.web.research.models import Country, Stage

# the analyses a country report rests on: key -> (kind, parameters without the country)
ANALYSES: dict[str, tuple[str, dict]] = {
    "variance_achievement": ("ecological", {"outcome": "achievement"}),
    "variance_dropout": ("ecological", {"outcome": "dropout"}),
    "strata_dropout": ("maihda", {"outcome": "dropout", "strata": ["gender", "migrant", "ses"]}),
}
# what the analysis service fills in when a parameter is not given (analysis.services.clean_parameters)
DEFAULTS = {"wave": 1, "stages": [], "family": "auto"}


def analysis_request(country: Country, key: str) -> tuple[str, dict]:
    """The kind and parameters of one of the report's analyses for `country`."""
    kind, parameters = ANALYSES[key]
    return kind, {**parameters, "country": country.code}


def _matches(parameters: dict, wanted: dict) -> bool:
    return all(parameters.get(name, DEFAULTS.get(name)) == value for name, value in (DEFAULTS | wanted).items())


def country_runs(country: Country) -> dict[str, AnalysisRun | None]:
    """For each of the report's analyses the run it shows: the latest succeeded run with these parameters, else
    the latest still queued or running, else the latest failed one; None when there is none."""
    out = {}
    for key in ANALYSES:
        kind, wanted = analysis_request(country, key)
        runs = [run for run in AnalysisRun.objects.filter(kind=kind, parameters__country=country.code,
                                                          parameters__outcome=wanted["outcome"])
                .order_by("-created_at", "-id") if _matches(run.parameters or {}, wanted)]
        by_status = {status: next((r for r in runs if r.status == status), None) for status in Status.values}
        out[key] = (by_status[Status.SUCCEEDED] or by_status[Status.RUNNING] or by_status[Status.QUEUED]
                    or by_status[Status.FAILED])
    return out


def country_policies(country: Country) -> list[Policy]:
    """The Policy database's entries for the country, the most recent first."""
    return list(Policy.objects.filter(country=country.code).order_by("-year", "title"))


def schools_by_stage(country: Country) -> dict:
    """The network's schools of the country by stage: schools, students (only schools of at least MIN_CELL
    students are counted, as on the country's page; a stage without such a school shows no students) and the
    share who left education early by the last wave (suppressed as on the country's page). Computed once per
    version of the data, as the country page's figures are (it reads every student of the country)."""
    return research.profile_cached("report-schools", country.pk, lambda: _schools_by_stage(country))


def _schools_by_stage(country: Country) -> dict:
    schools = research.country_schools(country=country)
    profile = research.country_profile(country=country)
    dropout = {row["key"]: row for row in research.country_stage_dropout(profile=profile).to_dict("records")}
    rows = []
    for stage in Stage.values:
        here = [row for row in schools if row["school"].stage == stage]
        if not here:
            continue
        students = sum(row["n"] for row in here if row["counted"])
        left = dropout.get(stage)
        rows.append({"stage": stage, "schools": len(here), "students": students if students >= MIN_CELL else None,
                     "students_reason": None if students >= MIN_CELL else BELOW_MIN,
                     "left_early": None if left is None or left["suppressed"] else left["value"],
                     "left_early_reason": left["reason"] if left is not None and left["suppressed"] else None})
    last = profile.value(profile.last_wave, "dropped_out") if profile.last_wave else None
    total = {"schools": len(schools), "students": profile.n_students,
             "students_reason": BELOW_MIN if profile.n_students is None else None,
             "left_early": None if not last or last.get("suppressed") else last.get("mean"),
             "left_early_reason": last.get("reason") if last and last.get("suppressed") else None}
    return {"rows": rows, "total": total, "excluded": sum(1 for row in schools if not row["counted"]),
            "last_wave": profile.last_wave}
