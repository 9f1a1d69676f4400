"""The multilevel adapter against statsmodels MixedLM, known simulated truth, and its error messages."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from safeschool.cohort import CohortConfig, Sizes, simulate
from safeschool.stats.formula import ModelSpecError, parse_formula
from safeschool.stats.mixed import MixedModel
from safeschool.stats.printing import render_text
from safeschool.stats.protocol import SingularFitWarning, likelihood_ratio_test, nakagawa_r2


def _frame(cohort) -> pd.DataFrame:
    t = cohort.tables
    df = (t["outcomes"][t["outcomes"].wave == 1].merge(t["scales"], on=["student_id", "wave"])
          .merge(t["students"], on="student_id").merge(t["classes"], on="class_id")
          .merge(t["schools"], on="school_id").merge(t["countries"], on="country_id"))
    df = df.dropna(subset=["achievement", "security"]).reset_index(drop=True)
    df["sen_num"] = df.sen.astype(float)
    return df


@pytest.fixture(scope="module")
def mid():
    """3,000 students in 40 schools and 120 classes: big enough to be stable, small enough for statsmodels."""
    return _frame(simulate(CohortConfig(sizes=Sizes(countries=2, schools=40, classes=120, teachers=120,
                                                    students=3000), seed=5)))


@pytest.mark.parametrize("reml", [True, False])
def test_two_level_fit_agrees_with_statsmodels(mid, reml):
    """Tolerance (issue): fixed effects and variance components within 1e-3 relative."""
    ours = MixedModel("achievement ~ ses_index + security + sen_num + (1|school_id)", reml=reml).fit(mid)
    ref = smf.mixedlm("achievement ~ ses_index + security + sen_num", mid, groups=mid["school_id"]).fit(reml=reml)
    np.testing.assert_allclose(ours.params_.to_numpy(), ref.fe_params.to_numpy(), rtol=1e-3)
    np.testing.assert_allclose(ours.summary.se.to_numpy(), ref.bse_fe.to_numpy(), rtol=1e-3)
    vc = ours.variance_components_.set_index("group").variance
    assert vc["school_id"] == pytest.approx(float(ref.cov_re.iloc[0, 0]), rel=1e-3)
    assert vc["Residual"] == pytest.approx(ref.scale, rel=1e-3)
    assert ours.loglik_ == pytest.approx(ref.llf, abs=1e-3)
    assert ours.method_ == ("REML" if reml else "ML")


def test_three_level_nested_fit_agrees_with_statsmodels(mid):
    ours = MixedModel("achievement ~ ses_index + security + (1|school_id/class_id)", reml=False).fit(mid)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = smf.mixedlm("achievement ~ ses_index + security", mid, groups=mid["school_id"], re_formula="1",
                          vc_formula={"class": "0 + C(class_id)"}).fit(reml=False)
    np.testing.assert_allclose(ours.params_.to_numpy(), ref.fe_params.to_numpy(), rtol=1e-3)
    vc = ours.variance_components_.set_index("group").variance
    assert set(vc.index) == {"school_id", "class_id:school_id", "Residual"}  # lme4's names for a/b nesting
    assert vc["school_id"] == pytest.approx(float(ref.cov_re.iloc[0, 0]), rel=1e-3)
    assert vc["class_id:school_id"] == pytest.approx(float(ref.vcomp[0]), rel=1e-3)
    assert vc["Residual"] == pytest.approx(ref.scale, rel=1e-3)
    assert ours.loglik_ == pytest.approx(ref.llf, abs=1e-2)


def test_full_cohort_recovers_the_simulated_effects_and_variance_components():
    """The default cohort, with the generating model's predictors: every student-, class- and school-level
    coefficient within 3 SEs of its generating value; class and school variances within 25 % of the generating
    values; the country variance within 50 % of the realised country effects' variance (6 countries)."""
    cohort = simulate(CohortConfig())
    df = _frame(cohort).dropna(subset=["closeness", "conflict", "belonging"])
    df = df.assign(security_c=df.security - 2.9, closeness_c=df.closeness - 4, conflict_c=df.conflict - 2,
                   belonging_c=df.belonging - 3.6, climate_c=df.climate_index - 3.5,
                   rec=(df.rec_id.fillna("") != "").astype(float), inclusion_c=df.inclusion_index - 0.5,
                   early=(df.tracking_age <= 12).astype(float), male=(df.gender == "M").astype(float),
                   migrant=df.migrant_background.astype(float), roma=df.roma_minority.astype(float),
                   care=df.out_of_parental_care.astype(float))
    df["mig_low"] = df.migrant * (df.ses_index < -0.43)
    df["roma_male"] = df.roma * df.male
    model = MixedModel(
        "achievement ~ ses_index + security_c + sen_num + migrant + roma + male + care + closeness_c + conflict_c"
        " + belonging_c + ses_composition + climate_c + rec + inclusion_c + early + mig_low + roma_male"
        " + (1|country_id/school_id/class_id)").fit(df)
    truth = cohort.truth["config"]["achievement"]
    est = model.summary.set_index("term")
    for term, name in (("ses_index", "ses"), ("security_c", "security"), ("sen_num", "sen"), ("migrant", "migrant"),
                       ("roma", "roma"), ("male", "male"), ("care", "out_of_care"), ("closeness_c", "closeness"),
                       ("conflict_c", "conflict"), ("belonging_c", "belonging"), ("ses_composition", "school_ses"),
                       ("climate_c", "climate"), ("rec", "rec_partner"), ("mig_low", "migrant_x_low_ses"),
                       ("roma_male", "roma_x_male")):
        assert abs(est.loc[term, "estimate"] - truth[name]) < 3 * est.loc[term, "se"], term
    vc = model.variance_components_.set_index("group").variance
    assert vc["class_id:(school_id:country_id)"] == pytest.approx(truth["sd_class"] ** 2, rel=0.25)
    assert vc["school_id:country_id"] == pytest.approx(truth["sd_school"] ** 2, rel=0.25)
    realised = cohort.truth["realised"]["achievement_variance"]
    assert vc["country_id"] == pytest.approx(realised["country"], rel=0.5)
    assert vc["Residual"] == pytest.approx(truth["sd_student"] ** 2 + truth["sd_occasion"] ** 2, rel=0.1)
    vpc = model.vpc_.set_index("level").vpc
    assert vpc.sum() == pytest.approx(1.0)
    r2 = nakagawa_r2(model)
    assert 0 < r2["marginal"] < r2["conditional"] < 1


