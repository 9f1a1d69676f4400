"""MAIHDA: multilevel analysis of individual heterogeneity and discriminatory accuracy (intersectional strata).

Students are grouped into intersectional strata (every combination of the chosen attributes, e.g. gender x
migrant background x SES band). Two multilevel models with a random intercept for the stratum are fitted:

* the **null** model ``y ~ 1 + (1|stratum)``: how much of the outcome's variance lies between strata (VPC), and
  each stratum's shrunken predicted mean or probability;
* the **main-effects** model ``y ~ attribute_1 + ... + (1|stratum)``: how much of that between-stratum variance
  the additive main effects explain (PCV), and what is left for each stratum — its *interaction effect*, the
  part of its mean that the sum of main effects does not predict.

References: Evans, Leckie, Subramanian, Bell & Merlo (2024), "A tutorial for conducting intersectional
multilevel analysis of individual heterogeneity and discriminatory accuracy (MAIHDA)", SSM - Population Health
25, 101664; Merlo (2018), Social Science & Medicine 203, 74-80. The R reference is the CRAN package MAIHDA
(``fit_maihda`` / ``summary_maihda``); the models are ``lme4::lmer`` / ``lme4::glmer`` fits.

Disclosure (stats/disclosure.py): strata of fewer than ``min_display`` students are estimated but never shown.
The number of students analysed is public (it is the number of students in the data, less incomplete rows), so
n_obs minus the shown strata gives the students of the hidden strata together: when they are fewer than
``min_display``, the next-smallest strata are hidden too (complementary suppression) until they are not. The
number of students in hidden strata is published only when it is 0 or at least ``min_display``; otherwise (every
stratum hidden and still too few) it is folded ("fewer than 10 students in small strata") and n_obs and the
number of incomplete rows are withheld.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as st

from safeschool.stats.disclosure import BELOW_MIN, PROTECTS, REASONS, protect
from safeschool.stats.formula import ModelSpecError
from safeschool.stats.mixed import MixedModel
from safeschool.stats.printing import json_records
from safeschool.stats.protocol import LOGISTIC_RESIDUAL, FittedMultilevelModel
from safeschool.vocabulary import GROUP_ALIASES, MIN_CELL, group_label

MAX_LEVELS = 12


def stratum_label(columns: list[str], values: list[str]) -> str:
    return " · ".join(group_label(c, v) for c, v in zip(columns, values, strict=True))


def auc(y: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve by the Mann-Whitney rank formula (ties count one half)."""
    y = np.asarray(y).astype(bool)
    n1, n0 = int(y.sum()), int((~y).sum())
    if n1 == 0 or n0 == 0:
        return float("nan")
    ranks = st.rankdata(score)
    return float((ranks[y].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def _expit(x):
    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))


