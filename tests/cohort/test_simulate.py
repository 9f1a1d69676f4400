"""The simulator: LETS CARE design sizes, realistic rates, and recovery of the known effects."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from safeschool.cohort import CohortConfig, CohortSizeError, Sizes, simulate
from safeschool.cohort.params import parameter_table
from safeschool.vocabulary import STAGES


@pytest.fixture(scope="module")
def default_cohort():
    return simulate(CohortConfig())


def test_default_sizes_follow_the_lets_care_design(default_cohort):
    t = default_cohort.tables
    assert len(t["countries"]) == 6
    assert len(t["schools"]) == 120
    assert len(t["classes"]) == 720
    assert len(t["teachers"]) == 2400
    assert len(t["students"]) == 18000
    assert sorted(t["outcomes"].wave.unique()) == [1, 2]
    per_country = t["schools"].groupby("country_id")
    assert per_country.size().min() >= 20
    for _country, schools in per_country:
        assert set(schools.stage) == set(STAGES), "every stage is present in every country"
    assert t["classes"].homeroom_teacher_id.notna().all()


def test_dropout_rate_is_realistic_and_highest_in_second_chance_schools(default_cohort):
    realised = default_cohort.truth["realised"]
    assert 0.05 <= realised["dropout_rate"] <= 0.15
    by_stage = realised["dropout_rate_by_stage"]
    assert max(by_stage, key=by_stage.get) == "second_chance"
    assert by_stage["primary"] < by_stage["lower_secondary"] < by_stage["upper_secondary"]


def test_missingness_item_nonresponse_and_attrition(default_cohort):
    t = default_cohort.tables
    w1 = t["scales"][t["scales"].wave == 1]
    share_missing = w1.security.isna().mean()
    assert 0.015 < share_missing < 0.05  # item non-response 3 %
    outcomes = t["outcomes"]
    enrolled_w2 = outcomes[(outcomes.wave == 2) & ~outcomes.dropped_out]
    attrition = enrolled_w2.achievement.isna().mean()
    assert 0.04 < attrition < 0.10  # 7 % survey attrition among students still enrolled
    dropped = outcomes[(outcomes.wave == 2) & outcomes.dropped_out]
    assert dropped.attendance_rate.isna().all() and dropped.achievement.isna().all()


def test_same_seed_same_cohort_and_other_seed_differs():
    small = Sizes(countries=2, schools=4, classes=8, teachers=8, students=80, waves=2)
    a = simulate(CohortConfig(sizes=small, seed=1))
    b = simulate(CohortConfig(sizes=small, seed=1))
    c = simulate(CohortConfig(sizes=small, seed=2))
    pd.testing.assert_frame_equal(a["outcomes"], b["outcomes"])
    assert not a["outcomes"].achievement.equals(c["outcomes"].achievement)


def test_progress_is_reported_once_per_step_in_order():
    """The CLI's progress bar counts on these six steps, in this order."""
    steps = []
    simulate(CohortConfig(sizes=Sizes(countries=1, schools=1, classes=1, teachers=1, students=1)), progress=steps.append)
    assert steps == ["countries", "schools", "classes and teachers", "students", "waves", "truth"]


# Per table of a three-wave cohort from seed 7: rows, sum of the numeric and boolean cells, missing cells.
SEED_7_DIGEST = {
    "countries": (2, 60.778, 0),
    "recs": (4, 0.0, 0),
    "schools": (6, 25.212, 0),
    "classes": (18, 114.0, 0),
    "teachers": (30, 513.0, 0),
    "teacher_classes": (52, 0.0, 0),
    "students": (540, 1099233.495, 0),  # the entry cohort (a year) added 1092960; no draw moved
    "waves": (3, 6.0, 0),
    "scales": (1514, 30349.48, 569),
    "teacher_scales": (90, 787.83, 0),
    "outcomes": (1620, 686616.121, 474),
    "random_effects": (574, -1468.9749, 0),
    "student_items": (1514, 305584.0, 8109),
    "teacher_items": (90, 7344.0, 19),
    "true_risk": (540, 76.017608, 0),
}


