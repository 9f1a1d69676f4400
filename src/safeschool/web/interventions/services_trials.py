"""Writes for trial design, power and pre-registration: a trial designed from an intervention (with its draft
protocol), its edits — after the protocol is locked each changed field is recorded as a deviation with the reason
given — the saved power calculation, the researcher-written parts of the protocol, the lock (timestamp and the
SHA-256 of the protocol's canonical JSON; the trial becomes "registered") and deviations recorded by hand.

Only researchers and administrators write (`interventions.design_trial`). Every refusal is a ValidationError
naming its field (or a PermissionDenied), raised before anything is written; the database's triggers (migration
0002) refuse a change to a locked protocol too, and their IntegrityError reaches the user as the same refusal.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from safeschool.stats.formula import ModelSpecError, parse_formula
from safeschool.trials import designs
from safeschool.trials import protocol as registration
from safeschool.trials.randomise import ALGORITHM
from safeschool.vocabulary import STAGES
from safeschool.web.interventions import selectors_trials as trials
from safeschool.web.interventions.models import (
    Deviation,
    Intervention,
    InterventionVersion,
    Outcome,
    Protocol,
    Trial,
    TrialStatus,
)
from safeschool.web.research.models import Country, School

# a trial's design fields, as its protocol names them (one deviation per changed field after the lock)
DESIGN_FIELDS = ("title", "version", "design", "unit", "block_by", "primary_outcome", "secondary_outcomes",
                 "covariates", "stages", "countries", "schools", "steps", "analysis_model")
STRATA = ("country", "stage")
POPULATION = "intention_to_treat"  # every randomised unit analysed in the arm it was allocated to
WRITTEN = ("stopping_rules", "missing_data")  # the protocol's parts a researcher writes
CLOSED = (TrialStatus.COMPLETED, TrialStatus.STOPPED)
# the fields check_design reads
CHECKED = ("version", "design", "block_by", "primary_outcome", "secondary_outcomes", "covariates", "stages",
           "countries", "steps", "analysis_model")


def _designer(user) -> None:
    if not trials.may(user, trials.DESIGN):
        raise PermissionDenied(gettext("Only researchers and administrators design trials."))


def check_formula(formula: str, *, outcome: str) -> None:
    """The analysis model parses as an lme4 formula and models the primary outcome's column."""
    try:
        parsed = parse_formula(formula)
    except ModelSpecError as exc:
        raise ValidationError({"analysis_model": str(exc)}) from None
    column = trials.outcome_column(outcome)
    if parsed.response != column:
        raise ValidationError({"analysis_model": gettext(
            "The model's response must be the primary outcome's column, %(column)s.") % {"column": column}})


def check_design(*, intervention: Intervention, version: InterventionVersion | None, design: str, block_by: str,
                 primary_outcome: str, secondary_outcomes: list[str], covariates: list[str], stages: list[str],
                 countries: list[str], schools: list[School], steps: int | None, analysis_model: str) -> None:
    """Every field of a design checked against the others; a ValidationError naming the field otherwise."""
    if version is not None and version.intervention_id != intervention.pk:
        raise ValidationError({"version": gettext("This version belongs to another intervention.")})
    if design not in designs.UNIT_OF_ASSIGNMENT:
        raise ValidationError({"design": gettext("Not a design.")})
    if block_by not in ("", *STRATA):
        raise ValidationError({"block_by": gettext("Stratify by country, by stage, or not at all.")})
    if design == "bcrt2" and not block_by:
        raise ValidationError({"block_by": gettext("Schools randomised within strata need the strata: stratify "
                                                   "by country or by stage.")})
    if design == "sw" and (steps is None or steps < 2):
        raise ValidationError({"steps": gettext("A stepped wedge needs at least 2 steps.")})
    if primary_outcome not in Outcome.values:
        raise ValidationError({"primary_outcome": gettext("Not an outcome of the registry.")})
    if primary_outcome in secondary_outcomes or not set(secondary_outcomes) <= set(Outcome.values):
        raise ValidationError({"secondary_outcomes": gettext(
            "Choose outcomes of the registry other than the primary outcome.")})
    if not set(covariates) <= {trials.BASELINE, *trials.DETERMINANTS}:
        raise ValidationError({"covariates": gettext("Choose the outcome at baseline or determinants of the "
                                                     "analysis frame.")})
    if trials.BASELINE in covariates and primary_outcome == "dropout":
        raise ValidationError({"covariates": gettext("Early leaving has no baseline: every student is in school "
                                                     "at the start.")})
    if not set(stages) <= set(STAGES):
        raise ValidationError({"stages": gettext("Not a stage.")})
    if len(Country.objects.filter(code__in=countries)) != len(set(countries)):
        raise ValidationError({"countries": gettext("Not a country of the network.")})
    outside = [s for s in schools if (countries and s.country.code not in countries) or
               (stages and s.stage not in stages)]
    if outside:
        raise ValidationError({"schools": gettext("%(school)s is outside the trial's countries or stages.") % {
            "school": outside[0].name}})
    check_formula(analysis_model, outcome=primary_outcome)


