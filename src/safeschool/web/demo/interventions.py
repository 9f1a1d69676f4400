"""The demo's interventions and trials (issue 17 §8), after the label: two co-produced interventions, one in education
with children's social care (attendance mentoring with family liaison, with a version 2 adapted for Roma families in
Romania) and one on alternatives to exclusion with youth justice practitioners (restorative conferences instead of
suspension); a trial of the second designed, its power calculated from the network's own data, its protocol locked
and its schools allocated, with no results yet; and a completed trial of the first on simulated follow-up data.

The completed trial's follow-up file is made from the real demo students of the allocated schools (their
pseudonyms, classes, socio-economic index and baseline attendance from the database) with a known true effect,
TRUE_EFFECT standard deviations on the total-variance scale, school and class variation and about ATTRITION of the
students lost; it is uploaded and analysed through the impact services (the analysis runs here, synchronously), a
deviation is recorded and the trial marked completed. Everything goes through the registry, trial, allocation and
impact services, so the demo obeys the same rules as the pages; texts are in
safeschool.web.demo.interventions_texts."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from safeschool.csvsafe import frame_to_csv
from safeschool.trials import designs, outcomes
from safeschool.trials import power as powerup
from safeschool.vocabulary import SECONDARY_STAGES
from safeschool.web.cocreation.models import ParCycle
from safeschool.web.demo import interventions_texts as texts
from safeschool.web.hub.models import Practice, Programme
from safeschool.web.interventions import power_web, services_allocation, services_impact, services_registry
from safeschool.web.interventions import selectors_trials as trial_reads
from safeschool.web.interventions import services_trials as trial_services
from safeschool.web.interventions.execution_impact import impact_run_execute
from safeschool.web.interventions.models import ImpactRun, Intervention, Trial
from safeschool.web.network.models import Member
from safeschool.web.research.models import School
from safeschool.web.research.selectors import analysis_frame

TRUE_EFFECT = 0.25  # standard deviations of the follow-up outcome's total variance
ATTRITION = 0.08  # share of students without a follow-up outcome
# variance shares of the simulated follow-up outcome (they sum to one): baseline attendance and SES, school, class,
# student residual. What baseline and SES leave at school and class level follows the network's own attendance
# data (default demo, secondary stages: ICC 0.13 of which the baseline and SES explain 29 %, so about 0.10 at
# school level; a class ICC near 0), so that the power calculation's MDES holds for the follow-up data.
SHARES = {"fixed": 0.45, "school": 0.10, "class": 0.01, "residual": 0.44}
SEEDS = {"registered": 170801, "completed": 170802, "follow_up": 170803}
STAGE = "lower_secondary"
REGISTERED_COUNTRIES = ("RO", "ES")  # the restorative trial's strata, when the network has them
MIN_SCHOOLS = 6  # fewer schools of the trial's stages than this: it takes the network's first schools
MAX_SCHOOLS = 20  # the registered trial's
# the completed trial: every secondary and second-chance school outside the registered trial, so that its MDES
# (from the network's data, adjusted for baseline attendance and SES) is about the true effect
COMPLETED_STAGES = SECONDARY_STAGES
MAX_COMPLETED = 80
COVARIATES = ["baseline", "ses_index"]  # the outcome at baseline (the pre-test) and socio-economic status


def demo_interventions_ensure() -> str | None:
    """Seed the interventions and trials unless an intervention exists; a note for the person running the demo
    (None when nothing was made)."""
    if Intervention.objects.exists():
        return None
    researcher = get_user_model().objects.filter(username="researcher").first()
    if researcher is None or not School.objects.exists():
        return None
    with transaction.atomic():
        mentoring = _intervention(researcher, texts.MENTORING, texts.MENTORING_LOGIC, texts.MENTORING_MEMBERS,
                                  texts.MENTORING_ORGANISATIONS, "mentoring")
        restorative = _intervention(researcher, texts.RESTORATIVE, texts.RESTORATIVE_LOGIC,
                                    texts.RESTORATIVE_MEMBERS, texts.RESTORATIVE_ORGANISATIONS, "restorative")
        adaptation = texts.ROMA_ADAPTATION
        services_registry.version_create(user=researcher, intervention=mentoring, context=adaptation["context"],
                                         changes=adaptation["changes"], reasons=adaptation["reasons"],
                                         fields=adaptation["fields"])
        registered = _registered_trial(researcher, restorative)
        completed, run = _completed_trial(researcher, mentoring, exclude=set(registered.schools.all()))
    r = run.result or {}
    low, high = r.get("effect_size_ci") or (math.nan, math.nan)
    found = (f"estimated g {r['effect_size']:.2f} (95 % CI {low:.2f} to {high:.2f})" if run.status == "succeeded"
             else f"the analysis failed: {run.error}")
    return (f"Interventions: '{mentoring.name}' (version 2 adapted for Roma families in Romania) and "
            f"'{restorative.name}'; a trial of the second registered and allocated in {registered.schools.count()} "
            f"schools, no results yet; a completed trial of the first in {completed.schools.count()} schools on "
            f"simulated follow-up data with a true effect of {TRUE_EFFECT:+.2f} SD: {found}.")


# ------------------------------------------------------------------------------------------------ the registry
def _intervention(user, description: dict, logic: dict, members, organisations, key: str) -> Intervention:
    data = {**description,
            "practices": list(Practice.objects.filter(title__in=texts.PRACTICES[key], status="accepted")),
            "programmes": list(Programme.objects.filter(title__in=texts.PROGRAMMES[key])),
            "par_cycles": list(ParCycle.objects.filter(title=texts.PAR_CYCLES[key]).order_by("pk")[:1])
            if texts.PAR_CYCLES[key] else []}
    intervention = services_registry.intervention_create(user=user, data=data)
    services_registry.logic_set(user=user, intervention=intervention, lines=logic)
    taken: set[int] = set()
    for kind, member_sector, sector, role in members:
        member = _member(kind, member_sector, taken)
        if member is not None:
            services_registry.coproducer_add(user=user, intervention=intervention, member=member, organisation="",
                                             sector=sector, role=role)
    for name, sector, role in organisations:
        services_registry.coproducer_add(user=user, intervention=intervention, member=None, organisation=name,
                                         sector=sector, role=role)
    return intervention


def _member(kind: str, sector: str, taken: set[int]) -> Member | None:
    """The first demo member of the type (and the practitioner's sector) at level (c) or (d) not yet chosen, else
    one at any level; None when the network has none."""
    members = Member.objects.filter(stakeholder_type=kind, user__username__startswith="member-").exclude(
        pk__in=taken).order_by("pk")
    if sector:
        members = members.filter(sector=sector)
    member = members.filter(level__in=["c", "d"]).first() or members.first()
    if member is not None:
        taken.add(member.pk)
    return member


# ------------------------------------------------------------------------------------------------------ trials
def _schools(countries, *, stages=(STAGE,), exclude=(), most: int = MAX_SCHOOLS
             ) -> tuple[list[School], list[str], list[str]]:
    """(schools, stages, countries) of a trial: the schools of the stages in the countries, but not those in
    `exclude`, at most `most`; in a network too small for that (fewer than MIN_SCHOOLS), its first schools of any
    stage."""
    schools = list(School.objects.filter(stage__in=list(stages), country__code__in=list(countries))
                   .exclude(pk__in=[s.pk for s in exclude]).select_related("country")
                   .order_by("country__code", "stage", "code")[:most])
    if len(schools) >= MIN_SCHOOLS:
        return schools, sorted({s.stage for s in schools}), sorted({s.country.code for s in schools})
    schools = list(School.objects.select_related("country").order_by("country__code", "code")[:MAX_SCHOOLS])
    return schools, [], []


def _countries_with_stage() -> list[str]:
    return sorted(set(School.objects.filter(stage=STAGE).values_list("country__code", flat=True)))


def _power(user, trial: Trial) -> None:
    """The power calculation as the trial's power page makes it (ICC and R² defaults from the network's data for
    the outcome, stages and countries; sizes from the participating schools), saved with the trial."""
    design = trial.design if trial.design in powerup.DESIGNS else "crt2"
    found = power_web.estimate_for(outcome=trial.primary_outcome, stages=trial.stages, countries=trial.countries,
                                   covariates=trial.covariates)
    selection = power_web.selection_text(trial.stages, trial.countries)
    initial, sources = power_web.defaults(design=design, found=found, selection=selection, trial=trial,
                                          sizes=trial_reads.school_sizes(trial.schools.values_list("pk", flat=True)))
    estimate = found.get("estimate")
    calculation = power_web.calculate(initial, ci=estimate["icc_school_ci"] if estimate else None)
    saved = power_web.record(calculation, sources=power_web.sources_for(initial, initial, sources), found=found,
                             outcome=trial.primary_outcome, selection=selection)
    trial_services.trial_power_save(user=user, trial=trial, power=saved)


def _design(user, intervention: Intervention, *, title: str, design: str, outcome: str, secondary: list[str],
            countries: list[str], version=None, **where) -> Trial:
    schools, stages, countries = _schools(countries, **where)
    trial = trial_services.trial_create(
        user=user, intervention=intervention, version=version or intervention.versions.get(number=1), title=title,
        design=design, primary_outcome=outcome, block_by="country", secondary_outcomes=secondary,
        covariates=COVARIATES, stages=stages, countries=countries, schools=schools,
        analysis_model=designs.analysis_formula(design, outcomes.outcome(outcome).column, COVARIATES))
    _power(user, trial)
    trial_services.protocol_save(user=user, trial=trial, stopping_rules=texts.STOPPING, missing_data=texts.MISSING)
    trial_services.protocol_lock(user=user, trial=trial)
    trial.refresh_from_db()
    return trial


def _registered_trial(user, intervention: Intervention) -> Trial:
    """Schools randomised within countries (bcrt2): the lower-secondary schools of two countries, exclusion as the
    primary outcome; protocol locked and schools allocated, no follow-up yet."""
    available = _countries_with_stage()
    countries = [c for c in REGISTERED_COUNTRIES if c in available]
    trial = _design(user, intervention, title=texts.REGISTERED_TITLE, design="bcrt2", outcome="exclusion",
                    secondary=["attendance", "belonging"],
                    countries=countries if len(countries) == 2 else available[-2:])
    services_allocation.allocation_run(trial=trial, user=user, seed=SEEDS["registered"])
    trial.refresh_from_db()
    return trial


def _completed_trial(user, intervention: Intervention, *, exclude: set[School]) -> tuple[Trial, ImpactRun]:
    """Schools randomised, students in classes (crt3), stratified by country, attendance as the primary outcome
    adjusted for baseline attendance and SES: every secondary and second-chance school of the network outside the
    registered trial (in a small network, its first schools of any stage); allocated, analysed on simulated
    follow-up data, one deviation recorded, completed."""
    countries = sorted(set(School.objects.values_list("country__code", flat=True)))
    trial = _design(user, intervention, title=texts.COMPLETED_TITLE, design="crt3", outcome="attendance",
                    secondary=["belonging"], countries=countries, stages=COMPLETED_STAGES, exclude=exclude,
                    most=MAX_COMPLETED)
    allocation = services_allocation.allocation_run(trial=trial, user=user, seed=SEEDS["completed"])
    arms = {u.school.code: u.arm for u in allocation.units.select_related("school")}
    frame = follow_up(arms, seed=SEEDS["follow_up"])
    upload = SimpleUploadedFile("follow-up.csv", frame_to_csv(frame, index=False).encode(), "text/csv")
    trial.refresh_from_db()
    run = services_impact.impact_run_create(trial=trial, user=user, upload=upload, outcome="attendance")
    run = impact_run_execute(run_id=run.pk)  # the background task's work, done now
    trial_services.deviation_record(user=user, trial=trial, **texts.DEVIATION)
    if run.status == "succeeded":
        services_impact.trial_complete(trial=trial, user=user)
        services_registry.intervention_update(user=user, intervention=intervention,
                                              data={"fidelity_actual": texts.MENTORING_FIDELITY})
    return trial, run


# ------------------------------------------------------------------------------------- simulated follow-up data
def _standardised(values: pd.Series) -> pd.Series:
    values = pd.to_numeric(values, errors="coerce").astype(float)
    values = values.fillna(values.mean())
    sd = values.std(ddof=0)
    return (values - values.mean()) / sd if sd > 0 else values * 0.0


def follow_up(arms: dict[str, str], *, seed: int, effect: float = TRUE_EFFECT, attrition: float = ATTRITION,
              students: pd.DataFrame | None = None) -> pd.DataFrame:
    """A follow-up file for the schools in `arms` ({school code: arm}): one row per student of those schools
    (student_id = pseudonym, school_id, class_id, ses_index) with attendance_rate a year on, empty for the
    students lost to follow-up. On a standardised scale the outcome is baseline attendance and SES (SHARES
    "fixed"), a school and a class effect and a student residual, variances summing to one, plus `effect` in the
    intervention arm: `effect` is the true effect size on the total variance. It is put on the attendance scale of
    the baseline (its mean, and a standard deviation small enough that fewer than one student in a thousand would
    pass 100 %). `students`: the analysis frame at baseline (read from the database when not given)."""
    students = analysis_frame(wave=1) if students is None else students
    # ordered by what every installation shares (pseudonyms depend on the installation's key), so the same demo
    # draws the same follow-up data everywhere
    students = students[students.school_id.isin(set(arms))].sort_values(
        ["school_id", "class_id", "attendance_rate", "ses_index", "student_id"]).reset_index(drop=True)
    rng = np.random.default_rng(seed)
    fixed = _standardised(0.6 * _standardised(students.attendance_rate) + 0.3 * _standardised(students.ses_index))
    schools = {s: rng.normal(0, math.sqrt(SHARES["school"])) for s in sorted(set(students.school_id))}
    classes = {c: rng.normal(0, math.sqrt(SHARES["class"])) for c in sorted(set(students.class_id))}
    treated = (students.school_id.map(arms) == "intervention").astype(float)
    z = (math.sqrt(SHARES["fixed"]) * fixed + students.school_id.map(schools) + students.class_id.map(classes)
         + rng.normal(0, math.sqrt(SHARES["residual"]), len(students)) + effect * treated)
    baseline = pd.to_numeric(students.attendance_rate, errors="coerce")
    mean = float(baseline.mean())
    sd = min(float(baseline.std()), (1.0 - mean) / 3.5)
    attendance = (mean + sd * z).clip(0.0, 1.0).round(4)
    attendance[rng.random(len(students)) < attrition] = np.nan
    return pd.DataFrame({"student_id": students.student_id, "school_id": students.school_id,
                         "class_id": students.class_id, "ses_index": students.ses_index.round(3),
                         "baseline": baseline.round(4), "attendance_rate": attendance})
