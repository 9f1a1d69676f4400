"""Evaluate, audit and gate in one call, and the metadata a model file carries: what `safeschool screen evaluate`,
`safeschool screen train` and the web app's training task all run, so a model's figures are computed one way.

The audit looks at the best of the chosen models on the held-out cohort, with the selection a school would make:
each school's top ceil(capacity x students) by score (`select_top_k`), the same k the evaluation reports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import pandas as pd

from safeschool import __version__
from safeschool.screening.evaluation import evaluate, select_top_k
from safeschool.screening.fairness import GateSettings, audit, gate
from safeschool.screening.models import RiskModel


def assess(train: pd.DataFrame, test: pd.DataFrame, *, outcome: str = "dropped_out",
           models: Sequence[str] = ("logistic",), capacity: float = 0.1, school_capacity: dict | None = None,
           n_boot: int = 200, seed: int = 0, settings: GateSettings | None = None,
           step: Callable[[str], None] | None = None) -> tuple[dict, RiskModel]:
    """(assessment, fitted model): `evaluate()`'s result plus `audited_model` (the best chosen model's name),
    `fairness` (the audit rows of that model's top-k selection on the test cohort), `passed_gate` and `gate`
    ({"passed", "reasons", "checks"}); the model is the audited one, fitted on `train`."""
    step = step or (lambda label: None)
    step(f"Evaluating {', '.join(models)} and the baselines on cohort {_cohorts(test)}")
    result = evaluate(train, test, outcome=outcome, models=tuple(models), capacity=capacity,
                      school_capacity=school_capacity, n_boot=n_boot, seed=seed)
    best = result["verdict"]["best_model"]
    step(f"Auditing {best} for fairness")
    model = RiskModel(algorithm=best, outcome=outcome, random_state=seed).fit(train)  # as evaluate() fitted it
    audited = test[test[outcome].notna()].reset_index(drop=True)
    scores = model.predict_proba(audited)
    selected = select_top_k(scores, audited["school_id"].to_numpy(), capacity, school_capacity, seed)
    rows = audit(audited, scores=scores, selected=selected, outcome=outcome)
    entry = next(m for m in result["models"] if m["name"] == best)
    verdict = gate(rows, entry, settings or GateSettings())
    passed = bool(verdict.passed)
    return {**result, "audited_model": best, "fairness": rows, "passed_gate": passed,
            "gate": {"passed": passed, "reasons": list(verdict.reasons), "checks": list(verdict.checks)}}, model


def model_meta(model: RiskModel, assessment: dict, *, name: str, version: int, expires_on: dt.date,
               created: dt.datetime | None = None) -> dict:
    """What a model file and its card record: who the model is, what it learnt from, how it did and whether it
    passed its gate."""
    created = created or dt.datetime.now(dt.UTC).replace(microsecond=0)
    evaluation = {k: v for k, v in assessment.items() if k not in ("fairness", "gate", "passed_gate", "audited_model")}
    return {"name": name, "version": int(version), "created": created.isoformat(),
            "expires_on": expires_on.isoformat(), "outcome": model.outcome, "algorithm": model.algorithm,
            "features": list(model.features_), "tier_cutoffs": {k: float(v) for k, v in model.tier_cutoffs_.items()},
            "train_cohorts": [int(c) for c in model.train_cohorts_], "test_cohort": assessment["test_cohort"],
            "n_train": int(model.n_train_), "evaluation": evaluation, "fairness": assessment["fairness"],
            "gate": assessment["gate"], "safeschool_version": __version__}


def _cohorts(frame: pd.DataFrame) -> str:
    return ", ".join(str(int(c)) for c in sorted(frame["cohort"].dropna().unique()))
