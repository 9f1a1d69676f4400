"""The early-leaving risk models and their baselines.

`RiskModel` fits one of the `CANDIDATES` on the screening table of earlier cohorts and scores a later one:

- ``logistic``: median imputation with missing-value indicators, standard scaling, one-hot school context, and an
  L2-regularised logistic regression with a fixed C = 0.1. Internal 5-fold CV on the training cohorts of the default
  simulated cohort chose C = 0.03 and cost ten times the fit; held-out AUC moved by < 0.002 across C = 0.03–1, so
  we fix C and document it rather than pay for a search that does not matter.
- ``boosting``: `HistGradientBoostingClassifier` with native missing values and native categories (school context),
  small trees and early stopping on an internal 10 % validation split of the training cohorts.

Fitting and scoring run with one OpenMP/BLAS thread (threadpoolctl): on a shared two-core server more threads
made a boosting fit 25 times slower (20 s instead of 0.8 s) and the logistic fit on 36,000 students 3 times slower.

Neither is recalibrated afterwards. A logistic regression fitted by maximum likelihood is calibrated in the large by
construction, and on the default simulated cohort (train 2023–24, test 2025) `CalibratedClassifierCV` on the
training cohorts (5-fold, isotonic or sigmoid) made the held-out Brier score worse for both (logistic 0.0673 →
0.0683, boosting 0.0698 → 0.0715–0.0718) and cost 5–10 times the fit; the evaluation reports calibration per
decile and per tier so a model whose calibration drifts is seen.

Baselines (Perdomo et al., 2023; Balfanz's ABC): ``school_only`` is the logistic pipeline on `SCHOOL_FEATURES` only
(school context, no individual data), ``abc`` counts the ABC flags and maps each count to the outcome rate observed
for that count in the training cohorts, ``chance`` gives everyone the training base rate.

Explanations (`RiskModel.domains`) are the drop in a student's predicted probability when one domain's columns are
set to the training medians: model-agnostic, in the student's own probability units, and only over `DOMAINS`,
the things a school can change (never a protected attribute).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from safeschool.screening.data import (
    CATEGORICAL,
    DOMAINS,
    INDIVIDUAL_FEATURES,
    OUTCOMES,
    PROTECTED,
    SCHOOL_FEATURES,
    ScreeningDataError,
)

CANDIDATES = ("logistic", "boosting")
BASELINES = ("abc", "school_only", "chance")
ORACLE = "oracle"
TIERS = ("low", "moderate", "high")
LOGISTIC_C = 0.1
# ABC flags (Balfanz): attendance under 90 %, behaviour (two or more incidents or any suspension), course failure.
# The data hold no course grades; an achievement score under 425 (about the lowest tenth) is our proxy for failure.
ABC_ATTENDANCE = 0.90
ABC_INCIDENTS = 2
ABC_ACHIEVEMENT = 425.0


def labelled(table: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """The rows whose `outcome` is known (students who left before a later wave have no absence/exclusion)."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)} (got {outcome!r})")
    if outcome not in table:
        raise ScreeningDataError(f"the screening table has no column {outcome!r}")
    return table[table[outcome].notna()].reset_index(drop=True)


def _categorical(table: pd.DataFrame, features: tuple[str, ...]) -> list[str]:
    return [f for f in features if f in CATEGORICAL or not (pd.api.types.is_numeric_dtype(table[f])
                                                            or pd.api.types.is_bool_dtype(table[f]))]


def _design(table: pd.DataFrame, features: tuple[str, ...], categorical: list[str]) -> pd.DataFrame:
    """The estimator's input: numeric columns as float, categorical ones as text (missing stays missing)."""
    missing = [f for f in features if f not in table]
    if missing:
        raise ScreeningDataError(f"the screening table lacks the model's feature(s) {', '.join(missing)}")
    out = {}
    for f in features:
        col = table[f]
        if f in categorical:
            text = col.astype(str).astype(object)
            text[col.isna().to_numpy()] = np.nan
            out[f] = text
        else:
            out[f] = pd.to_numeric(col.astype(float) if col.dtype == bool else col, errors="coerce").astype(float)
    return pd.DataFrame(out, index=table.index)


def _estimator(algorithm: str, numeric: list[str], categorical: list[str], random_state: int) -> Pipeline:
    if algorithm == "logistic":
        prepare = ColumnTransformer([
            ("numeric", Pipeline([("impute", SimpleImputer(strategy="median", add_indicator=True)),
                                  ("scale", StandardScaler())]), numeric),
            ("categorical", Pipeline([("impute", SimpleImputer(strategy="constant", fill_value="missing")),
                                      ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False))]), categorical),
        ])
        return Pipeline([("prepare", prepare), ("model", LogisticRegression(C=LOGISTIC_C, max_iter=2000))])
    if algorithm == "boosting":
        prepare = ColumnTransformer([
            ("categorical", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan,
                                           encoded_missing_value=np.nan), categorical),
            ("numeric", "passthrough", numeric),
        ])
        mask = [True] * len(categorical) + [False] * len(numeric)
        boost = HistGradientBoostingClassifier(
            learning_rate=0.1, max_iter=200, max_leaf_nodes=15, min_samples_leaf=50, l2_regularization=1.0,
            early_stopping=True, validation_fraction=0.1, n_iter_no_change=10,
            categorical_features=mask if categorical else None, random_state=random_state)
        return Pipeline([("prepare", prepare), ("model", boost)])
    raise ValueError(f"algorithm must be one of {', '.join(CANDIDATES)} (got {algorithm!r})")


