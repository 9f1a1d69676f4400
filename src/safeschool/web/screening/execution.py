"""The work the background tasks do (tasks.py), importing no services: train, evaluate, audit and gate a model and
store it as a draft; score the screened cohort into a new run. Scores are only ever inserted."""

from __future__ import annotations

import datetime as dt
import logging
import math

import numpy as np
import pandas as pd
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from safeschool.screening import modelfile
from safeschool.screening.data import ScreeningDataError, temporal_split
from safeschool.screening.fairness import GateSettings
from safeschool.screening.pipeline import assess, model_meta
from safeschool.web.research.models import Student
from safeschool.web.screening.models import RiskModel, RiskScore, RunStatus, ScoringRun, SupportCapacity
from safeschool.web.screening.tables import database_screening_table

log = logging.getLogger(__name__)

MODEL_NAMES = {"dropped_out": "early-leaving", "persistent_absence": "persistent-absence", "excluded": "exclusion"}


def json_safe(value):
    """Plain JSON: numpy scalars become Python numbers, NaN and infinities None (a JSON column refuses NaN)."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def default_name(outcome: str, algorithm: str) -> str:
    return f"{MODEL_NAMES.get(outcome, outcome)}-{algorithm}"


def latest_cohort() -> int | None:
    return Student.objects.aggregate(m=Max("cohort"))["m"]


def school_capacities() -> dict[str, float]:
    """Each school's share as set on the web, keyed by the school's code (the table's school_id)."""
    return {code: float(share) for code, share in SupportCapacity.objects.values_list("school__code", "share")}


def model_train_execute(*, user_id: int | None, outcome: str = "dropped_out", algorithm: str = "logistic",
                        test_cohort: int | None = None, capacity: float = 0.10, name: str | None = None,
                        expires_in_days: int = 365, n_boot: int = 200, seed: int = 0,
                        gate_settings: dict | None = None, table: pd.DataFrame | None = None) -> RiskModel:
    """Train on the cohorts before `test_cohort` (default: the latest), evaluate against the baselines on it, audit
    the selection each school would make, run the gate, and store a draft model with its model file. Raises
    ScreeningDataError (a one-line reason) when the data cannot support it. `table`: the database's screening
    table when the caller has it already (the demo builds it once)."""
    table = database_screening_table() if table is None else table
    if test_cohort is None:
        cohorts = sorted(int(c) for c in table["cohort"].dropna().unique())
        if not cohorts:
            raise ScreeningDataError("the students carry no entry cohort: load a cohort simulated with --cohorts")
        test_cohort = cohorts[-1]
    train, test = temporal_split(table, int(test_cohort))
    settings = GateSettings(**gate_settings) if gate_settings else GateSettings()
    assessment, fitted = assess(train, test, outcome=outcome, models=(algorithm,), capacity=capacity,
                                school_capacity=school_capacities() or None, n_boot=n_boot, seed=seed,
                                settings=settings)
    name = name or default_name(outcome, algorithm)
    created = timezone.now().replace(microsecond=0)
    expires_on = timezone.localdate() + dt.timedelta(days=int(expires_in_days))
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    for _attempt in range(3):  # two trainings finishing at once may both take the next version: retry
        version = (RiskModel.objects.filter(name=name).aggregate(m=Max("version"))["m"] or 0) + 1
        meta = json_safe(model_meta(fitted, assessment, name=name, version=version, expires_on=expires_on,
                                    created=created))
        try:
            with transaction.atomic():
                return RiskModel.objects.create(
                    name=name, version=version, outcome=outcome, algorithm=algorithm, features=meta["features"],
                    train_cohorts=meta["train_cohorts"], test_cohort=meta["test_cohort"],
                    evaluation=meta["evaluation"], fairness=meta["fairness"], gate=meta["gate"],
                    estimator=modelfile.to_bytes(fitted, meta), created_by=user, expires_on=expires_on)
        except IntegrityError:
            continue
    raise ScreeningDataError(f"could not store a new version of {name}: try again")


def scoring_run_execute(*, run_id: int, table: pd.DataFrame | None = None) -> ScoringRun:
    """Score every student of the run's cohort with the run's model; insert one row per student, or none.
    `table`: the database's screening table when the caller has it already."""
    run = ScoringRun.objects.select_related("model").get(pk=run_id)
    if run.status in (RunStatus.DONE, RunStatus.FAILED):
        return run
    ScoringRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, started_at=timezone.now())
    try:
        fitted = modelfile.from_bytes(bytes(run.model.estimator))
        table = database_screening_table() if table is None else table
        if run.cohort is not None:
            table = table[table["cohort"] == run.cohort].reset_index(drop=True)
        if table.empty:
            raise ScreeningDataError("no students to score in this cohort")
        probability = np.clip(np.asarray(fitted.predict_proba(table), dtype=float), 0.0, 1.0)
        tiers = fitted.tiers(probability)
        domains = fitted.domains(table)
        student_pk = dict(Student.objects.filter(pseudonym__in=list(table["student_id"]))
                          .values_list("pseudonym", "pk"))
        rows = [RiskScore(run_id=run.pk, student_id=student_pk[sid], probability=float(p), tier=str(tier),
                          domains=[str(d) for d in doms])
                for sid, p, tier, doms in zip(table["student_id"], probability, tiers, domains, strict=True)]
        with transaction.atomic():
            RiskScore.objects.bulk_create(rows, batch_size=2000)
            ScoringRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE, n_scored=len(rows),
                                                         finished_at=timezone.now(), error="")
    except (ScreeningDataError, modelfile.ModelFileError, KeyError, ValueError) as exc:
        return _fail(run, str(exc))
    except Exception as exc:  # a bug must still leave a clear, stored reason
        log.exception("scoring run %s failed", run.pk)
        return _fail(run, f"{type(exc).__name__}: {exc}")
    run.refresh_from_db()
    return run


def _fail(run: ScoringRun, reason: str) -> ScoringRun:
    ScoringRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, finished_at=timezone.now(),
                                                error=(reason.splitlines() or ["failed"])[0][:2000] or "failed")
    run.refresh_from_db()
    return run


def scoring_run_abandoned(run_id: int, *, reason: str) -> None:
    """The worker died while scoring (core.worker's recovery): no score was inserted (one transaction); failed."""
    ScoringRun.objects.filter(pk=run_id).exclude(status__in=[RunStatus.DONE, RunStatus.FAILED]).update(
        status=RunStatus.FAILED, finished_at=timezone.now(), error=reason)