def _values(trial: Trial) -> dict:
    """The design fields as plain values (what a deviation compares and the protocol holds)."""
    out = {f: getattr(trial, f) for f in DESIGN_FIELDS if f not in ("version", "schools")}
    out["version"] = trial.version.number if trial.version_id else None
    out["schools"] = sorted(trial.schools.values_list("code", flat=True)) if trial.pk else []
    return out


def _shown(value) -> str:
    if value in (None, "", [], ()):
        return "—"
    return ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)


def _apply(trial: Trial, fields: dict) -> None:
    for name, value in fields.items():
        if name != "schools":
            setattr(trial, name, value)
    trial.unit = designs.UNIT_OF_ASSIGNMENT[trial.design]
    if trial.design != "sw":
        trial.steps = None


@transaction.atomic
def trial_create(*, user, intervention: Intervention, title: str, design: str, primary_outcome: str,
                 analysis_model: str, version: InterventionVersion | None = None, block_by: str = "",
                 secondary_outcomes=(), covariates=(), stages=(), countries=(), schools=(),
                 steps: int | None = None) -> Trial:
    """A trial of `intervention` in design, with an empty draft protocol."""
    _designer(user)
    fields = dict(title=title.strip(), version=version, design=design, block_by=block_by,
                  primary_outcome=primary_outcome, secondary_outcomes=list(secondary_outcomes),
                  covariates=list(covariates), stages=list(stages), countries=list(countries), steps=steps,
                  analysis_model=analysis_model.strip())
    check_design(intervention=intervention, schools=list(schools), **{k: v for k, v in fields.items()
                                                                     if k != "title"})
    trial = Trial(intervention=intervention, created_by=user)
    _apply(trial, fields)
    trial.full_clean()
    trial.save()
    trial.schools.set(schools)
    Protocol.objects.create(trial=trial)
    return trial


def trial_update(*, user, trial: Trial, reason: str = "", **fields) -> list[Deviation]:
    """Change a trial's design fields (and `power`). Before the lock nothing else happens; after it a reason is
    required and one Deviation per changed field records the change and the reason. Returns the deviations."""
    _designer(user)
    if trial.status in CLOSED:
        raise ValidationError(gettext("The trial is %(status)s: its design no longer changes.") % {
            "status": str(TrialStatus(trial.status).label).lower()})
    unknown = set(fields) - (set(DESIGN_FIELDS) - {"unit"}) - {"power"}  # the unit follows from the design
    if unknown:
        raise ValueError(f"not a field a trial's edit sets: {', '.join(sorted(unknown))}")
    schools = fields.pop("schools", None)
    if schools is not None or set(fields) & set(CHECKED):  # a saved power calculation leaves the design alone
        proposed = {f: getattr(trial, f) for f in CHECKED}
        proposed.update({k: v for k, v in fields.items() if k in CHECKED})
        check_design(intervention=trial.intervention, schools=list(
            schools if schools is not None else trial.schools.select_related("country")), **proposed)
    protocol = Protocol.objects.filter(trial=trial).first()
    locked = protocol is not None and protocol.locked
    if locked and not reason.strip():
        raise ValidationError({"reason": gettext("The protocol is locked: give the reason for the change.")})
    before = {**_values(trial), "power": trial.power}
    with transaction.atomic():
        _apply(trial, fields)
        trial.full_clean()
        trial.save()
        if schools is not None:
            trial.schools.set(schools)
        after = {**_values(trial), "power": trial.power}
        if not locked:
            return []
        made = []
        for field in (*DESIGN_FIELDS, "power"):
            if registration.canonical_json(before[field]) == registration.canonical_json(after[field]):
                continue
            change = (_power_change(before[field], after[field]) if field == "power" else
                      f"{_shown(before[field])} → {_shown(after[field])}")
            deviation = Deviation(protocol=protocol, field=field, change=change, reason=reason.strip(),
                                  recorded_by=user)
            deviation.full_clean()
            deviation.save()
            made.append(deviation)
        return made


def _power_change(before: dict, after: dict) -> str:
    old, new = (before or {}).get("result") or {}, (after or {}).get("result") or {}
    return f"MDES {_shown(old.get('mdes'))} → {_shown(new.get('mdes'))}"


def trial_power_save(*, user, trial: Trial, power: dict, reason: str = "") -> list[Deviation]:
    """Store a power calculation (inputs, where each came from, the result) on the trial; after the lock, a
    deviation with its reason."""
    return trial_update(user=user, trial=trial, reason=reason, power=power)


# ------------------------------------------------------------------------------------------------ protocol
def _protocol(trial: Trial) -> Protocol:
    protocol, _created = Protocol.objects.get_or_create(trial=trial)
    return protocol