def tier_cutoffs(scores: np.ndarray, shares: tuple[float, float] = (0.10, 0.15)) -> dict[str, float]:
    """Probability cut-offs from training scores: "high" = the top `shares[0]`, "moderate" = the next `shares[1]`."""
    scores = np.asarray(scores, float)
    scores = scores[~np.isnan(scores)]
    high, moderate = shares
    return {"high": float(np.quantile(scores, 1 - high)), "moderate": float(np.quantile(scores, 1 - high - moderate))}


def assign_tiers(p: np.ndarray, cutoffs: dict[str, float]) -> np.ndarray:
    """"high" above the high cut-off, "moderate" above the moderate one, else "low". Strictly above, so a score
    that everyone shares (chance) puts no one in a higher tier."""
    p = np.asarray(p, float)
    return np.where(p > cutoffs["high"], "high", np.where(p > cutoffs["moderate"], "moderate", "low"))


class RiskModel:
    """A screening model of one outcome, trained on earlier cohorts.

    Parameters
    ----------
    algorithm : "logistic" or "boosting"
    outcome : one of `OUTCOMES`
    features : the columns used (default: `INDIVIDUAL_FEATURES` + `SCHOOL_FEATURES`)
    include_protected : add `PROTECTED` to the features; without it, naming one among `features` is an error
    tier_shares : shares of the training cohorts in the high and the moderate tier
    """

    def __init__(self, algorithm: str = "logistic", outcome: str = "dropped_out", features=None,
                 include_protected: bool = False, tier_shares: tuple[float, float] = (0.10, 0.15),
                 random_state: int = 0):
        self.algorithm = algorithm
        self.outcome = outcome
        self.features = features
        self.include_protected = include_protected
        self.tier_shares = tier_shares
        self.random_state = random_state
        self.meta: dict = {}

    def __repr__(self) -> str:
        fitted = f", n_train={self.n_train_}" if hasattr(self, "n_train_") else ""
        return f"RiskModel(algorithm={self.algorithm!r}, outcome={self.outcome!r}{fitted})"

    def _features(self) -> tuple[str, ...]:
        features = tuple(self.features) if self.features is not None else INDIVIDUAL_FEATURES + SCHOOL_FEATURES
        protected = [f for f in features if f in PROTECTED]
        if protected and not self.include_protected:
            raise ValueError(f"{', '.join(protected)} is a protected attribute, used only to audit; "
                             "pass include_protected=True to make it a model input")
        if self.include_protected:
            features += tuple(f for f in PROTECTED if f not in features)
        return features

    def fit(self, table: pd.DataFrame) -> RiskModel:
        if self.algorithm not in CANDIDATES:
            raise ValueError(f"algorithm must be one of {', '.join(CANDIDATES)} (got {self.algorithm!r})")
        train = labelled(table, self.outcome)
        y = train[self.outcome].to_numpy(float)
        if len(np.unique(y)) < 2:
            raise ScreeningDataError(f"{self.outcome}: the training cohorts need students with and without it")
        features = self._features()
        missing = [f for f in features if f not in train]
        if missing:
            raise ScreeningDataError(f"the screening table lacks the feature(s) {', '.join(missing)}")
        self.categorical_ = _categorical(train, features)
        numeric = [f for f in features if f not in self.categorical_]
        X = _design(train, features, self.categorical_)
        with threadpool_limits(limits=1):
            self.estimator_ = _estimator(self.algorithm, numeric, self.categorical_, self.random_state).fit(X, y)
        self.features_ = list(features)
        # what a domain is set to when asking how much it raises a student's score
        self.medians_ = {f: float(np.nanmedian(X[f])) if X[f].notna().any() else 0.0
                         for f in numeric if f in INDIVIDUAL_FEATURES}
        self.tier_cutoffs_ = tier_cutoffs(self._proba(X), self.tier_shares)
        self.base_rate_ = float(y.mean())
        self.train_cohorts_ = sorted(int(c) for c in train["cohort"].dropna().unique()) if "cohort" in train else []
        self.n_train_ = int(len(train))
        return self

    def _proba(self, X: pd.DataFrame) -> np.ndarray:
        with threadpool_limits(limits=1):
            return self.estimator_.predict_proba(X)[:, 1]

    def _check_fitted(self):
        if not hasattr(self, "estimator_"):
            raise ValueError("this RiskModel is not fitted yet: call fit(table) first")

    def predict_proba(self, table: pd.DataFrame) -> np.ndarray:
        """Each student's predicted probability of the outcome (0–1)."""
        self._check_fitted()
        return self._proba(_design(table, tuple(self.features_), self.categorical_))

    def tiers(self, p: np.ndarray) -> np.ndarray:
        """"low", "moderate" or "high" per probability, by the cut-offs fixed on the training cohorts."""
        self._check_fitted()
        return assign_tiers(p, self.tier_cutoffs_)

    def domain_effects(self, table: pd.DataFrame) -> pd.DataFrame:
        """Per student and domain, how much the domain raises the predicted probability: p − p(domain at the
        training medians). Domains whose columns are not model inputs are left out."""
        self._check_fitted()
        X = _design(table, tuple(self.features_), self.categorical_)
        variants, names = [X], []
        for domain, columns in DOMAINS.items():
            used = [c for c in columns if c in self.medians_]
            if used:
                variants.append(X.assign(**{c: self.medians_[c] for c in used}))
                names.append(domain)
        # one call for the student as is and each domain at the medians: less overhead than six
        p = self._proba(pd.concat(variants, ignore_index=True)).reshape(len(variants), len(X))
        return pd.DataFrame({domain: p[0] - p[i + 1] for i, domain in enumerate(names)}, index=table.index)

    def domains(self, table: pd.DataFrame, top: int = 3) -> list[list[str]]:
        """Per student, the `DOMAINS` keys that raise the score most (largest first), only those that raise it."""
        effects = self.domain_effects(table)
        if effects.empty:
            return [[] for _ in range(len(table))]
        values = effects.to_numpy()
        names = np.asarray(effects.columns, dtype=object)
        order = np.argsort(-values, axis=1, kind="stable")[:, :top]
        named = np.where(np.take_along_axis(values, order, axis=1) > 0, names[order], "").tolist()
        return [[d for d in row if d] for row in named]


