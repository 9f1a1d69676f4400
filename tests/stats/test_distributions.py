"""stats.distributions gives what scipy.stats gives (to 1e-12, and in fact value for value), including the edges:
infinite degrees of freedom, infinite arguments, nan and invalid parameters."""

import numpy as np
import pytest
from scipy import stats as st

from safeschool.stats import distributions as d

X = np.array([-np.inf, -40.0, -3.2, -1.96, -1e-9, 0.0, 1e-300, 0.5, 1.96, 2.6, 8.0, 40.0, np.inf, np.nan])
DF = np.array([0.3, 1.0, 2.2, 11.0, 746.2, 1e6, np.inf, np.nan, 0.0, -2.0])
Q = np.array([0.0, 1e-300, 1e-12, 0.025, 0.5, 0.975, 1 - 1e-12, 1.0, -0.1, 1.1, np.nan])


def _same(ours, theirs):
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0)
    np.testing.assert_array_equal(ours, theirs)  # the same special functions underneath: identical values


@pytest.mark.parametrize(("ours", "theirs", "grid"), [
    (d.t_sf, st.t.sf, (X[:, None], DF[None, :])),
    (d.t_ppf, st.t.ppf, (Q[:, None], DF[None, :])),
    (d.chi2_sf, st.chi2.sf, (np.abs(X)[:, None], DF[None, :])),
    (d.chi2_sf, st.chi2.sf, (X[:, None], DF[None, :])),
    (d.norm_sf, st.norm.sf, (X,)),
    (d.norm_ppf, st.norm.ppf, (Q,)),
], ids=["t.sf", "t.ppf", "chi2.sf", "chi2.sf negative", "norm.sf", "norm.ppf"])
def test_equal_to_scipy_stats(ours, theirs, grid):
    with np.errstate(all="ignore"):
        _same(ours(*grid), theirs(*grid))


def test_scalars_in_scalars_out():
    assert isinstance(d.t_ppf(0.975, 12.0), float) and d.t_ppf(0.975, 12.0) == st.t.ppf(0.975, 12.0)
    assert d.t_sf(2.0, np.inf) == pytest.approx(st.norm.sf(2.0), rel=1e-12)  # infinite df: the normal
    assert d.chi2_sf(3.84, 1) == pytest.approx(0.05, abs=1e-4)
    assert np.isnan(d.t_sf(1.0, np.nan)) and np.isnan(d.t_ppf(0.5, 0.0))