@dataclass
class Maihda:
    """Intersectional MAIHDA of one outcome.

    Parameters
    ----------
    outcome : str
        Numeric outcome (linear models) or 0/1 / boolean outcome (logistic models, Laplace approximation).
    strata : list of str
        Categorical attributes whose combinations form the strata (aliases: migrant, roma, ses, care).
    family : {"auto", "gaussian", "binomial"}
    min_display : int
        Strata with fewer students are estimated but never displayed individually (default 10).

    Attributes after ``fit``: ``summary_`` (per model: between- and within-stratum variance, VPC, PCV, AUC),
    ``strata_`` (every stratum, for internal use), ``display_strata()`` (only strata that may be shown),
    ``null_``, ``main_`` (the fitted MixedModel objects), ``n_obs_``, ``n_strata_``, ``n_small_strata_``,
    ``n_protecting_strata_`` (hidden so that the small ones cannot be worked out), ``n_in_small_strata_``.

    Matches the CRAN package MAIHDA (``fit_maihda``, ``summary_maihda``) on the same models.
    """

    outcome: str
    strata: list[str]
    family: str = "auto"
    min_display: int = MIN_CELL
    warnings_: list[str] = field(default_factory=list, init=False)

    def fit(self, data: pd.DataFrame, progress=None) -> Maihda:
        tick = progress or (lambda _step: None)
        columns = [GROUP_ALIASES.get(s, s) for s in self.strata]
        if len(columns) < 2:
            raise ModelSpecError("MAIHDA needs at least two attributes to form intersectional strata")
        if self.outcome not in data.columns:
            raise ModelSpecError(f"unknown outcome '{self.outcome}'")
        for col in columns:
            if col not in data.columns:
                raise ModelSpecError(f"unknown stratum attribute '{col}' (the data has: {', '.join(map(str, data.columns))})")
            levels = data[col].nunique(dropna=True)
            if levels > MAX_LEVELS:
                raise ModelSpecError(f"stratum attribute '{col}' has {levels} values: band it first (e.g. ses_band "
                                     f"instead of ses_index)")
            if levels < 2:
                raise ModelSpecError(f"stratum attribute '{col}' does not vary")
        self.columns_ = columns
        frame = data[[self.outcome, *columns]].dropna().copy()
        self.n_dropped_ = int(len(data) - len(frame))
        for col in columns:
            frame[col] = frame[col].astype(str)
        frame["stratum"] = [stratum_label(columns, list(values)) for values in frame[columns].itertuples(index=False)]
        y = frame[self.outcome]
        if self.family == "auto":
            values = set(pd.unique(y))
            self.family_ = "binomial" if y.dtype == bool or values <= {0, 1} else "gaussian"
        else:
            self.family_ = self.family
        if self.family_ == "binomial":
            frame[self.outcome] = y.astype(float)
        self.frame_ = frame
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            self.null_ = MixedModel(f"{self.outcome} ~ 1 + (1|stratum)", family=self.family_).fit(frame)
            tick("null model")
            main_rhs = " + ".join(columns)
            self.main_ = MixedModel(f"{self.outcome} ~ {main_rhs} + (1|stratum)", family=self.family_).fit(frame)
            tick("main-effects model")
        self.warnings_ = [str(w.message) for w in caught if "safeschool" in w.category.__module__]
        self._summarise()
        tick("strata")
        return self

    # ------------------------------------------------------------------------------------------------------
    def _between(self, model: FittedMultilevelModel) -> float:
        vc = model.variance_components_
        return float(vc[vc.group == "stratum"].variance.iloc[0])

    def _within(self, model: FittedMultilevelModel) -> float:
        if self.family_ == "binomial":
            return LOGISTIC_RESIDUAL
        vc = model.variance_components_
        return float(vc[vc.group == "Residual"].variance.iloc[0])

    def _summarise(self) -> None:
        frame = self.frame_
        counts = frame.groupby("stratum").size()
        observed = frame.groupby("stratum")[self.outcome].mean()
        rows = []
        for name, model in (("null model", self.null_), ("main-effects model", self.main_)):
            between, within = self._between(model), self._within(model)
            rows.append({"model": name, "between_variance": between, "within_variance": within,
                         "vpc": between / (between + within), "loglik": model.loglik_, "aic": model.aic_})
        between_null = rows[0]["between_variance"]
        rows[0]["pcv"] = None
        rows[1]["pcv"] = (between_null - rows[1]["between_variance"]) / between_null if between_null > 0 else None
        # stratum-level predictions
        modes_null = self.null_.ranef_.set_index("level")
        modes_main = self.main_.ranef_.set_index("level")
        b0 = float(self.null_.params_.iloc[0])
        v0 = float(self.null_.vcov_.iloc[0, 0])
        # each stratum's row of the main-effects design: its attributes' columns are constant within it
        design = self.main_.design_.copy()
        design["stratum"] = self.main_.frame_["stratum"].to_numpy()
        x_by_stratum = design.groupby("stratum").first()
        beta = self.main_.params_.to_numpy()
        vcov = self.main_.vcov_.to_numpy()
        strata_rows = []
        for stratum, n in counts.items():
            u0, s0 = float(modes_null.loc[stratum, "estimate"]), float(modes_null.loc[stratum, "se"])
            x = x_by_stratum.loc[stratum].to_numpy(dtype=float)
            xb = float(x @ beta)
            se_xb = float(math.sqrt(max(x @ vcov @ x, 0.0)))
            u1, s1 = float(modes_main.loc[stratum, "estimate"]), float(modes_main.loc[stratum, "se"])
            pred0, se0 = b0 + u0, math.sqrt(v0 + s0**2)
            pred1, se1 = xb + u1, math.sqrt(se_xb**2 + s1**2)
            row = {
                "stratum": stratum, "n": int(n), "observed": float(observed[stratum]),
                "predicted": pred0, "predicted_low": pred0 - 1.96 * se0, "predicted_high": pred0 + 1.96 * se0,
                "main_effects": xb, "main_effects_low": xb - 1.96 * se_xb, "main_effects_high": xb + 1.96 * se_xb,
                "interaction": u1, "interaction_low": u1 - 1.96 * s1, "interaction_high": u1 + 1.96 * s1,
                "total": pred1, "total_low": pred1 - 1.96 * se1, "total_high": pred1 + 1.96 * se1,
            }
            strata_rows.append(row)
        strata = pd.DataFrame(strata_rows)
        attributes = frame.groupby("stratum")[self.columns_].first()
        strata = strata.join(attributes, on="stratum")
        if self.family_ == "binomial":
            for col in ("predicted", "predicted_low", "predicted_high", "main_effects", "main_effects_low",
                        "main_effects_high", "total", "total_low", "total_high"):
                strata[col] = _expit(strata[col])  # probabilities; intervals from the logit scale
        strata["interaction_significant"] = (strata.interaction_low > 0) | (strata.interaction_high < 0)
        protection = protect({str(k): int(v) for k, v in counts.items()}, k=self.min_display, total_shown=True)
        strata["reason"] = [protection.reasons[str(name)] for name in strata.stratum]
        strata["suppressed"] = strata.reason.notna()
        strata["rank"] = strata.predicted.rank(ascending=True, method="first").astype(int)
        self.strata_ = strata.sort_values("predicted").reset_index(drop=True)
        if self.family_ == "binomial":
            y = frame[self.outcome].to_numpy()
            stratum_of = frame["stratum"].to_numpy()
            null_p = pd.Series(_expit(b0 + modes_null.estimate.reindex(stratum_of).to_numpy()))
            fixed_only = _expit(self.main_.linear_predictor(with_random=False))
            with_strata = _expit(self.main_.linear_predictor(with_random=True))
            rows[0]["auc"] = auc(y, null_p.to_numpy())
            rows[1]["auc"] = auc(y, with_strata)
            rows[1]["auc_main_effects_only"] = auc(y, fixed_only)
        self.summary_ = pd.DataFrame(rows)
        self.n_obs_ = int(len(frame))
        self.n_strata_ = int(len(counts))
        self.n_small_strata_ = int((strata.reason == BELOW_MIN).sum())
        self.n_protecting_strata_ = int((strata.reason == PROTECTS).sum())
        self.n_in_small_strata_ = int(strata.n[strata.suppressed].sum())

    @property
    def small_strata_folded(self) -> bool:
        """True when the students of the hidden strata are too few to publish their number (0 < n < min)."""
        return 0 < self.n_in_small_strata_ < self.min_display

    def display_strata(self) -> pd.DataFrame:
        """Strata that may be shown: those of at least `min_display` students not hidden to protect smaller ones."""
        shown = self.strata_[~self.strata_.suppressed]
        return shown.drop(columns=["suppressed", "reason"]).reset_index(drop=True)

    def to_dict(self) -> dict:
        """The publishable result: shown strata only; when the small strata hold 0 < n < min_display students,
        n_obs, n_dropped_incomplete and n_in_small_strata are None and `small_strata` says so in words."""
        shown = self.display_strata()
        folded = self.small_strata_folded
        if folded:
            small = f"{REASONS[BELOW_MIN]} in small strata"
        else:
            small = f"{self.n_in_small_strata_:,} students in hidden strata"
        return {
            "analysis": "maihda",
            "outcome": self.outcome,
            "family": self.family_,
            "method": self.main_.method_,
            "engine": self.main_.engine_,
            "strata_attributes": self.columns_,
            "n_obs": None if folded else self.n_obs_,
            "n_dropped_incomplete": None if folded else self.n_dropped_,
            "n_strata": self.n_strata_,
            "n_strata_suppressed": self.n_small_strata_,
            "n_strata_protecting": self.n_protecting_strata_,
            "n_in_small_strata": None if folded else self.n_in_small_strata_,
            "small_strata": small,
            "min_display": self.min_display,
            "models": json_records(self.summary_),
            "fixed_effects": json_records(self.main_.summary),
            "strata": json_records(shown),
            "warnings": self.warnings_,
        }
