"""MAIHDA: hand-computed quantities on a small example, suppression of small strata, recovery of a simulated
intersectional effect."""

import numpy as np
import pandas as pd
import pytest

from safeschool.cohort import CohortConfig, simulate
from safeschool.ingest.cohort_files import analysis_frame
from safeschool.stats.formula import ModelSpecError
from safeschool.stats.maihda import Maihda, auc


@pytest.fixture(scope="module")
def small():
    """Four strata of 40, 30, 25 and 8 students with different means."""
    rng = np.random.default_rng(4)
    rows = []
    for (a, b), n, mean in ((("a", "x"), 40, 10.0), (("a", "y"), 30, 12.0), (("b", "x"), 25, 9.0),
                            (("b", "y"), 8, 15.0)):
        rows += [{"A": a, "B": b, "y": mean + e} for e in rng.normal(0, 2, n)]
    return pd.DataFrame(rows)


def test_null_model_predictions_are_the_shrunken_means(small):
    """Hand computation: u_j = lambda_j (ybar_j - b0), lambda_j = s2_u / (s2_u + s2_e / n_j); VPC = s2_u/(s2_u+s2_e)."""
    m = Maihda("y", ["A", "B"]).fit(small)
    s2_u = m.summary_.loc[0, "between_variance"]
    s2_e = m.summary_.loc[0, "within_variance"]
    b0 = float(m.null_.params_.iloc[0])
    assert m.summary_.loc[0, "vpc"] == pytest.approx(s2_u / (s2_u + s2_e))
    for row in m.strata_.itertuples():
        lam = s2_u / (s2_u + s2_e / row.n)
        assert row.predicted == pytest.approx(b0 + lam * (row.observed - b0), rel=1e-6)
        assert row.observed == pytest.approx(small[(small.A == row.A) & (small.B == row.B)].y.mean())
    # the b0 of a random-intercept-only model is the precision-weighted mean of the stratum means
    w = 1 / (s2_u + s2_e / m.strata_.n)
    assert b0 == pytest.approx(float((w * m.strata_.observed).sum() / w.sum()), rel=1e-6)


def test_pcv_is_the_share_of_between_stratum_variance_explained(small):
    m = Maihda("y", ["A", "B"]).fit(small)
    null, main = m.summary_.between_variance
    assert m.summary_.loc[1, "pcv"] == pytest.approx((null - main) / null)


def test_small_strata_are_estimated_but_never_displayed(small):
    m = Maihda("y", ["A", "B"]).fit(small)
    assert m.n_strata_ == 4 and m.n_small_strata_ == 1
    assert len(m.strata_) == 4  # estimated
    shown = m.display_strata()
    # the stratum of 8 is hidden, and the next smallest (25) with it: n_obs - shown strata = 33, not 8
    assert len(shown) == 2 and (shown.n >= 10).all() and set(shown.n) == {40, 30}
    out = m.to_dict()
    assert out["n_strata_suppressed"] == 1 and out["n_strata_protecting"] == 1 and len(out["strata"]) == 2
    assert all(s["stratum"] != "A=b · B=y" and s["n"] != 8 for s in out["strata"])


def test_hidden_strata_cannot_be_sized_by_subtraction(small):
    out = Maihda("y", ["A", "B"]).fit(small).to_dict()
    hidden = out["n_obs"] - sum(s["n"] for s in out["strata"])
    assert hidden == out["n_in_small_strata"] == 33 and out["small_strata"] == "33 students in hidden strata"
    assert not 0 < hidden < 10


def test_too_few_students_in_hidden_strata_are_folded(small):
    m = Maihda("y", ["A", "B"]).fit(small)
    m.n_in_small_strata_ = 7  # as when every stratum is hidden and they hold 7 students together
    out = m.to_dict()
    assert out["n_obs"] is None and out["n_dropped_incomplete"] is None and out["n_in_small_strata"] is None
    assert out["small_strata"] == "fewer than 10 students in small strata" and "7" not in out["small_strata"]


def test_auc_by_hand():
    # pairs (positive, negative): (0.35>0.1) (0.35<0.4) (0.8>0.1) (0.8>0.4) -> 3 of 4
    assert auc(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8])) == pytest.approx(0.75)
    assert auc(np.array([0, 1]), np.array([0.5, 0.5])) == pytest.approx(0.5)


def test_maihda_finds_the_simulated_migrant_low_ses_interaction():
    frame = analysis_frame(simulate(CohortConfig()).tables)
    m = Maihda("achievement", ["gender", "migrant", "ses"]).fit(frame)
    strata = m.display_strata().set_index("stratum")
    target = [s for s in strata.index if "· Migrant background · Low SES" in s and s.split(" · ")[0] != "Another gender"]
    assert len(target) == 2
    # simulated: -20 points for migrant AND low SES beyond the main effects
    assert strata.loc[target, "interaction"].mean() < -8
    assert (strata.loc[target, "interaction_high"] < 0).any()
    vpc_null, vpc_main = m.summary_.vpc
    assert vpc_null > vpc_main and 0 < m.summary_.loc[1, "pcv"] <= 1


def test_binary_outcome_reports_probabilities_and_auc():
    frame = analysis_frame(simulate(CohortConfig()).tables)
    m = Maihda("dropout", ["gender", "roma", "ses"]).fit(frame)
    assert m.family_ == "binomial"
    shown = m.display_strata()
    assert shown.predicted.between(0, 1).all() and (shown.predicted_low <= shown.predicted).all()
    assert 0.5 < m.summary_.loc[0, "auc"] < 1


def test_continuous_attribute_must_be_banded(small):
    with pytest.raises(ModelSpecError, match="band it first"):
        Maihda("y", ["A", "y"]).fit(small.assign(y2=small.y))
