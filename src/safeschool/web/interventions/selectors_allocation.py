"""What an allocation is computed from and what its page shows: the participating units and their blocks, their
baseline characteristics for the balance table, the reproduce check, and who may see which unit's arm.

The units are the trial's schools, or their classes when classes are randomised (``Trial.unit == "class"``);
their ids are the registry's codes (``School.code``, ``SchoolClass.code``), the ids of the analysis frame and of
a follow-up file. The balance table compares students' baseline (wave 1) characteristics in student-level SD
units, each arm only from at least MIN_CELL students with a value, and the schools' own in SD units of the units.
"""

from __future__ import annotations

import pandas as pd
from django.utils.translation import gettext

from safeschool.trials import randomise
from safeschool.web.interventions.models import AllocatedUnit, Allocation, Arm, Protocol, Trial
from safeschool.web.research.models import School, SchoolClass
from safeschool.web.research.selectors import analysis_frame

# baseline characteristics of the balance table: the school's own (unit SD), then the students' (student SD)
SCHOOL_COVARIATES = ("ses_composition", "climate_index")
STUDENT_COVARIATES = ("security", "belonging", "achievement", "attendance_rate")
BLOCK_FIELDS = {"country": "country__code", "stage": "stage"}


def protocol_of(trial: Trial) -> Protocol | None:
    return Protocol.objects.filter(trial=trial).first()


def allocation_of(trial: Trial) -> Allocation | None:
    return Allocation.objects.filter(trial=trial).select_related("done_by").first()


def block_column(trial: Trial) -> str | None:
    """What the allocation is blocked by: the school when classes are randomised within schools, else the
    trial's stratification (country or stage), else nothing."""
    if trial.unit == "class":
        return "school"
    return trial.block_by if trial.block_by in BLOCK_FIELDS else None


def allocation_units(trial: Trial) -> pd.DataFrame:
    """One row per unit to allocate: unit (code), school_pk, class_pk (None for schools), school (code), name,
    block ("" when unblocked) and the school-level covariates."""
    schools = list(trial.schools.select_related("country").order_by("code"))
    by = block_column(trial)
    rows = []
    if trial.unit == "class":
        classes = SchoolClass.objects.filter(school__in=schools).select_related("school").order_by("code")
        for c in classes:
            rows.append({"unit": c.code, "school_pk": c.school_id, "class_pk": c.pk, "school": c.school.code,
                         "name": f"{c.school.name} · {c.code}", "block": c.school.code,
                         **{k: getattr(c.school, k) for k in SCHOOL_COVARIATES}})
    else:
        for s in schools:
            block = {"country": s.country.code, "stage": s.stage}.get(by or "", "")
            rows.append({"unit": s.code, "school_pk": s.pk, "class_pk": None, "school": s.code, "name": s.name,
                         "block": block, **{k: getattr(s, k) for k in SCHOOL_COVARIATES}})
    return pd.DataFrame(rows, columns=["unit", "school_pk", "class_pk", "school", "name", "block",
                                       *SCHOOL_COVARIATES])


def comparison_candidates(trial: Trial) -> pd.DataFrame:
    """For a matched comparison (did): the trial's schools (treated) and the network's other schools of the same
    stages, with the school-level covariates that every candidate has."""
    chosen = set(trial.schools.values_list("pk", flat=True))
    stages = set(trial.schools.values_list("stage", flat=True))
    rows = [{"unit": s.code, "school_pk": s.pk, "class_pk": None, "school": s.code, "name": s.name,
             "treated": s.pk in chosen, **{k: getattr(s, k) for k in SCHOOL_COVARIATES}}
            for s in School.objects.filter(stage__in=stages).order_by("code")]
    return pd.DataFrame(rows, columns=["unit", "school_pk", "class_pk", "school", "name", "treated",
                                       *SCHOOL_COVARIATES])


def matching_covariates(candidates: pd.DataFrame) -> list[str]:
    return [c for c in SCHOOL_COVARIATES if candidates[c].notna().all()]


def did_hash(candidates: pd.DataFrame) -> str:
    frame = candidates.assign(flag=candidates.treated.map({True: "treated", False: "comparison"}))
    return randomise.input_hash(frame, "unit", "flag")


def students_with_arm(units_with_arm: pd.DataFrame, *, unit_kind: str) -> pd.DataFrame:
    """The baseline (wave 1) student rows of the allocated units with their unit's arm (student covariates only;
    empty when the registry holds no students) — for the balance table in student-level SD units."""
    try:
        frame = analysis_frame(wave=1)
    except (ValueError, KeyError):
        frame = pd.DataFrame()
    key = "class_id" if unit_kind == "class" else "school_id"
    columns = ["arm", *STUDENT_COVARIATES]
    if frame.empty or key not in frame:
        return pd.DataFrame(columns=columns)
    arms = units_with_arm.set_index(units_with_arm["unit"].astype(str))["arm"]
    out = frame.assign(arm=frame[key].astype(str).map(arms)).dropna(subset=["arm"])
    for column in STUDENT_COVARIATES:
        if column not in out:
            out[column] = float("nan")
    return out[columns].reset_index(drop=True)


