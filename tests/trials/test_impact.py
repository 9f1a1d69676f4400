"""Impact: Hedges' g and the Cox index against hand computation from the fitted model, EEF months' progress, and
a coverage test: over many simulated trials with a known effect, the 95 % CI covers it at the nominal rate."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from safeschool.stats.mixed import MixedModel, ModelSpecError
from safeschool.trials.designs import UNIT_OF_ASSIGNMENT, analysis_formula, impact_term
from safeschool.trials.impact import estimate_impact, months_progress, total_variance_formula
from safeschool.trials.simulate import simulate_trial


@pytest.fixture(scope="module")
def trial3():
    return simulate_trial("crt3", schools=16, classes_per_school=2, students_per_class=12, icc_school=0.15,
                          icc_class=0.05, effect=0.3, attrition=0.1, seed=11)


def test_hedges_g_from_the_fitted_components(trial3):
    formula = analysis_formula("crt3", "y", ["baseline"])
    assert formula == "y ~ treat + baseline + (1|school_id/class_id)"
    out = estimate_impact(trial3, formula=formula, treatment="treat", attainment=True)
    model = MixedModel(formula).fit(trial3)
    b = model.params_["treat"]
    # the total variance of the model without the covariate, on the same students: school, class, residual
    plain = MixedModel("y ~ treat + (1|school_id/class_id)").fit(trial3.dropna(subset=["y"]))
    total = plain.variance_components_.variance.sum()
    assert out["variance_formula"] == "y ~ treat + (1|school_id/class_id)"
    assert total > model.variance_components_.variance.sum()  # the covariate shrank the residual
    n = int(trial3.y.notna().sum())
    omega = 1 - 3 / (4 * n - 9)
    assert out["n"] == n == model.n_obs_
    assert out["estimate"] == pytest.approx(b)
    assert out["effect_size"] == pytest.approx(omega * b / math.sqrt(total))
    lo, hi = model.summary.set_index("term").loc["treat", ["ci_low", "ci_high"]]
    assert out["effect_size_ci"] == pytest.approx([omega * lo / math.sqrt(total), omega * hi / math.sqrt(total)])
    assert out["clusters"] == {"school_id": 16, "class_id:school_id": 32}
    assert out["months_progress"] == months_progress(out["effect_size"])
    assert out["effect_size_method"] == "hedges_g_total_variance" and out["df"] > 1
    assert {"estimate", "se", "ci", "p", "effect_size", "effect_size_ci", "n", "clusters"} <= set(out)
    assert estimate_impact(trial3, formula=formula, treatment="treat")["months_progress"] is None


def test_cox_index_for_binary_outcomes():
    trial = simulate_trial("crt2", schools=20, classes_per_school=1, students_per_class=30, icc_school=0.1,
                           effect=0.6, seed=4, binary=True)
    out = estimate_impact(trial, formula="y ~ treat + baseline + (1|school_id)", treatment="treat", family="binomial")
    omega = 1 - 3 / (4 * 600 - 9)
    assert out["effect_size"] == pytest.approx(omega * out["estimate"] / 1.65)
    assert out["effect_size_ci"] == pytest.approx([omega * c / 1.65 for c in out["ci"]])
    assert out["effect_size_method"] == "cox_index" and out["df"] is None and out["months_progress"] is None


def test_the_total_variance_model_leaves_out_the_covariates_only():
    assert total_variance_formula("y ~ treat + baseline + (1|school_id/class_id)", "treat") == \
        "y ~ treat + (1|school_id/class_id)"
    assert total_variance_formula("y ~ group * post + ses + (1|school_id)", "group:post") == \
        "y ~ group * post + (1|school_id)"
    assert total_variance_formula("y ~ treat + baseline + C(period) + (1|school_id)", "treat", ["baseline"]) == \
        "y ~ treat + C(period) + (1|school_id)"


def test_treatment_must_be_a_term(trial3):
    with pytest.raises(ModelSpecError, match="treatment 'arm'"):
        estimate_impact(trial3, formula="y ~ treat + (1|school_id)", treatment="arm")
    assert set(UNIT_OF_ASSIGNMENT) == {"crt2", "crt3", "bcrt3", "bcrt2", "sw", "did"}


@pytest.mark.parametrize(("effect_size", "months"), [
    (0.0, 0), (0.01, 0), (0.02, 1), (0.09, 1), (0.10, 2), (0.18, 2), (0.19, 3), (0.26, 3), (0.27, 4), (0.44, 5),
    (0.45, 6), (0.69, 8), (0.70, 9), (0.95, 11), (0.96, 12), (1.40, 12), (-0.20, -3), (0.094, 1), (0.096, 2)])
def test_months_progress_eef_table(effect_size, months):
    assert months_progress(effect_size) == months


def test_coverage_of_the_impact_and_effect_size_cis_over_simulated_trials():
    """150 two-level trials (16 schools of 25 students, ICC 0.15, 10 % attrition), seeds 0..149, true effect 0.25
    SD of the total variance: the 95 % CIs of the impact (Satterthwaite t) and of Hedges' g must each cover the
    truth in a number of trials inside the central 99.9 % of Binomial(150, 0.95), 132 to 149 (a z interval that
    ignored the clustering would cover about two in three); the estimates must be unbiased within 4 standard
    errors of their mean. The model has no covariate so that each trial is one fit (the suite's time budget); the
    covariate-adjusted g is checked by hand above and its estimate below."""
    effect, trials = 0.25, 150
    covered = covered_g = 0
    estimates, sizes = [], []
    for seed in range(trials):
        trial = simulate_trial("crt2", schools=16, classes_per_school=1, students_per_class=25, icc_school=0.15,
                               effect=effect, attrition=0.1, seed=seed)
        assert trial.attrs["effect_size"] == effect
        out = estimate_impact(trial, formula="y ~ treat + (1|school_id)", treatment="treat")
        covered += out["ci"][0] <= effect <= out["ci"][1]
        covered_g += out["effect_size_ci"][0] <= effect <= out["effect_size_ci"][1]
        estimates.append(out["estimate"])
        sizes.append(out["effect_size"])
    low, high = st.binom.ppf(0.0005, trials, 0.95), st.binom.ppf(0.9995, trials, 0.95)
    assert (low, high) == (132, 149)
    assert low <= covered <= high, f"the 95 % CI covered the true effect in {covered} of {trials} trials"
    assert low <= covered_g <= high, f"the 95 % CI of g covered the true effect size in {covered_g} of {trials}"
    for values in (np.array(estimates), np.array(sizes)):
        assert abs(values.mean() - effect) < 4 * values.std(ddof=1) / math.sqrt(trials)


def test_covariate_adjusted_effect_size_is_on_the_unadjusted_variance():
    """With a baseline covariate explaining a quarter of the students' variance, g stays near the truth over 10
    trials (its mean within 4 standard errors), where g on the adjusted model's variance would be about 12 %
    larger."""
    sizes, adjusted = [], []
    for seed in range(10):
        trial = simulate_trial("crt2", schools=16, classes_per_school=1, students_per_class=25, icc_school=0.15,
                               effect=0.25, seed=1000 + seed)
        out = estimate_impact(trial, formula="y ~ treat + baseline + (1|school_id)", treatment="treat")
        sizes.append(out["effect_size"])
        adjusted.append(out["estimate"] / math.sqrt(sum(c["variance"] for c in out["variance_components_adjusted"])))
    sizes = np.array(sizes)
    assert abs(sizes.mean() - 0.25) < 4 * sizes.std(ddof=1) / math.sqrt(len(sizes))
    assert np.mean(np.array(adjusted) / sizes) > 1.05


def _panel(seed: int, effect: float) -> pd.DataFrame:
    """16 schools over 4 periods: the first 8 are the intervention group from period 2 on; school s steps into the
    intervention at period s % 3 + 1 (stepped wedge); a secular trend of 0.1 per period."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(16):
        u = rng.normal(0, 0.4)
        for period in range(4):
            y_did = u + 0.2 * (s < 8) + 0.1 * period + effect * (s < 8) * (period >= 2) + rng.normal(0, 1, 12)
            y_sw = u + 0.1 * period + effect * (period >= s % 3 + 1) + rng.normal(0, 1, 12)
            rows.append(pd.DataFrame({"school_id": f"S{s:02d}", "period": period, "group": int(s < 8),
                                      "post": int(period >= 2), "treat": int(period >= s % 3 + 1),
                                      "y_did": y_did, "y_sw": y_sw}))
    return pd.concat(rows, ignore_index=True)


def test_difference_in_differences_and_stepped_wedge_models():
    panel = _panel(5, 0.4)
    did = estimate_impact(panel, formula=analysis_formula("did", "y_did", [], treatment="group"),
                          treatment=impact_term("did", "group"))
    assert did["term"] == "group:post" and did["ci"][0] < 0.4 < did["ci"][1]
    sw = estimate_impact(panel, formula=analysis_formula("sw", "y_sw", []), treatment="treat")
    assert sw["formula"] == "y_sw ~ treat + C(period) + (1|school_id)" and sw["ci"][0] < 0.4 < sw["ci"][1]
    # without the period terms the secular trend would be taken for impact: the design's model is what removes it
    assert abs(sw["estimate"] - 0.4) < 3 * sw["se"]
