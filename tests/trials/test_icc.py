"""ICCs and R² per level from a simulated cohort whose variance components are known (cohort/params.py)."""

import dataclasses

import numpy as np
import pytest

from safeschool.cohort import CohortConfig, simulate
from safeschool.cohort.params import Achievement
from safeschool.ingest.cohort_files import analysis_frame
from safeschool.stats.aggregates import AggregateModel
from safeschool.stats.cluster_stats import stats_from_frame
from safeschool.stats.formula import ModelSpecError
from safeschool.trials import icc
from safeschool.trials.outcomes import OUTCOMES, outcome_frame

RANDOM = {"intercept", "sd_school", "sd_class", "sd_student", "sd_occasion"}
SIZES = {"countries": 2, "schools": 60, "classes": 240, "teachers": 300, "students": 6000}


def _config(**achievement) -> CohortConfig:
    """Achievement = intercept + school + class + student + occasion effects only (no fixed effects, no country
    effect), plus the fixed effects given."""
    fixed = {f.name: 0.0 for f in dataclasses.fields(Achievement) if f.name not in RANDOM}
    return CohortConfig.from_dict({"sizes": SIZES, "achievement": {**fixed, **achievement}})


@pytest.fixture(scope="module")
def pure():
    return analysis_frame(simulate(_config()).tables)


@pytest.fixture(scope="module")
def with_predictors():
    return analysis_frame(simulate(_config(school_ses=30.0, ses=25.0)).tables)


def test_recovers_the_simulators_iccs(pure):
    a = Achievement()
    school, klass = a.sd_school**2, a.sd_class**2  # 900 and 400
    total = school + klass + a.sd_student**2 + a.sd_occasion**2  # + 2025 + 1225 = 4550
    truth_school, truth_class = school / total, klass / total  # 0.198 and 0.088
    out = icc.estimate(pure, outcome="achievement", n_boot=50, seed=1)
    assert out["n_schools"] == 60 and out["n_classes"] == 240 and out["n_students"] == 6000
    assert out["mean_class_size"] == 25 and out["mean_school_size"] == 100
    # 60 schools: the school share's sampling SD is about 0.035; the class share's about 0.015
    assert out["icc_school"] == pytest.approx(truth_school, abs=0.07)
    assert out["icc_class"] == pytest.approx(truth_class, abs=0.03)
    lo, hi = out["icc_school_ci"]
    assert lo < truth_school < hi and lo < out["icc_school"] < hi
    lo, hi = out["icc_class_ci"]
    assert lo < truth_class < hi
    assert out["r2_1"] == out["r2_2"] == out["r2_3"] == 0 and out["scale"] == "observed" and out["latent"] is None
    # the same seed gives the same interval; another seed another
    again = icc.estimate(pure, outcome="achievement", n_boot=50, seed=1)
    assert again["icc_school_ci"] == out["icc_school_ci"]
    assert icc.estimate(pure, outcome="achievement", n_boot=50, seed=2)["icc_school_ci"] != out["icc_school_ci"]


def test_two_level_model_folds_the_class_into_the_school_and_students(pure):
    out = icc.estimate(pure, outcome="achievement", levels=("school",), n_boot=0)
    assert out["icc_class"] is None and out["r2_3"] is None and out["icc_school_ci"] is None
    # with 4 classes of 25 per school, a school's mean carries a quarter of the class variance (900 + 400/4)
    assert out["icc_school"] == pytest.approx((900 + 400 / 4) / 4550, abs=0.07)


def test_r2_per_level_is_the_proportional_change_in_variance(with_predictors):
    covs = ("ses_index", "ses_composition")
    out = icc.estimate(with_predictors, outcome="achievement", covariates=covs, n_boot=0)
    data = with_predictors.dropna(subset=["achievement", *covs])

    def variances(formula):
        vc = AggregateModel(formula).fit(stats_from_frame(formula, data)).variance_components_
        return dict(zip(vc.group, vc.variance, strict=True))

    null = variances("achievement ~ 1 + (1|school_id/class_id)")
    full = variances("achievement ~ ses_index + ses_composition + (1|school_id/class_id)")
    assert out["r2_1"] == pytest.approx(1 - full["Residual"] / null["Residual"])
    assert out["r2_3"] == pytest.approx(1 - full["school_id"] / null["school_id"])
    assert out["r2_2"] == pytest.approx(max(0.0, 1 - full["class_id:school_id"] / null["class_id:school_id"]))
    # known truth: school SES mix (30 points per SD) carries school variance, own SES student variance;
    # neither is a class-level effect
    assert out["r2_3"] > 0.1 and out["r2_1"] > 0.05 and out["r2_2"] < 0.1


def test_binary_outcomes_observed_and_latent(pure):
    secondary = ("lower_secondary", "upper_secondary", "second_chance")
    out = icc.estimate(pure, outcome="dropout", stages=secondary, n_boot=20)
    rows = pure[pure.stage.isin(secondary)]
    assert out["family"] == "binomial" and out["scale"] == "observed"
    assert out["n_students"] == len(rows) and out["base_rate"] == pytest.approx(rows.dropout.mean())
    latent = out["latent"]
    assert latent["residual"] == pytest.approx(np.pi**2 / 3)
    # a rare 0/1 outcome's observed-scale ICC is well below its latent-scale ICC
    assert 0 < out["icc_school"] < latent["icc_school"]
    excluded = outcome_frame(pure, "exclusion")
    assert set(excluded["excluded"].dropna().unique()) <= {0.0, 1.0}
    assert (excluded["excluded"] == (pure["suspensions"] > 0)).where(pure["suspensions"].notna(), True).all()


def test_outcome_registry_order_and_columns():
    assert list(OUTCOMES) == ["achievement", "attendance", "exclusion", "dropout", "security", "belonging"]
    assert [o.code for o in OUTCOMES.values() if o.attainment] == ["achievement"]
    assert {o.code for o in OUTCOMES.values() if o.binary} == {"exclusion", "dropout"}


def test_refusals(pure):
    one_country = pure.country_id.iloc[0]
    few = pure[pure.school_id.isin(pure.school_id.unique()[:9])]
    with pytest.raises(ModelSpecError, match="9 schools"):
        icc.estimate(few, outcome="achievement", n_boot=0)
    with pytest.raises(ValueError, match="unknown outcome 'grades'"):
        icc.estimate(pure, outcome="grades")
    with pytest.raises(ValueError, match="levels"):
        icc.estimate(pure, outcome="achievement", levels=("class",))
    with pytest.raises(ValueError, match="no column 'iq'"):
        icc.estimate(pure, outcome="achievement", covariates=["iq"])
    assert icc.estimate(pure, outcome="achievement", countries=[one_country], n_boot=0)["n_schools"] == 30
