"""Scoring and reliability against hand-computed values (exact fractions written out) and known structure."""

import math

import numpy as np
import pandas as pd
import pytest

from safeschool.instruments.registry import registry
from safeschool.stats import psychometrics as pm

# three items, five respondents; worked by hand below
ITEMS = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 4, 4, 5], "c": [2, 3, 3, 5, 4]})


def test_alpha_by_hand():
    # item variances 2.5, 1.8, 1.3 (sum 5.6); totals 5, 7, 10, 13, 14 have variance 14.7
    # alpha = 3/2 * (1 - 5.6/14.7) = 13/14
    alpha, (low, high) = pm.cronbach_alpha(ITEMS)
    assert alpha == pytest.approx(13 / 14, abs=1e-12)
    # Feldt interval: 1 - (1 - alpha) F(0.975 / 0.025; 4, 8); F(0.975; 4, 8) = 5.0526, F(0.025; 4, 8) = 0.1122
    assert low == pytest.approx(1 - (1 / 14) * 5.0526, abs=1e-3)
    assert high == pytest.approx(1 - (1 / 14) * 0.1122, abs=1e-3)


def test_item_rest_and_alpha_if_deleted_by_hand():
    table = pm.item_statistics(ITEMS).set_index("item")
    # without a: b + c = 4, 5, 7, 9, 9 (variance 5.2), alpha = 2 (1 - 3.1/5.2) = 21/26
    assert table.loc["a", "alpha_if_deleted"] == pytest.approx(21 / 26, abs=1e-12)
    # cov(a, b + c) = 14/4 = 3.5; r = 3.5 / sqrt(2.5 * 5.2)
    assert table.loc["a", "item_rest_r"] == pytest.approx(3.5 / math.sqrt(13), abs=1e-12)
    assert table.loc["b", "n"] == 5 and table.loc["c", "sd"] == pytest.approx(math.sqrt(1.3))


def test_one_factor_recovers_loadings_and_omega():
    lam = np.array([0.8, 0.7, 0.6, 0.5])
    corr = np.outer(lam, lam)
    np.fill_diagonal(corr, 1.0)
    assert pm.one_factor(corr) == pytest.approx(lam, abs=1e-7)
    # omega = 2.6^2 / (2.6^2 + (0.36 + 0.51 + 0.64 + 0.75)) = 6.76 / 9.02
    rng = np.random.default_rng(3)
    f = rng.normal(size=200_000)
    X = f[:, None] * lam + rng.normal(size=(200_000, 4)) * np.sqrt(1 - lam**2)
    assert pm.omega_total(pd.DataFrame(X)) == pytest.approx(6.76 / 9.02, abs=0.005)


def test_scores_prorate_and_reverse():
    data = pd.DataFrame({"x_1": [1, 1, np.nan], "x_2": [2, np.nan, np.nan], "x_3": [3, 3, 3], "x_4": [4, 4, 4]})
    s = pm.score(data, ["x_1", "x_2", "x_3", "x_4"], min_answered=0.75)
    assert s[0] == 2.5 and s[1] == pytest.approx(8 / 3) and np.isnan(s[2])  # 2 of 4 answered: too few
    summed = pm.score(data, ["x_1", "x_2", "x_3", "x_4"], method="sum", min_answered=0.75)
    assert summed[1] == pytest.approx(8 / 3 * 4)  # prorated to four items
    pssm = registry()["pssm"]
    answers = pd.DataFrame([{item: 5 for item in pssm.items}])
    # 13 positively keyed items at 5, 5 reverse-keyed items at 5 -> 1: mean (13*5 + 5*1) / 18
    assert pm.score_instrument(answers, pssm)["belonging"][0] == pytest.approx(70 / 18)


def test_groups_flag_an_item_that_behaves_differently():
    rng = np.random.default_rng(1)
    n = 600
    f = rng.normal(size=n)
    data = pd.DataFrame({f"i{j}": np.clip(np.round(3 + f + rng.normal(0, 0.7, n)), 1, 5) for j in range(5)})
    data["country"] = np.repeat(["AA", "BB"], n // 2)
    data.loc[data.country == "BB", "i4"] = rng.integers(1, 6, n // 2)  # noise in one country only
    report = pm.reliability(data, [f"i{j}" for j in range(5)], minimum=1, maximum=5, by="country")
    assert report["groups"]["BB"]["flagged"] == ["i4"]
    assert report["groups"]["AA"]["flagged"] == []
    assert report["n"] == n and 0.7 < report["alpha"] < 0.95
    by = pm.reliability_by(data, [f"i{j}" for j in range(5)], "country")
    assert set(by.country) == {"AA", "BB"} and by.loc[(by.country == "BB") & (by.item == "i4"), "flag"].item()


@pytest.mark.parametrize(("frame", "kwargs", "message"), [
    (ITEMS.assign(a=[1, 2, 3, 4, 9]), {"minimum": 1, "maximum": 5}, "item 'a', row 4: 9 is outside"),
    (ITEMS.assign(b=["2", "x", "4", "4", "5"]), {}, "item 'b', row 1: 'x' is not a number"),
    (ITEMS, {"reverse": ["b"]}, "need the response range"),
    (ITEMS.head(2), {}, "only 2 respondents"),
])
def test_bad_input_named(frame, kwargs, message):
    with pytest.raises(pm.ReliabilityError, match=message):
        pm.reliability(frame, ["a", "b", "c"], **kwargs)
