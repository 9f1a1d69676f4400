"""Screening on three entry cohorts of 18,000 students each (54,000; `safeschool simulate --students 54000
--classes 2160 --teachers 7200 --cohorts 3`): train on 2023-24 and evaluate on 2025 with the baselines, the
bootstrap, the fairness audit and the gate (target under 30 s), and score 18,000 students with their tiers and
domains (target under 2 s) — beside a plain scikit-learn logistic regression fitted and scored on the same data
(the floor: no cross-validated penalty, no calibration, no baselines, no bootstrap, no audit, no explanations).

Run: `.venv/bin/python benchmarks/bench_screening.py [--bootstrap 200] [--models logistic,boosting] [--cli]`
(`--cli` also times `safeschool screen evaluate/train/score` end to end on the written files). See
docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TRAIN_EVALUATE_TARGET, SCORE_TARGET = 30.0, 2.0


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def plain_logistic(train, test, outcome: str):
    """The floor: impute, scale, one-hot, LogisticRegression with its defaults; (fit + AUC seconds, score
    seconds, AUC)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from safeschool.screening.data import CATEGORICAL, INDIVIDUAL_FEATURES, SCHOOL_FEATURES

    numeric = [c for c in (*INDIVIDUAL_FEATURES, *SCHOOL_FEATURES) if c not in CATEGORICAL]
    pipe = make_pipeline(ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
        ("cat", OneHotEncoder(handle_unknown="ignore"), list(CATEGORICAL))]), LogisticRegression(max_iter=1000))
    train, test = train[train[outcome].notna()], test[test[outcome].notna()]
    cols = [*numeric, *CATEGORICAL]
    fit_s, auc = timed(lambda: roc_auc_score(test[outcome], pipe.fit(train[cols], train[outcome])
                                             .predict_proba(test[cols])[:, 1]))
    score_s, _ = timed(lambda: pipe.predict_proba(test[cols]))
    return fit_s, score_s, auc


def cli_times(directory: Path, models: str, bootstrap: int) -> list[tuple[str, float]]:
    """`safeschool screen …` end to end, each in a fresh process (start-up and reading the CSV files included)."""
    def run(*args):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "safeschool.cli", "screen", *map(str, args)], check=True,
                       capture_output=True)
        return time.perf_counter() - start

    out = directory / "out"
    return [
        (f"`screen evaluate --models {models}` (54,000 students read)",
         run("evaluate", "--data", directory, "--test-cohort", 2025, "--models", models, "--bootstrap", bootstrap,
             "--json", out / "evaluation.json")),
        ("`screen train --card card.md`", run("train", "--data", directory, "--test-cohort", 2025, "--bootstrap",
                                              bootstrap, "--out", out / "model.zip", "--card", out / "card.md")),
        ("`screen score` (all 54,000 students)", run("score", "--data", directory, "--model", out / "model.zip",
                                                     "--out", out / "scores.csv")),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", type=int, default=200, help="bootstrap replicates (the CLI's default)")
    parser.add_argument("--models", default="logistic,boosting", help="candidates, each timed on its own")
    parser.add_argument("--cli", action="store_true", help="also time the CLI end to end")
    args = parser.parse_args()

    from safeschool.cohort import CohortConfig, Sizes, simulate
    from safeschool.screening.data import read_cohort, screening_table, temporal_split
    from safeschool.screening.pipeline import assess

    outcome = "dropped_out"
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "cohort"
        simulate(CohortConfig(sizes=Sizes(students=54000, classes=2160, teachers=7200, cohorts=3))).write(directory)
        read_s, table = timed(lambda: screening_table(read_cohort(directory)))
        train, test = temporal_split(table, 2025)
        rows = [(f"reading the files into the screening table ({len(table):,} students)", read_s, None, None)]
        results = {}
        for name in args.models.split(","):
            seconds, (result, model) = timed(lambda name=name: assess(
                train, test, outcome=outcome, models=(name,), n_boot=args.bootstrap))
            results[name] = (result, model)
            rows.append((f"train {name} on {len(train):,}, evaluate on {len(test):,} "
                         f"(+ baselines, {args.bootstrap} bootstraps, audit, gate)", seconds, None,
                         TRAIN_EVALUATE_TARGET))
        fit_s, score_floor_s, plain_auc = plain_logistic(train, test, outcome)
        if "logistic" in results:  # the floor's ratio belongs to the like-for-like row
            index = next(i for i, r in enumerate(rows) if r[0].startswith("train logistic"))
            rows[index] = (*rows[index][:2], fit_s, TRAIN_EVALUATE_TARGET)
        for name, (_, model) in results.items():
            def score(model=model):
                p = model.predict_proba(test)
                return p, model.tiers(p), model.domains(test)

            seconds, _ = timed(score)
            rows.append((f"score {len(test):,} students with {name} (probability, tier, top domains)", seconds,
                         score_floor_s if name == "logistic" else None, SCORE_TARGET))
        if args.cli:
            rows += [(label, seconds, None, None) for label, seconds in
                     cli_times(directory, args.models, args.bootstrap)]

    print(f"{'step':<96}{'safeschool s':>13}{'plain sklearn s':>16}{'ratio':>8}{'target':>14}")
    for label, ours, floor, target in rows:
        ratio = f"{ours / floor:7.1f}x" if floor else "      -"
        status = "" if target is None else f"<{target:g}s {'met' if ours < target else 'MISSED'}"
        print(f"{label:<96}{ours:13.2f}{'' if floor is None else f'{floor:.2f}':>16}{ratio:>8}{status:>14}")
    print(f"AUC on cohort 2025 — plain sklearn logistic: {plain_auc:.3f}; " + "; ".join(
        f"{name}: " + ", ".join(f"{m['name']} {m['auc']:.3f}" for m in result["models"])
        + f"; gate {'passed' if result['passed_gate'] else 'failed'}" for name, (result, _) in results.items()))
    print(json.dumps({name: result["verdict"]["sentence"] for name, (result, _) in results.items()}, indent=1))


if __name__ == "__main__":
    main()
