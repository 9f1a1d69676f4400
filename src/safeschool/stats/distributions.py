"""The few tail probabilities and quantiles the model printers need (t, normal, chi-squared), from
``scipy.special``'s functions, the same ones ``scipy.stats`` calls underneath.

``scipy.stats`` takes a quarter to half a second to import (it loads every distribution); ``scipy.special`` a
fraction of that, which matters to `safeschool fit` from the shell. Each function gives what the ``scipy.stats``
method it names gives, value for value (invalid parameters as nan, infinite arguments at the support's ends):
tests/stats/test_distributions.py checks them against ``scipy.stats``.
"""

from __future__ import annotations

import numpy as np
from scipy import special


def t_sf(x, df):
    """``scipy.stats.t.sf(x, df)``: P(T > x) for Student's t with df degrees of freedom (df = inf: normal)."""
    x, df = _floats(x, df)
    inner = special.stdtr(df, -x)
    return _tail(np.where(np.isposinf(x), 0.0, np.where(np.isneginf(x), 1.0, inner)), (df > 0) & ~np.isnan(x))


def t_ppf(q, df):
    """``scipy.stats.t.ppf(q, df)``: the q quantile of Student's t with df degrees of freedom."""
    q, df = _floats(q, df)
    inner = special.stdtrit(df, np.where((q > 0) & (q < 1), q, 0.5))
    return _tail(np.where(q == 0, -np.inf, np.where(q == 1, np.inf, inner)), (df > 0) & (q >= 0) & (q <= 1))


def norm_sf(x):
    """``scipy.stats.norm.sf(x)``: P(Z > x) for the standard normal."""
    (x,) = _floats(x)
    return _tail(special.ndtr(-x), ~np.isnan(x))


def norm_ppf(q):
    """``scipy.stats.norm.ppf(q)``: the q quantile of the standard normal."""
    (q,) = _floats(q)
    return _tail(special.ndtri(q), (q >= 0) & (q <= 1))


def chi2_sf(x, df):
    """``scipy.stats.chi2.sf(x, df)``: P(X > x) for chi-squared with df degrees of freedom."""
    x, df = _floats(x, df)
    inner = special.chdtrc(df, np.where(x > 0, x, 0.0))
    return _tail(np.where(x <= 0, 1.0, np.where(np.isposinf(x), 0.0, inner)), (df > 0) & ~np.isnan(x))


def _floats(*values) -> list[np.ndarray]:
    return np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in values))


def _tail(values: np.ndarray, valid: np.ndarray):
    """nan where a parameter is invalid, as scipy.stats returns; a scalar for scalar arguments."""
    return np.where(valid, values, np.nan)[()]