def protocol_content(trial: Trial) -> dict:
    """The protocol as it stands: built from the trial (design, unit, outcomes, covariates, analysis model, the
    power calculation, randomisation, stratification, analysis population, the version evaluated) plus what
    the researcher wrote (stopping rules, missing-data rules). Codes only, so it reads the same in any language;
    `safeschool.trials.protocol.content_hash` of it is what the lock stores."""
    power = trial.power or {}
    inputs, result = power.get("inputs") or {}, power.get("result") or {}
    written = Protocol.objects.filter(trial=trial).values_list("content", flat=True).first() or {}
    values = _values(trial)
    return {
        "trial": trial.title, "intervention": {"id": trial.intervention_id, "name": trial.intervention.name},
        "version": values["version"], "design": trial.design, "unit": trial.unit,
        "primary_outcome": trial.primary_outcome, "outcome_column": trials.outcome_column(trial.primary_outcome),
        "secondary_outcomes": list(trial.secondary_outcomes), "covariates": list(trial.covariates),
        "analysis_model": trial.analysis_model, "analysis_population": POPULATION,
        "mdes": result.get("mdes"), "power": inputs.get("power"), "alpha": inputs.get("alpha"),
        "power_calculation": {"inputs": inputs, "sources": power.get("sources") or {}, "result": result}
        if power else {},
        "randomisation": {"unit": trial.unit, "stratify_by": trial.block_by or None,
                          "proportion": inputs.get("p", 0.5), "steps": trial.steps, "algorithm": ALGORITHM},
        "stratification": trial.block_by or None, "stages": list(trial.stages), "countries": list(trial.countries),
        "schools": values["schools"],
        **{key: (written.get(key) or "").strip() for key in WRITTEN},
    }


def protocol_save(*, user, trial: Trial, stopping_rules: str, missing_data: str) -> Protocol:
    """The researcher-written parts of a draft protocol."""
    _designer(user)
    protocol = _protocol(trial)
    if protocol.locked:
        raise ValidationError(gettext("The protocol is locked: record a deviation with its reason instead."))
    content = {"stopping_rules": stopping_rules.strip(), "missing_data": missing_data.strip()}
    try:
        with transaction.atomic():
            Protocol.objects.filter(pk=protocol.pk).update(content=content)
    except IntegrityError:  # locked meanwhile: the database refused
        raise ValidationError(gettext("The protocol is locked: record a deviation with its reason instead.")) from None
    protocol.content = content
    return protocol


def protocol_problems(content: dict) -> list[str]:
    """What `safeschool.trials.protocol.validate` finds missing, one translated line per field."""
    out = []
    for line in registration.validate(content):
        field, _sep, problem = line.partition(": ")
        label = str(trials.PROTOCOL_LABELS.get(field, field))
        if problem in ("missing", "empty"):
            out.append(gettext("%(field)s: not stated yet.") % {"field": label})
        else:
            out.append(gettext("%(field)s: %(problem)s") % {"field": label, "problem": problem})
    return out


@transaction.atomic
def protocol_lock(*, user, trial: Trial) -> Protocol:
    """Lock and register: the protocol's content, its SHA-256 and the time are stamped once; the trial becomes
    registered. Refused when something is missing or it is locked already."""
    _designer(user)
    protocol = _protocol(trial)
    if protocol.locked:
        raise ValidationError(gettext("The protocol is locked already (on %(when)s).") % {
            "when": timezone.localtime(protocol.locked_at).strftime("%Y-%m-%d %H:%M")})
    content = protocol_content(trial)
    problems = protocol_problems(content)
    if problems:
        raise ValidationError(problems)
    digest = registration.content_hash(content)
    try:
        with transaction.atomic():
            done = Protocol.objects.filter(pk=protocol.pk, locked_at__isnull=True).update(
                content=content, content_hash=digest, locked_at=timezone.now(), locked_by=user)
    except IntegrityError:
        done = 0
    if not done:
        raise ValidationError(gettext("The protocol was locked meanwhile; reload the page."))
    Trial.objects.filter(pk=trial.pk, status=TrialStatus.DESIGNING).update(status=TrialStatus.REGISTERED)
    trial.refresh_from_db(fields=["status"])
    protocol.refresh_from_db()
    return protocol


def deviation_record(*, user, trial: Trial, field: str, change: str, reason: str) -> Deviation:
    """A deviation written by hand (e.g. a stopping rule applied, a school that left): only after the lock."""
    _designer(user)
    protocol = Protocol.objects.filter(trial=trial).first()
    if protocol is None or not protocol.locked:
        raise ValidationError(gettext("Deviations are recorded once the protocol is locked; until then, edit it."))
    deviation = Deviation(protocol=protocol, field=field.strip(), change=change.strip(), reason=reason.strip(),
                          recorded_by=user)
    deviation.full_clean()
    try:
        with transaction.atomic():
            deviation.save()
    except IntegrityError:
        raise ValidationError(gettext("The database refused the deviation.")) from None
    return deviation