def test_a_seed_keeps_its_cohort_across_code_changes():
    """A seed names a cohort (docs and shared results quote them), so restructuring the simulator must not move a
    single draw. The digest is of values, not of pandas' hash (which may change with pandas). When a deliberate
    change to the model (or a NumPy release that changes its generator's streams) moves it, update the numbers
    and say so in the commit."""
    cohort = simulate(CohortConfig(sizes=Sizes(countries=2, schools=6, classes=18, teachers=30, students=540, waves=3),
                                   seed=7))
    assert list(cohort.tables) == list(SEED_7_DIGEST)
    for name, (rows, total, missing) in SEED_7_DIGEST.items():
        numeric = cohort[name].select_dtypes(["number", "bool"])
        assert len(numeric) == rows, name
        assert float(numeric.sum().sum()) == pytest.approx(total, abs=1e-6), name
        assert int(numeric.isna().sum().sum()) == missing, name
    assert cohort.truth["realised"]["achievement_variance"] == {
        "country": 157.21, "school": 313.47, "class": 283.67, "student": 1917.05, "occasion": 1225.0}


@pytest.mark.parametrize(("sizes", "message"), [
    (dict(schools=0), "--schools must be at least 1"),
    (dict(countries=7, schools=6, classes=6, teachers=6, students=6), "more countries (7) than schools (6)"),
    (dict(classes=720, students=700), "fewer students (700) than classes (720)"),
    (dict(teachers=100), "fewer teachers (100) than classes (720)"),
    (dict(waves=1), "--waves must be at least 2"),
])
def test_impossible_sizes_are_refused_with_a_reason(sizes, message):
    with pytest.raises(CohortSizeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        simulate(CohortConfig(sizes=Sizes(**sizes)))


def test_truth_holds_every_documented_parameter(tmp_path, small_cohort):
    small_cohort.write(tmp_path)
    truth = json.loads((tmp_path / "truth.json").read_text())
    for row in parameter_table():
        if row["section"]:
            assert row["name"] in truth["config"][row["section"]], row
    assert truth["config"]["sizes"]["students"] == 540


def _wave1_frame(cohort) -> pd.DataFrame:
    t = cohort.tables
    df = (t["outcomes"][t["outcomes"].wave == 1]
          .merge(t["scales"][t["scales"].wave == 1], on=["student_id", "wave"])
          .merge(t["students"], on="student_id").merge(t["classes"], on="class_id")
          .merge(t["schools"], on="school_id").merge(t["countries"], on="country_id"))
    return df.dropna(subset=["achievement", "security", "closeness", "conflict", "belonging"])


def _design(df: pd.DataFrame) -> pd.DataFrame:
    low_ses = df.ses_index < -0.43
    male = df.gender == "M"
    return pd.DataFrame({
        "const": 1.0,
        "ses": df.ses_index, "security": df.security - 2.9, "sen": df.sen.astype(float),
        "migrant": df.migrant_background.astype(float), "roma": df.roma_minority.astype(float),
        "male": male.astype(float), "out_of_care": df.out_of_parental_care.astype(float),
        "closeness": df.closeness - 4, "conflict": df.conflict - 2, "belonging": df.belonging - 3.6,
        "school_ses": df.ses_composition, "climate": df.climate_index - 3.5,
        "rec_partner": (df.rec_id.fillna("") != "").astype(float),
        "inclusion": df.inclusion_index - 0.5, "early_tracking": (df.tracking_age <= 12).astype(float),
        "migrant_x_low_ses": (df.migrant_background & low_ses).astype(float),
        "roma_x_male": (df.roma_minority & male).astype(float),
    })


def test_ols_recovers_the_individual_relational_and_community_effects(default_cohort):
    """OLS with country fixed effects and school-clustered SEs is a simple, unbiased estimator here: school and
    class effects are independent of the predictors, and the fixed effects absorb the six realised country
    effects (with which country-varying shares such as migrant background are correlated by chance).
    Tolerance: each estimate within 4 cluster-robust SEs of the generating value (15 coefficients are checked,
    so 4 rather than 2 SEs keeps the family-wise false-alarm rate below 0.1 %)."""
    df = _wave1_frame(default_cohort)
    X = _design(df).drop(columns=["inclusion", "early_tracking"])
    X = X.join(pd.get_dummies(df.country_id, prefix="country", drop_first=True, dtype=float))
    fit = sm.OLS(df.achievement.to_numpy(), X).fit(cov_type="cluster", cov_kwds={"groups": df.school_id.to_numpy()})
    truth = default_cohort.truth["config"]["achievement"]
    checked = ["ses", "security", "sen", "migrant", "roma", "male", "out_of_care", "closeness", "conflict",
               "belonging", "school_ses", "climate", "rec_partner", "migrant_x_low_ses", "roma_x_male"]
    for name in checked:
        estimate, se = fit.params[name], fit.bse[name]
        assert abs(estimate - truth[name]) < 4 * se, f"{name}: {estimate:.2f} ± {se:.2f} vs true {truth[name]}"
    # the strongest student-level effects are also pinned tightly (10 % relative)
    for name in ("ses", "security"):
        assert fit.params[name] == pytest.approx(truth[name], rel=0.10)


def test_fixed_part_is_exact_once_the_realised_random_effects_are_removed(default_cohort):
    """Subtracting the realised random effects (random_effects.csv) leaves only the wave-level noise (SD 35), so
    every coefficient, country-level ones included, must be within 3 SEs of its generating value."""
    df = _wave1_frame(default_cohort)
    X = _design(df)
    re = default_cohort["random_effects"]
    re = re[re.outcome == "achievement"]
    effects = {level: dict(zip(g.unit, g.effect, strict=True)) for level, g in re.groupby("level")}
    y = df.achievement - sum(df[key].map(effects[level]) for level, key in
                             (("country", "country_id"), ("school", "school_id"), ("class", "class_id"),
                              ("student", "student_id")))
    fit = sm.OLS(y.to_numpy(), X).fit()
    truth = default_cohort.truth["config"]["achievement"]
    assert fit.params["const"] == pytest.approx(truth["intercept"], abs=3 * fit.bse["const"])
    for name in X.columns.drop("const"):
        assert abs(fit.params[name] - truth[name]) < 3 * fit.bse[name], name
    assert np.std(fit.resid) == pytest.approx(truth["sd_occasion"], rel=0.03)


def _nested_moments(df: pd.DataFrame, residual: np.ndarray) -> dict[str, float]:
    """Moment estimator of nested variance components from residuals (student in class in school in country)."""
    d = df.assign(r=residual)
    g_class = d.groupby("class_id")
    within = g_class.r.var(ddof=1)
    n_k = g_class.size()
    s2_e = float(np.average(within, weights=n_k - 1))
    cm = g_class.agg(m=("r", "mean"), n=("r", "size"), school_id=("school_id", "first"),
                     country_id=("country_id", "first"))
    between_class = cm.groupby("school_id").m.var(ddof=1)
    s2_k = float(between_class.mean() - s2_e * (1 / cm.n).mean())
    sm_ = cm.groupby("school_id").agg(m=("m", "mean"), k=("m", "size"), n=("n", "sum"),
                                      country_id=("country_id", "first"))
    between_school = sm_.groupby("country_id").m.var(ddof=1)
    s2_s = float(between_school.mean() - s2_k * (1 / sm_.k).mean() - s2_e * (1 / (sm_.k * (sm_.n / sm_.k))).mean())
    cmeans = sm_.groupby("country_id").agg(m=("m", "mean"), s=("m", "size"))
    s2_c = float(cmeans.m.var(ddof=1) - (s2_s + s2_k / sm_.k.mean() + s2_e / (sm_.n.mean())) / cmeans.s.mean())
    return {"student": s2_e, "class": s2_k, "school": s2_s, "country": s2_c}


def test_variance_components_are_recovered_at_class_school_and_country_level():
    """A 30-country cohort (so that country variance is estimable). Tolerances: class and school variance within
    25 % of the generating value, country within 35 % of the variance of the realised country effects, the
    student-level variance (stable + occasion) within 5 %."""
    cfg = CohortConfig(sizes=Sizes(countries=30, schools=600, classes=2400, teachers=2400, students=48000), seed=11)
    cohort = simulate(cfg)
    df = _wave1_frame(cohort)
    X = _design(df)
    fit = sm.OLS(df.achievement.to_numpy(), X).fit()
    est = _nested_moments(df, fit.resid.to_numpy())
    a = cfg.achievement
    realised = cohort.truth["realised"]["achievement_variance"]
    assert est["student"] == pytest.approx(a.sd_student**2 + a.sd_occasion**2, rel=0.05)
    assert est["class"] == pytest.approx(a.sd_class**2, rel=0.25)
    assert est["school"] == pytest.approx(a.sd_school**2, rel=0.25)
    assert est["country"] == pytest.approx(realised["country"], rel=0.35)
    total = sum(est.values())
    shares = {k: v / total for k, v in est.items()}
    assert shares["school"] > shares["class"] > 0.03  # the ordering the design implies