def test_logistic_model_recovers_dropout_effects():
    cohort = simulate(CohortConfig())
    t = cohort.tables
    last = t["outcomes"][t["outcomes"].wave == 2][["student_id", "dropped_out"]]
    df = _frame(cohort).merge(last.rename(columns={"dropped_out": "left"}), on="student_id")
    df = df[df.stage.isin(["lower_secondary", "upper_secondary", "second_chance"])].dropna(subset=["belonging"])
    df["belonging_c"] = df.belonging - 3.6
    model = MixedModel("left ~ belonging_c + ses_index + roma_minority + (1|school_id)", family="binomial").fit(df)
    assert model.method_ == "Laplace" and np.isinf(model.summary.df).all()
    est = model.summary.set_index("term")
    # belonging acts directly (-0.45) and through engagement (-0.45 x 0.45) and attendance: clearly negative
    assert est.loc["belonging_c", "ci_high"] < 0
    assert est.loc["roma_minorityTRUE", "estimate"] > 0
    vpc = model.vpc_.set_index("level")
    assert vpc.loc["Residual (latent, pi^2/3)", "variance"] == pytest.approx(np.pi**2 / 3)


def test_conditional_modes_have_intervals(mid):
    model = MixedModel("achievement ~ ses_index + (1|school_id)").fit(mid)
    modes = model.ranef_
    assert len(modes) == 40 and (modes.ci_low < modes.estimate).all() and (modes.estimate < modes.ci_high).all()
    assert modes.estimate.mean() == pytest.approx(0, abs=5)


