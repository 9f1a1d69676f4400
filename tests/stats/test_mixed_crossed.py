"""Crossed (cross-classified) random effects and the correlations between one grouping's random effects, against
lme4's published fits, statsmodels, and the command line (issue 17, item 7)."""

import json
import re
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from typer.testing import CliRunner

from safeschool.cli import app
from safeschool.stats.aggregates import AggregateModel
from safeschool.stats.formula import CrossedGroupingWarning, ModelSpecError
from safeschool.stats.mixed import MixedModel
from safeschool.stats.printing import render_text

CROSSED = "y ~ x + (1|primary) + (1|secondary)"
CROSSED_REFUSAL = ("the aggregates engine cannot fit crossed groupings (primary and secondary side by side): its exact "
                   "sums need one chain of nested groupings such as (1|country/school/class); fit crossed groupings "
                   "from row-level data with --engine mixedlm (or, if one lies within the other, nest them with '/')")


def _lme4_data(name: str) -> pd.DataFrame:
    """lme4's datasets as the mixedlm package ships them (its loader warns about a pandas option)."""
    from mixedlm import datasets

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        return getattr(datasets, f"load_{name}")()


def _fit(formula: str, data: pd.DataFrame, **options) -> tuple[MixedModel, list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = MixedModel(formula, **options).fit(data)
    return model, [w for w in caught if issubclass(w.category, CrossedGroupingWarning)]


@pytest.fixture(scope="module")
def penicillin():
    return _fit("diameter ~ 1 + (1|plate) + (1|sample)", _lme4_data("penicillin"))


@pytest.fixture(scope="module")
def sleepstudy():
    return _fit("Reaction ~ Days + (Days|Subject)", _lme4_data("sleepstudy"))[0]


@pytest.fixture(scope="module")
def pupils():
    """Pupils of 40 primary schools, each sending its pupils to 3 of 12 secondary schools (a sparse crossing), with
    known variances: primary 0.5 (and its slope of x 0.09), secondary 1.0, residual 1.0."""
    rng = np.random.default_rng(17)
    feeds = {p: rng.choice(12, size=3, replace=False) for p in range(40)}
    primary = rng.integers(0, 40, 900)
    secondary = np.array([rng.choice(feeds[p]) for p in primary])
    u_p, u_s = rng.normal(0, 0.5**0.5, 40), rng.normal(0, 1.0, 12)
    x = rng.normal(size=900)
    slope = rng.normal(0, 0.3, 40)
    y = 2 + (0.5 + slope[primary]) * x + u_p[primary] + u_s[secondary] + rng.normal(size=900)
    return pd.DataFrame({"y": y, "x": x, "primary": [f"P{p:02d}" for p in primary],
                         "secondary": [f"S{s:02d}" for s in secondary]})


def test_penicillin_matches_lme4(penicillin):
    """lme4 (Bates et al. 2015; ?Penicillin): lmer(diameter ~ 1 + (1|plate) + (1|sample)), REML, prints plate
    0.7169 (sd 0.8467), sample 3.7311 (sd 1.9316), residual 0.3024 (sd 0.5499), intercept 22.9722 (se 0.8086).
    Tolerance: 2e-4 relative on variances and sds (lme4 prints 4-5 digits and stops ~5e-5 relative short of the
    optimum: MixedModels.jl's test suite has sample sd 1.9315556, var 3.73091), 1e-5 relative on the fixed part;
    and 1e-5 relative against MixedModels.jl's more precise figures (test/plstwoscalar.jl)."""
    model, crossed_warnings = penicillin
    assert crossed_warnings == []  # every plate x sample pair observed once: a designed crossing, no warning
    vc = model.variance_components_.set_index("group")
    assert vc.loc["plate", "variance"] == pytest.approx(0.7169, rel=2e-4)
    assert vc.loc["sample", "variance"] == pytest.approx(3.7311, rel=2e-4)
    assert vc.loc["Residual", "variance"] == pytest.approx(0.3024, rel=2e-4)
    assert list(vc.sd) == pytest.approx([0.8467, 1.9316, 0.5499], rel=2e-4)
    assert list(vc.sd) == pytest.approx([0.8467056820846379, 1.9315555733321477, 0.5499230109588108], rel=1e-5)
    assert model.params_["(Intercept)"] == pytest.approx(22.9722, rel=1e-5)
    assert model.summary.se.iloc[0] == pytest.approx(0.8085723219702367, rel=1e-5)
    assert model.groups_ == {"plate": 24, "sample": 6}
    assert model.correlations_.empty  # random intercepts only: nothing to correlate


def test_crossed_vpc_ranef_and_linear_predictor(penicillin):
    """vpc over every grouping and the residual; conditional modes for both crossed groupings; the linear predictor
    adds each row's plate and sample modes (checked by their labels, tolerance 1e-9)."""
    model, _ = penicillin
    vpc = model.vpc_.set_index("level")
    assert list(vpc.index) == ["plate", "sample", "Residual"]
    assert vpc.vpc.sum() == pytest.approx(1.0)
    assert vpc.vpc["sample"] == pytest.approx(3.7311 / (0.7169 + 3.7311 + 0.3024), rel=1e-3)
    modes = model.ranef_.set_index(["group", "level"]).estimate
    assert model.ranef_.groupby("group").size().to_dict() == {"plate": 24, "sample": 6}
    assert (model.ranef_.se > 0).all()
    by_hand = (model.params_["(Intercept)"] + model.frame_.plate.map(modes["plate"])
               + model.frame_["sample"].map(modes["sample"])).to_numpy()
    np.testing.assert_allclose(model.linear_predictor(), by_hand, rtol=1e-9)
    assert not np.allclose(model.linear_predictor(), model.linear_predictor(with_random=False))


def test_sleepstudy_correlation_matches_lme4(sleepstudy):
    """lme4 (Bates et al. 2015, section 1; ?sleepstudy): lmer(Reaction ~ Days + (Days|Subject)), REML, prints
    Subject (Intercept) 612.10 (sd 24.741), Days 35.07 (sd 5.922), Corr 0.07 (0.066 with 3 digits), residual
    654.94 (sd 25.592); fixed 251.405 (se 6.825), Days 10.467 (se 1.546). Tolerance: 2e-4 relative (rounding to
    the digits lme4 prints is up to 1.6e-4 relative for se 1.546, and lme4's and mixedlm's optimisers stop ~2e-5
    relative apart: 612.10016 and 612.090), 5e-4 absolute on the correlation (half a unit in the last digit of
    0.066)."""
    model = sleepstudy
    vc = model.variance_components_
    assert list(zip(vc.group, vc.term, strict=True)) == [
        ("Subject", "(Intercept)"), ("Subject", "Days"), ("Residual", "")]
    assert list(vc.variance) == pytest.approx([612.10, 35.07, 654.94], rel=2e-4)
    assert list(vc.sd) == pytest.approx([24.741, 5.922, 25.592], rel=2e-4)
    assert list(model.params_) == pytest.approx([251.405, 10.467], rel=2e-4)
    assert list(model.summary.se) == pytest.approx([6.825, 1.546], rel=2e-4)
    corr = model.correlations_
    assert list(corr.columns) == ["group", "term1", "term2", "correlation"] and len(corr) == 1
    assert (corr.group.iloc[0], corr.term1.iloc[0], corr.term2.iloc[0]) == ("Subject", "(Intercept)", "Days")
    assert corr.correlation.iloc[0] == pytest.approx(0.066, abs=5e-4)


def test_correlations_in_the_json_and_the_text(sleepstudy):
    out = json.loads(json.dumps(sleepstudy.to_dict()))
    assert out["correlations"] == [{"group": "Subject", "terms": ["(Intercept)", "Days"],
                                    "correlation": pytest.approx(0.066, abs=5e-4)}]
    lines = render_text(sleepstudy).splitlines()
    header = next(line for line in lines if line.lstrip().startswith("Groups"))
    assert header.rstrip().endswith("Corr")
    days = next(line for line in lines if re.match(r"\s+Days\s", line))  # lme4 names the group once
    assert days.rstrip().endswith("0.07")
    assert next(line for line in lines if "(Intercept)" in line and "Subject" in line).rstrip().endswith("24.74")


def test_slopes_enter_the_linear_predictor(sleepstudy):
    """Each subject's intercept and Days slope (conditional modes) enter X beta + Z b; tolerance 1e-9."""
    m = sleepstudy
    modes = m.ranef_.pivot(index="level", columns="term", values="estimate")
    subject, days = m.frame_.Subject.astype(str), m.frame_.Days.to_numpy()
    by_hand = (m.params_["(Intercept)"] + m.params_["Days"] * days + subject.map(modes["(Intercept)"]).to_numpy()
               + subject.map(modes["Days"]).to_numpy() * days)
    np.testing.assert_allclose(m.linear_predictor(), by_hand, rtol=1e-9)


def test_crossed_fit_agrees_with_statsmodels(pupils):
    """statsmodels MixedLM fits crossed groupings as variance components within one group holding every row.
    Tolerance: 1e-3 relative on fixed effects, standard errors and variances, 1e-3 absolute on the REML
    log-likelihood."""
    model, crossed_warnings = _fit(CROSSED, pupils)
    assert crossed_warnings == []  # a sparse crossing: each secondary takes pupils from about a quarter of primaries
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sm.MixedLM.from_formula("y ~ x", pupils, groups=np.ones(len(pupils)), re_formula="0",
                                      vc_formula={"primary": "0 + C(primary)", "secondary": "0 + C(secondary)"},
                                      ).fit(reml=True)
    np.testing.assert_allclose(model.params_.to_numpy(), ref.fe_params.to_numpy(), rtol=1e-3)
    np.testing.assert_allclose(model.summary.se.to_numpy(), ref.bse_fe.to_numpy(), rtol=1e-3)
    vc = model.variance_components_.set_index("group").variance
    reference = dict(zip(ref.model.exog_vc.names, ref.vcomp, strict=True))
    assert vc["primary"] == pytest.approx(reference["primary"], rel=1e-3)
    assert vc["secondary"] == pytest.approx(reference["secondary"], rel=1e-3)
    assert vc["Residual"] == pytest.approx(ref.scale, rel=1e-3)
    assert model.loglik_ == pytest.approx(ref.llf, abs=1e-3)
    assert model.groups_ == {"primary": 40, "secondary": 12}


def _classes(outer: str, inner: str, n_outer: int, per_outer: int, rows: int) -> pd.DataFrame:
    """Groups numbered 1, 2, ... within each outer level (classes within schools)."""
    rng = np.random.default_rng(3)
    ids = [(f"{outer[0].upper()}{o:02d}", str(i + 1)) for o in range(n_outer) for i in range(per_outer)
           for _ in range(rows)]
    frame = pd.DataFrame(ids, columns=[outer, inner])
    frame["x"] = rng.normal(size=len(frame))
    cluster = frame.groupby([outer, inner]).ngroup().map(dict(enumerate(rng.normal(size=10_000))))
    frame["y"] = frame.x + cluster + frame.groupby(outer).ngroup().map(dict(enumerate(rng.normal(0, 0.7, 100))))
    return frame


def test_ids_numbered_within_warn_with_the_nested_formula():
    """Classes 1, 2, 3 in every school: fitted (a warning, not an error) and the warning says how to nest."""
    frame = _classes("school", "class_no", 20, 3, 12)
    model, crossed_warnings = _fit("y ~ x + (1|school) + (1|class_no)", frame)
    assert len(crossed_warnings) == 1
    message = str(crossed_warnings[0].message)
    assert "write (1|school/class_no)" in message and "'1' occurs in 20 of the 20 levels of school" in message
    assert "\n" not in message
    assert model.groups_ == {"school": 20, "class_no": 3}  # fitted as written


def test_schools_numbered_within_countries_name_the_numbered_grouping():
    """3 countries, schools 1..8 in each: the numbered grouping (school_no) is the inner one, although it has more
    labels than country."""
    frame = _classes("country", "school_no", 3, 8, 10)
    _, crossed_warnings = _fit("y ~ x + (1|country) + (1|school_no)", frame)
    assert len(crossed_warnings) == 1 and "write (1|country/school_no)" in str(crossed_warnings[0].message)


def test_nested_ids_side_by_side_fit_as_the_nested_model_without_warning():
    """Unique class ids written side by side with their school: nested, so crossed and nested fits coincide."""
    frame = _classes("school", "class_no", 12, 3, 10)
    frame["class_id"] = frame.school + "-" + frame.class_no
    side, crossed_warnings = _fit("y ~ x + (1|school) + (1|class_id)", frame)
    nested, _ = _fit("y ~ x + (1|school/class_no)", frame)
    assert crossed_warnings == []
    assert side.loglik_ == pytest.approx(nested.loglik_, abs=1e-6)
    assert side.variance_components_.variance.to_numpy() == pytest.approx(
        nested.variance_components_.variance.to_numpy(), rel=1e-5)


def test_a_few_ids_shared_across_schools_warn():
    frame = _classes("school", "class_no", 12, 3, 10)
    frame["class_id"] = frame.school + "-" + frame.class_no
    frame.loc[frame.index[:5], "class_id"] = "S05-1"  # five pupils of S00's class 1 carry S05's class id
    _, crossed_warnings = _fit("y ~ x + (1|school) + (1|class_id)", frame)
    assert len(crossed_warnings) == 1
    assert str(crossed_warnings[0].message).startswith(
        "groupings school and class_id are nested except for 1 of the 36 levels of class_id ('S05-1' occurs in 2")


def test_aggregates_engine_refuses_crossed_groupings(pupils):
    with pytest.raises(ModelSpecError) as info:
        AggregateModel(CROSSED)
    assert str(info.value) == CROSSED_REFUSAL


def test_cli_fits_crossed_groupings_and_writes_correlations(tmp_path, pupils):
    data = tmp_path / "pupils.csv"
    pupils.to_csv(data, index=False)
    runner = CliRunner()
    out = tmp_path / "fit.json"
    result = runner.invoke(app, ["fit", "--data", str(data), "--formula", "y ~ x + (1 + x|primary) + (1|secondary)",
                                 "--json", str(out)])
    assert result.exit_code == 0, result.output
    fitted = json.loads(out.read_text())
    assert fitted["groups"] == {"primary": 40, "secondary": 12}
    assert [c["group"] for c in fitted["correlations"]] == ["primary"]
    assert fitted["correlations"][0]["terms"] == ["(Intercept)", "x"]
    assert -1 <= fitted["correlations"][0]["correlation"] <= 1
    assert [v["level"] for v in fitted["vpc"]] == ["primary", "secondary", "Residual"]
    assert "not supported" not in result.output and "Corr" in result.output

    refused = runner.invoke(app, ["fit", "--engine", "aggregates", "--data", str(data), "--formula", CROSSED])
    assert refused.exit_code != 0
    assert " ".join(refused.output.split()) == f"Error: {CROSSED_REFUSAL}"