def stored_units(allocation: Allocation) -> pd.DataFrame:
    rows = [{"unit": u.school_class.code if u.school_class_id else u.school.code, "school_pk": u.school_id,
             "school": u.school.code, "name": u.school.name if not u.school_class_id
             else f"{u.school.name} · {u.school_class.code}", "block": u.block, "arm": u.arm, "step": u.step}
            for u in allocation.units.select_related("school", "school_class")]
    return pd.DataFrame(rows, columns=["unit", "school_pk", "school", "name", "block", "arm", "step"])


def reproduce(allocation: Allocation) -> dict:
    """Re-run the allocation from its stored seed on the same units and compare: {"identical": bool, "reason"}."""
    trial = allocation.trial
    stored = stored_units(allocation)
    if trial.design == "did":
        candidates = comparison_candidates(trial)
        if did_hash(candidates) != allocation.input_hash:
            return {"identical": False, "reason": gettext("the schools to match from have changed since")}
        again = randomise.matched_comparison(candidates, unit="unit", treated="treated",
                                             covariates=matching_covariates(candidates), seed=allocation.seed)
        same = sorted(zip(again.unit, again.arm, again.pair.astype(str), strict=True)) == sorted(
            zip(stored.unit, stored.arm, stored.block, strict=True))
        return {"identical": same, "reason": "" if same else gettext("the re-run gives other pairs")}
    block = "block" if allocation.block_by else None
    if randomise.input_hash(stored, "unit", block) != allocation.input_hash:
        return {"identical": False, "reason": gettext("the stored units do not match the input hash")}
    if trial.design == "sw":
        again = randomise.stepped_wedge(stored, unit="unit", steps=trial.steps, seed=allocation.seed, block=block)
        mine = dict(zip(stored.unit, stored.step.astype(int), strict=True))
        same = all(mine[u] == s for u, s in zip(again.unit, again.step, strict=True))
    else:
        again = randomise.allocate(stored, unit="unit", block=block, seed=allocation.seed, p=allocation.proportion)
        mine = dict(zip(stored.unit, stored.arm, strict=True))
        same = all(mine[u] == a for u, a in zip(again.unit, again.arm, strict=True))
    return {"identical": same, "reason": "" if same else gettext("the re-run gives other arms")}


def arm_counts(stored: pd.DataFrame, design: str) -> list[dict]:
    """Units per block and arm (per step for a stepped wedge): counts of schools or classes, not of students."""
    column = "step" if design == "sw" else "arm"
    rows = []
    for block, group in stored.groupby("block", sort=True):
        counts = group[column].value_counts()
        rows.append({"block": block, "counts": {str(k): int(v) for k, v in counts.sort_index().items()},
                     "total": int(len(group))})
    return rows


def visible_units(user, stored: pd.DataFrame) -> tuple[str, list[dict]]:
    """("all" | "own" | "none", the unit rows this user may see with their arm)."""
    if user.has_perm("interventions.view_all_arms"):
        return "all", stored.to_dict("records")
    if not user.is_authenticated:
        return "none", []
    own = [s for s in School.objects.filter(staff_appointments__user=user, pk__in=set(stored.school_pk))
           if user.has_perm("interventions.view_school_arms", s)]
    if not own:
        return "none", []
    pks = {s.pk for s in own}
    return "own", stored[stored.school_pk.isin(pks)].to_dict("records")


def allocation_page(*, user, trial: Trial) -> dict:
    """Everything the allocation page shows: before the allocation, the units and the stratification (no arms);
    after it, the audit record, the reproduce check, counts, balance and the units this user may see."""
    allocation = allocation_of(trial)
    protocol = protocol_of(trial)
    view = {"trial": trial, "allocation": allocation, "protocol": protocol, "block": block_column(trial),
            "locked": bool(protocol and protocol.locked),
            "can_allocate": user.has_perm("interventions.design_trial") and allocation is None}
    if allocation is None:
        units = allocation_units(trial)
        view["units"] = units.to_dict("records")
        view["blocks"] = sorted(set(units.block)) if len(units) else []
        return view
    stored = stored_units(allocation)
    scope, rows = visible_units(user, stored)
    # with the seed and the (visible) units anyone could recompute every arm: it goes with the unit list
    view.update({"check": reproduce(allocation), "show_seed": user.has_perm("interventions.view_all_arms"), "counts": arm_counts(stored, trial.design),
                 "arms": [a for a in Arm.values if a in set(stored.arm)], "scope": scope, "unit_rows": rows,
                 "n_units": len(stored),
                 "balance": [r for r in allocation.balance or [] if r.get("n_control") or r.get("n_intervention")],
                 "algorithm": allocation.algorithm or randomise.ALGORITHM})
    return view


def allocation_summary(*, user, trial: Trial) -> dict | None:
    """The trial page's short panel: when, by whom, counts per arm (no unit's arm unless the user may see it)."""
    allocation = allocation_of(trial)
    if allocation is None:
        return None
    units = AllocatedUnit.objects.filter(allocation=allocation)
    column = "step" if trial.design == "sw" else "arm"
    counts: dict[str, int] = {}
    for value in units.values_list(column, flat=True):
        counts[str(value)] = counts.get(str(value), 0) + 1
    return {"allocation": allocation, "counts": dict(sorted(counts.items())), "n_units": units.count()}
