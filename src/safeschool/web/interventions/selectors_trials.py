"""Reads for trial design, power and the protocol: the trials list, one trial with its protocol and deviations, the
choices a design form offers (outcomes, the analysis frame's determinants, schools), the participating schools'
sizes, and the analysis frame the ICCs are estimated from. Every read names an interventions permission."""

from __future__ import annotations

import pandas as pd
import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from safeschool import vocabulary
from safeschool.ingest.cohort_files import analysis_frame as build_analysis_frame
from safeschool.stats.ecological import DEFAULT_BLOCKS
from safeschool.trials import outcomes as registry
from safeschool.web.core import formatting
from safeschool.web.interventions.models import Deviation, Intervention, Outcome, Protocol, Trial
from safeschool.web.research.models import Country, School, SchoolClass, Student
from safeschool.web.research.selectors import analysis_frame, cohort_tables

VIEW, DESIGN = "interventions.view", "interventions.design_trial"
# what each protocol field is called on the page (labels of safeschool.trials.protocol.PROTOCOL_FIELDS and more)
PROTOCOL_LABELS = {
    "design": _("Design"), "unit": _("Unit of assignment"), "primary_outcome": _("Primary outcome"),
    "secondary_outcomes": _("Secondary outcomes"), "covariates": _("Baseline covariates"),
    "analysis_model": _("Analysis model"), "mdes": _("Minimum detectable effect size"), "power": _("Power"),
    "alpha": _("Significance level"), "randomisation": _("Randomisation"), "stopping_rules": _("Stopping rules"),
    "missing_data": _("Missing-data rules"),
    "title": _("Title"), "version": _("Version evaluated"), "block_by": _("Stratified by"), "stages": _("Stages"),
    "countries": _("Countries"), "schools": _("Participating schools"), "steps": _("Steps"),
    "analysis_population": _("Analysis population"), "other": _("Other"),
}
# the determinants a trial may adjust for: the ecological decomposition's blocks, innermost level first
DETERMINANTS = tuple(c for block in DEFAULT_BLOCKS.values() for c in block)
# the outcome itself measured before allocation (the pre-test): column `baseline` of the follow-up file
BASELINE = "baseline"
BASELINE_LABEL = _("Outcome at baseline (column baseline)")
# determinants measured at the school or the country (counted as covariates at a school-randomised level)
SCHOOL_LEVEL = frozenset(DEFAULT_BLOCKS["community"]) | frozenset(DEFAULT_BLOCKS["political"])


def may(user, perm: str, obj=None) -> bool:
    """`rules.has_perm`, not `user.has_perm`: a superuser gets nothing the rules do not give."""
    return rules.has_perm(perm, user, obj)


def check(user, perm: str, obj=None) -> None:
    if not may(user, perm, obj):
        raise PermissionDenied(gettext("You do not have permission to see this page (%(perm)s).") % {"perm": perm})


def trial_list(*, user) -> QuerySet[Trial]:
    check(user, VIEW)
    return (Trial.objects.select_related("intervention", "version")
            .annotate(schools_count=Count("schools", distinct=True)).order_by("-created_at", "-pk"))


def trial_get(*, trial_id: int, user, perm: str = VIEW) -> Trial:
    trial = get_object_or_404(Trial.objects.select_related("intervention", "version", "created_by"), pk=trial_id)
    check(user, perm, trial)
    return trial


def intervention_get(*, intervention_id: int, user, perm: str = DESIGN) -> Intervention:
    intervention = get_object_or_404(Intervention, pk=intervention_id)
    check(user, perm, intervention)
    return intervention


def protocol_of(trial: Trial) -> Protocol | None:
    return (Protocol.objects.filter(trial=trial)
            .prefetch_related(Prefetch("deviations", Deviation.objects.select_related("recorded_by"))).first())


def deviations_of(trial: Trial) -> list[Deviation]:
    """The trial's deviations, oldest first, each with `field_label` (what the protocol item is called)."""
    rows = list(Deviation.objects.filter(protocol__trial=trial).select_related("recorded_by")
                .order_by("recorded_at", "pk"))
    for row in rows:
        row.field_label = str(PROTOCOL_LABELS.get(row.field, formatting.humanise(row.field)))
    return rows