def abc_flags(table: pd.DataFrame) -> np.ndarray:
    """The number of ABC flags (0–3) per student; a missing value raises no flag."""
    attendance = pd.to_numeric(table["attendance_rate"], errors="coerce").to_numpy(float)
    incidents = pd.to_numeric(table["behaviour_incidents"], errors="coerce").to_numpy(float)
    suspensions = pd.to_numeric(table["suspensions"], errors="coerce").to_numpy(float)
    achievement = pd.to_numeric(table["achievement"], errors="coerce").to_numpy(float)
    with np.errstate(invalid="ignore"):
        flags = ((attendance < ABC_ATTENDANCE).astype(int)
                 + ((incidents >= ABC_INCIDENTS) | (suspensions >= 1)).astype(int)
                 + (achievement < ABC_ACHIEVEMENT).astype(int))
    return flags


class ABCRule:
    """Balfanz's ABC rule as a probability: the training cohorts' outcome rate for each number of flags (a count
    not seen in training gets the rate of the nearest lower count seen, or the base rate)."""

    def __init__(self, outcome: str = "dropped_out"):
        self.outcome = outcome

    def fit(self, table: pd.DataFrame) -> ABCRule:
        train = labelled(table, self.outcome)
        flags = abc_flags(train)
        y = train[self.outcome].to_numpy(float)
        self.base_rate_ = float(y.mean()) if len(y) else 0.0
        rates, last = [], self.base_rate_
        for count in range(4):
            seen = flags == count
            last = float(y[seen].mean()) if seen.any() else last
            rates.append(last)
        self.rates_ = rates
        return self

    def predict_proba(self, table: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.rates_)[abc_flags(table)]


def abc_scores(table: pd.DataFrame, train: pd.DataFrame | None = None, outcome: str = "dropped_out") -> np.ndarray:
    """The ABC rule: the flag count (0–3) per student, or, given the training cohorts, the outcome rate they
    observed for each count (so the Brier score is meaningful)."""
    if train is None:
        return abc_flags(table).astype(float)
    return ABCRule(outcome).fit(train).predict_proba(table)


class Chance:
    """Everyone gets the training base rate: AUC 0.5, and the Brier score of knowing only the base rate."""

    def __init__(self, outcome: str = "dropped_out"):
        self.outcome = outcome

    def fit(self, table: pd.DataFrame) -> Chance:
        self.base_rate_ = float(labelled(table, self.outcome)[self.outcome].mean())
        return self

    def predict_proba(self, table: pd.DataFrame) -> np.ndarray:
        return np.full(len(table), self.base_rate_)


def baseline(name: str, outcome: str = "dropped_out", random_state: int = 0):
    """An unfitted baseline by name (`BASELINES`)."""
    if name == "abc":
        return ABCRule(outcome)
    if name == "school_only":
        return RiskModel("logistic", outcome, features=SCHOOL_FEATURES, random_state=random_state)
    if name == "chance":
        return Chance(outcome)
    raise ValueError(f"baseline must be one of {', '.join(BASELINES)} (got {name!r})")
