"""Both multilevel engines expose one protocol after fit, agree through it, and leave their options alone."""

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest

from safeschool.stats import formula, mixed, printing, protocol
from safeschool.stats.aggregates import AggregateModel
from safeschool.stats.cluster_stats import stats_from_frame
from safeschool.stats.mixed import MixedModel
from safeschool.stats.printing import render_text
from safeschool.stats.protocol import ConvergenceWarning, FittedMultilevelModel, nakagawa_r2

FORMULA = "y ~ x + sex + (1|country/school/klass)"


@pytest.fixture(scope="module")
def nested() -> pd.DataFrame:
    """4 countries x 6 schools x 4 classes x 20 students, with a variance at every level."""
    rng = np.random.default_rng(11)
    country = np.repeat(np.arange(4), 6 * 4 * 20)
    school = np.repeat(np.arange(4 * 6), 4 * 20)
    klass = np.repeat(np.arange(4 * 6 * 4), 20)
    n = klass.size
    x = rng.normal(size=n)
    sex = rng.choice(["F", "M"], n)
    y = (1 + 0.4 * x + 0.3 * (sex == "M") + rng.normal(0, 0.5, 4)[country] + rng.normal(0, 0.4, 24)[school]
         + rng.normal(0, 0.3, 96)[klass] + rng.normal(0, 1, n))
    # class ids restart in every school, as schools number them: the formula's nesting keeps them apart
    return pd.DataFrame({"y": y, "x": x, "sex": sex, "country": country.astype(str),
                         "school": school.astype(str), "klass": (klass % 4).astype(str)})


def _options(model) -> dict:
    """The constructor's options, as scikit-learn's get_params reads them."""
    return {f.name: getattr(model, f.name) for f in dataclasses.fields(model) if f.init}


def test_constructors_store_their_options_only():
    assert vars(MixedModel(FORMULA)) == {"formula": FORMULA, "family": "gaussian", "reml": True, "nagq": 1}
    assert vars(AggregateModel(FORMULA)) == {"formula": FORMULA, "reml": True}
    assert not isinstance(MixedModel(FORMULA), FittedMultilevelModel)
    assert not isinstance(AggregateModel(FORMULA), FittedMultilevelModel)


@pytest.mark.parametrize("reml", [True, False])
def test_both_engines_satisfy_the_protocol_and_agree_through_it(nested, reml):
    """Tolerances as the aggregate engine's own tests: fixed effects and Var(X beta) 1e-6 relative, variance
    components 1e-4 relative, log-likelihood 1e-6 absolute, R² 1e-6 absolute."""
    rows = MixedModel(FORMULA, reml=reml)
    sums = AggregateModel(FORMULA, reml=reml)
    options = _options(rows), _options(sums)
    rows.fit(nested)
    sums.fit(stats_from_frame(FORMULA, nested))
    assert (_options(rows), _options(sums)) == options
    for model in (rows, sums):
        assert isinstance(model, FittedMultilevelModel)
    assert (rows.engine_, sums.engine_) == ("mixedlm", "aggregates")
    for name in ("family_", "method_", "n_obs_", "groups_", "df_model_", "converged_", "singular_", "fallback_"):
        assert getattr(rows, name) == getattr(sums, name), name
    assert rows.method_ == ("REML" if reml else "ML") and rows.family_ == "gaussian"
    assert list(rows.params_.index) == list(sums.params_.index) == ["(Intercept)", "x", "sexM"]
    np.testing.assert_allclose(sums.params_, rows.params_, rtol=1e-6)
    np.testing.assert_allclose(sums.vcov_, rows.vcov_, rtol=1e-4)
    assert list(sums.variance_components_.group) == list(rows.variance_components_.group)
    np.testing.assert_allclose(sums.variance_components_.variance, rows.variance_components_.variance, rtol=1e-4)
    np.testing.assert_allclose(sums.vpc_.vpc, rows.vpc_.vpc, rtol=1e-4)
    assert sums.loglik_ == pytest.approx(rows.loglik_, abs=1e-6)
    assert sums.fixed_variance_ == pytest.approx(rows.fixed_variance_, rel=1e-6)
    for key, value in nakagawa_r2(rows).items():
        assert nakagawa_r2(sums)[key] == pytest.approx(value, abs=1e-6)
    assert set(sums.ranef_.group) == set(rows.ranef_.group)
    assert sums.to_dict().keys() == rows.to_dict().keys()
    assert render_text(sums).splitlines()[:2] == render_text(rows).splitlines()[:2]


def test_fit_leaves_nagq_alone_and_reports_the_fallback_in_fitted_attributes(nested, monkeypatch):
    """When the Laplace fit is rejected, the model is refitted with nAGQ = 0: the option stays 1 and the fit
    says what it did in nagq_, method_ and fallback_; a second fit starts from the option again."""
    data = nested.assign(left=(nested.y > nested.y.quantile(0.7)).astype(int))
    model = MixedModel("left ~ x + (1|school)", family="binomial")
    monkeypatch.setattr(mixed, "_valid_glmm", lambda _result, _floor: False)
    with pytest.warns(ConvergenceWarning, match="nAGQ=0"):
        model.fit(data)
    assert model.nagq == 1 and model.nagq_ == 0
    assert model.method_ == "Laplace (nAGQ=0)" and model.fallback_ and isinstance(model, FittedMultilevelModel)
    monkeypatch.undo()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model.fit(data)
    assert _options(model) == {"formula": "left ~ x + (1|school)", "family": "binomial", "reml": True, "nagq": 1}
    assert model.nagq_ == 1 and model.method_ == "Laplace" and model.fallback_ is None


def test_the_names_the_cli_and_the_web_import_from_mixed_stay_there():
    assert mixed.ModelSpecError is formula.ModelSpecError
    assert mixed.LOGISTIC_RESIDUAL == protocol.LOGISTIC_RESIDUAL
    for name in ("render_text", "format_p", "json_records"):
        assert getattr(mixed, name) is getattr(printing, name)
    assert set(mixed.__all__) >= {"MixedModel", "ModelSpecError", "render_text", "format_p", "json_records",
                                  "LOGISTIC_RESIDUAL"}