# -------------------------------------------------------------------------------------------- form choices
def outcome_choices(intervention: Intervention | None = None) -> list[tuple[str, str]]:
    """The registry's outcomes (the intervention's own, when it names any, in the registry's order)."""
    wanted = set(intervention.outcomes or ()) if intervention is not None else set()
    return [(code, text) for code, text in Outcome.choices if not wanted or code in wanted]


def variable_label(column: str) -> str:
    if column == BASELINE:
        return str(BASELINE_LABEL)
    if column in vocabulary.GROUPS:
        return gettext(vocabulary.GROUPS[column][0])
    if column in vocabulary.VARIABLE_LABELS:
        return gettext(vocabulary.VARIABLE_LABELS[column])
    return formatting.humanise(column)


def covariate_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The outcome at baseline, then the determinant columns grouped by ecological level, each labelled as
    analyses label it."""
    return [(gettext("The outcome"), [(BASELINE, variable_label(BASELINE))])] + [
        (formatting.label("level", level), [(c, variable_label(c)) for c in columns])
        for level, columns in DEFAULT_BLOCKS.items()]


def stage_choices() -> list[tuple[str, str]]:
    return [(code, gettext(text)) for code, text in vocabulary.STAGE_LABELS.items()]


def country_choices() -> list[tuple[str, str]]:
    return [(c.code, formatting.label("country", c.code) if c.code in dict(vocabulary.COUNTRIES) else c.name)
            for c in Country.objects.order_by("code")]


def schools(*, countries=(), stages=()) -> QuerySet[School]:
    """The schools a trial may take part in, narrowed to its countries and stages when it names them."""
    qs = School.objects.select_related("country").order_by("country__code", "stage", "code")
    if countries:
        qs = qs.filter(country__code__in=list(countries))
    if stages:
        qs = qs.filter(stage__in=list(stages))
    return qs


def school_groups(qs: QuerySet[School]) -> list[tuple[str, list[tuple[int, str]]]]:
    """Schools grouped by country and stage (the optgroups of the multi-select)."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for school in qs:
        name = f"{formatting.label('country', school.country.code)} · {formatting.label('stage', school.stage)}"
        groups.setdefault(name, []).append((school.pk, f"{school.name} ({school.code})"))
    return list(groups.items())


# ------------------------------------------------------------------------------------- sizes and the data
def school_sizes(school_ids) -> dict:
    """Students and classes of the participating schools: how many schools, the mean students per school and per
    class, and the mean classes per school (None when no school is chosen or none has students)."""
    ids = list(school_ids)
    out = {"schools": len(ids), "students": 0, "classes": 0, "mean_school_size": None, "mean_class_size": None,
           "mean_classes_per_school": None}
    if not ids:
        return out
    students = Student.objects.filter(school_class__school_id__in=ids).count()
    classes = SchoolClass.objects.filter(school_id__in=ids, students__isnull=False).distinct().count()
    out.update(students=students, classes=classes)
    if students:
        out.update(mean_school_size=students / len(ids), mean_class_size=students / classes,
                   mean_classes_per_school=classes / len(ids))
    return out


def strata_count(trial: Trial) -> int | None:
    """The number of randomisation strata among the participating schools (countries or stages)."""
    field = {"country": "country__code", "stage": "stage"}.get(trial.block_by)
    if field is None:
        return None
    return trial.schools.values(field).distinct().count() or None


def frame(*, wave: int = 1) -> pd.DataFrame:
    """The network's analysis frame (one row per student), as every analysis reads it."""
    return analysis_frame(wave=wave)


def baseline_frame(code: str) -> dict | None:
    """The frame a baseline's R² is estimated from: the last wave's analysis frame with the first wave's outcome
    as `baseline` (merged by student), {"frame", "first", "last"}; None when the data have one wave only (or
    none). Early leaving has no baseline (every student is in school at the start): None too."""
    if code == "dropout":
        return None
    tables = cohort_tables()
    waves = sorted(int(w) for w in pd.unique(tables["outcomes"]["wave"])) if len(tables["outcomes"]) else []
    if len(waves) < 2:
        return None
    first, last = waves[0], waves[-1]
    column = registry.outcome(code).column
    before = registry.outcome_frame(build_analysis_frame(tables, wave=first), code)
    after = registry.outcome_frame(build_analysis_frame(tables, wave=last), code)
    baseline = before[["student_id", column]].rename(columns={column: BASELINE})
    return {"frame": after.merge(baseline, on="student_id", how="left"), "first": first, "last": last}


def outcome_column(code: str) -> str:
    return registry.outcome(code).column
