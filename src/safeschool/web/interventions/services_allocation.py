"""The allocation, done once by the platform: the seed drawn by `secrets`, the units allocated by
safeschool.trials.randomise, the audit record (seed, algorithm, input hash, blocks, proportion, balance, who) and
every unit's arm stored in one transaction; the trial becomes `randomised`. The database refuses a second
allocation (one per trial) and any change to a stored one (migration 0002's triggers)."""

from __future__ import annotations

import math
import secrets

import pandas as pd
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from safeschool.trials import randomise
from safeschool.vocabulary import MIN_CELL
from safeschool.web.interventions import selectors_allocation as sel
from safeschool.web.interventions.models import AllocatedUnit, Allocation, Arm, Trial, TrialStatus

SEED_BITS = 48  # stored in a signed 64-bit column; short enough to read out and type


def proportion(trial: Trial) -> float:
    """The share allocated to the intervention: the power calculation's p, else one half."""
    power = trial.power if isinstance(trial.power, dict) else {}
    try:
        p = float((power.get("inputs") or {}).get("p", power.get("p", 0.5)))
    except (TypeError, ValueError):
        return 0.5
    return p if math.isfinite(p) and 0 < p < 1 else 0.5


def _refuse_unless_ready(*, trial: Trial, user) -> None:
    if not user.has_perm("interventions.design_trial"):
        raise PermissionDenied(_("Only researchers and administrators run the allocation."))
    protocol = sel.protocol_of(trial)
    if protocol is None or not protocol.locked:
        raise ValidationError(_("Lock the protocol first: the allocation is done only after pre-registration."))
    if Allocation.objects.filter(trial=trial).exists():
        raise ValidationError(_("This trial has been allocated already: an allocation is done once."))
    if trial.status != TrialStatus.REGISTERED:
        raise ValidationError(_("Only a trial whose protocol is locked, and not yet allocated, can be allocated."))


def _balance(units_with_arm, unit_kind: str) -> list[dict]:
    """The school's own characteristics in SD units of the units; students' characteristics in student-level SD
    units (pooled within-arm SD of the students, WWC), each arm only from >= MIN_CELL students."""
    students = sel.students_with_arm(units_with_arm, unit_kind=unit_kind)
    return [*randomise.balance_table(units_with_arm, list(sel.SCHOOL_COVARIATES)),
            *randomise.student_balance(students, list(sel.STUDENT_COVARIATES), min_cell=MIN_CELL)]


def _compute(trial: Trial, seed: int) -> tuple[list[dict], dict]:
    """(unit rows with arm/step/block, the audit fields) for the trial's design."""
    if trial.design == "did":
        candidates = sel.comparison_candidates(trial)
        covariates = sel.matching_covariates(candidates)
        if not covariates:
            raise ValidationError(_("No school characteristic is known for every school to match on."))
        try:
            matched = randomise.matched_comparison(candidates, unit="unit", treated="treated",
                                                   covariates=covariates, seed=seed)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        merged = candidates.merge(matched, on="unit")
        rows = [{"school_pk": r.school_pk, "class_pk": None, "block": str(r.pair), "arm": r.arm, "step": None}
                for r in merged.itertuples()]
        audit = {"input_hash": sel.did_hash(candidates), "block_by": "pair", "proportion": 0.5,
                 "balance": _balance(merged, "school")}
        return rows, audit
    units = sel.allocation_units(trial)
    if len(units) < 2:
        raise ValidationError(_("Choose at least two schools (or classes) taking part before the allocation."))
    block = "block" if sel.block_column(trial) else None
    p = proportion(trial)
    try:
        if trial.design == "sw":
            done = randomise.stepped_wedge(units, unit="unit", steps=trial.steps or 2, seed=seed, block=block)
            done["arm"] = Arm.INTERVENTION  # every school receives it, from its step on
        else:
            done = randomise.allocate(units, unit="unit", block=block, seed=seed, p=p)
            done["step"] = None
        key = units.set_index("unit")
        rows = [{"school_pk": int(key.school_pk[r.unit]),
                 "class_pk": None if pd.isna(key.class_pk[r.unit]) else int(key.class_pk[r.unit]),
                 "block": r.block, "arm": r.arm, "step": None if pd.isna(r.step) else int(r.step)}
                for r in done.itertuples()]
        with_arm = units.merge(done[["unit", "arm"]], on="unit")
        balance = [] if trial.design == "sw" else _balance(with_arm, trial.unit)
        audit = {"input_hash": randomise.input_hash(units, "unit", block), "block_by": sel.block_column(trial) or "",
                 "proportion": p, "balance": balance}
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    return rows, audit


def allocation_run(*, trial: Trial, user, seed: int | None = None) -> Allocation:
    """Allocate the trial's units once (the seed is the platform's; `seed` is for tests and the demo only)."""
    _refuse_unless_ready(trial=trial, user=user)
    seed = secrets.randbits(SEED_BITS) if seed is None else int(seed)
    rows, audit = _compute(trial, seed)
    try:
        with transaction.atomic():
            allocation = Allocation.objects.create(trial=trial, seed=seed, algorithm=randomise.ALGORITHM,
                                                   done_by=user, **audit)
            AllocatedUnit.objects.bulk_create([
                AllocatedUnit(allocation=allocation, school_id=r["school_pk"], school_class_id=r["class_pk"],
                              block=str(r["block"])[:60], arm=r["arm"], step=r["step"]) for r in rows])
            changed = Trial.objects.filter(pk=trial.pk, status=TrialStatus.REGISTERED).update(
                status=TrialStatus.RANDOMISED)
            if not changed:
                raise IntegrityError("the trial is no longer waiting for its allocation")
    except IntegrityError as exc:
        raise ValidationError(_("This trial has been allocated already: an allocation is done once.")) from exc
    trial.status = TrialStatus.RANDOMISED
    return allocation