def test_json_has_the_documented_fields(mid):
    out = MixedModel("achievement ~ ses_index + gender + (1|school_id)").fit(mid).to_dict()
    json.dumps(out)
    assert set(out) >= {"formula", "family", "method", "n_obs", "groups", "fixed_effects", "variance_components",
                        "loglik", "aic", "bic", "converged", "singular", "engine"}
    assert [fe["term"] for fe in out["fixed_effects"]] == ["(Intercept)", "ses_index", "genderM", "genderX"]
    assert out["variance_components"][-1]["group"] == "Residual"
    assert out["groups"] == {"school_id": 40}


def test_aic_and_lrt_match_hand_computation(mid):
    small = MixedModel("achievement ~ ses_index + (1|school_id)", reml=False).fit(mid)
    large = MixedModel("achievement ~ ses_index + security + (1|school_id)", reml=False).fit(mid)
    # 3 fixed + 1 random + residual = 5 parameters in the larger model
    assert large.aic_ == pytest.approx(-2 * large.loglik_ + 2 * 5)
    lrt = likelihood_ratio_test(small, large)
    assert lrt["df"] == 1 and lrt["chi2"] == pytest.approx(2 * (large.loglik_ - small.loglik_))
    assert lrt["p"] < 1e-10


def test_singular_fit_warns_with_advice_and_reports_zero():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"g": rng.integers(0, 20, 400).astype(str), "x": rng.normal(size=400)})
    df["y"] = 1 + df.x + rng.normal(size=400)  # no group effect at all
    with pytest.warns(SingularFitWarning, match="estimated at 0.*consider dropping"):
        model = MixedModel("y ~ x + (1|g)").fit(df)
    assert model.singular_ and model.variance_components_.variance.iloc[0] < 1e-6
    assert "boundary (singular) fit" in render_text(model)


@pytest.mark.parametrize(("formula", "message"), [
    ("achievement ~ ses_index", "has no random term"),
    ("achievement ses_index + (1|school_id)", "exactly one '~'"),
    ("achievement ~ nonsense + (1|school_id)", "unknown column 'nonsense'"),
    ("achievement ~ ses_index + (1|nowhere)", "unknown column 'nowhere'"),
    ("constant ~ ses_index + (1|school_id)", "outcome 'constant' is constant"),
    ("achievement ~ ses_index + (1|one_group)", "grouping 'one_group' has 1 level"),
])
def test_bad_models_give_one_line_errors(mid, formula, message):
    df = mid.assign(constant=1.0, one_group="a")
    with pytest.raises(ModelSpecError, match=message.replace("(", r"\(").replace(")", r"\)")) as info:
        MixedModel(formula).fit(df)
    assert "\n" not in str(info.value)


def test_binomial_outcome_must_be_binary(mid):
    with pytest.raises(ModelSpecError, match="must be 0/1"):
        MixedModel("achievement ~ ses_index + (1|school_id)", family="binomial").fit(mid)


def test_parse_expands_nesting_like_lme4():
    parsed = parse_formula("y ~ x + (1|a/b/c)")
    assert [t.name for t in parsed.random] == ["a", "b:a", "c:(b:a)"]
    assert parsed.fixed == "x"




def test_nakagawa_r2_matches_the_engines_reference_implementation(mid):
    """Reference: mixedlm.r2_nakagawa (a port of performance::r2_nakagawa); tolerance 1e-6 absolute."""
    import mixedlm

    model = MixedModel("achievement ~ ses_index + security + (1|school_id/class_id)").fit(mid)
    ours = nakagawa_r2(model)
    frame = mid[["achievement", "ses_index", "security", "school_id", "class_id"]].dropna()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = mixedlm.r2_nakagawa(mixedlm.lmer("achievement ~ ses_index + security + (1|school_id/class_id)", frame))
    assert ours["marginal"] == pytest.approx(ref.marginal, abs=1e-6)
    assert ours["conditional"] == pytest.approx(ref.conditional, abs=1e-6)
