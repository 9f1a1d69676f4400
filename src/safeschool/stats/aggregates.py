"""Exact linear multilevel models from per-cluster sufficient statistics.

For nested random intercepts (class in school in country, 2-4 levels), the likelihood of a linear mixed model
depends on the data only through, per lowest cluster k: n_k, X_k'1, 1'y_k, X_k'X_k, X_k'y_k and y_k'y_k. With
V = sigma^2 H and H = I + sum_l gamma_l Z_l Z_l', each level is absorbed into its parent by a Sherman-Morrison /
determinant-lemma step

    d = 1 + gamma A,   a = A/d,   b = B/d,   c = C/d,
    P = sum P_child - gamma B B'/d,   q = sum q_child - gamma B C/d,   r = sum r_child - gamma C^2/d,
    log|H| = sum log|H_child| + log d,

where A, B, C sum the children's 1'H^-1 1, X'H^-1 1 and y'H^-1 1 (for the lowest cluster the children are its
rows: A = n, B = X'1, C = 1'y). At the top, P = X'H^-1 X, q = X'H^-1 y, r = y'H^-1 y and log|H| give the profiled
ML and REML deviances exactly as lme4 defines them. Their derivatives with respect to every gamma follow in one
reverse (adjoint) pass through the same steps, giving an analytic gradient for a bounded optimiser (gamma >= 0; a
variance of exactly 0 is reported as singular, as lme4 does). Conditional modes and their variances follow from
the same statistics top-down.

This module holds the estimator, ``AggregateModel``; the statistics are ``safeschool.stats.cluster_stats``'s
``ClusterStats``, and the tree, the absorption and the deviance are in ``safeschool.stats.absorption``.

Matches ``lme4::lmer(y ~ x + (1|country/school/class), REML = TRUE/FALSE)`` on the same data.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from functools import cache, cached_property
from typing import TYPE_CHECKING

import numpy as np
from scipy import optimize
from threadpoolctl import ThreadpoolController

from safeschool.stats.absorption import NestingTree, absorb, profiled_deviance, sum_to
from safeschool.stats.cluster_stats import ClusterStats, nested_levels
from safeschool.stats.distributions import t_ppf, t_sf
from safeschool.stats.formula import ModelSpecError, ParsedFormula, lme4_nested_name, parse_formula
from safeschool.stats.printing import model_dict
from safeschool.stats.protocol import SingularFitWarning

if TYPE_CHECKING:
    import pandas as pd

FRAMES = ("summary", "params_", "vcov_", "variance_components_", "vpc_", "ranef_")


@dataclass
class AggregateModel:
    """A linear multilevel model with nested random intercepts, fitted exactly from cluster statistics.

    Matches ``lme4::lmer(y ~ x + (1|a/b/c), REML = reml)``. After ``fit`` the model is a
    ``FittedMultilevelModel`` (``safeschool.stats.protocol``), as a fitted ``MixedModel`` is: ``summary``,
    ``params_``, ``vcov_``, ``variance_components_``, ``vpc_``, ``ranef_`` (computed when first read),
    ``fixed_variance_``, ``loglik_``, ``df_model_``, ``aic_``, ``bic_``, ``converged_``, ``singular_``,
    ``n_obs_``, ``groups_``, ``family_ = "gaussian"``, ``method_``, ``engine_ = "aggregates"``,
    ``fallback_ = None``; Satterthwaite degrees of freedom as in ``lmerTest``.

    The fit keeps its tables as plain columns (``tables_``, which the printers read) and builds the pandas
    frames when first asked for: `safeschool fit --engine aggregates` never imports pandas.
    """

    formula: str
    reml: bool = True

    def __post_init__(self):
        nested_levels(self.formula)  # a formula error (or crossed groupings) shows when the model is written

    @property
    def parsed(self) -> ParsedFormula:
        return parse_formula(self.formula)

    def fit(self, stats: ClusterStats) -> AggregateModel:
        # every product here is small (thousands of rows by a few columns): OpenBLAS's threads cost more to wake
        # than they save, and made an evaluation 1.4 or 4.7 ms at random on two cores (docs/performance.md)
        with _blas().limit(limits=1, user_api="blas"):
            return self._fit(stats)

    def _fit(self, stats: ClusterStats) -> AggregateModel:
        levels = stats.levels
        tree = NestingTree(stats)
        tree.compress(stats)
        for depth, size in enumerate(tree.sizes):
            if size < 2:
                raise ModelSpecError(f"grouping '{levels[len(levels) - 1 - depth]}' has {size} level: a random "
                                     "effect needs at least 2")
        L = len(levels)
        x0 = np.full(L, 0.5)

        def fun(g):
            dev, grad, *_ = profiled_deviance(stats, tree, np.maximum(g, 0), self.reml)
            return dev, grad

        res = optimize.minimize(fun, x0, jac=True, method="L-BFGS-B", bounds=[(0, None)] * L,
                                options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 2000})
        gammas = np.maximum(res.x, 0)
        _dev, grad0, *_ = profiled_deviance(stats, tree, gammas, self.reml)
        if np.max(np.abs(np.where(gammas > 0, grad0, np.minimum(grad0, 0)))) > 1e-3:
            # L-BFGS-B's memory from far away can stop it a few digits short: restart from where it stopped
            again = optimize.minimize(fun, gammas, jac=True, method="L-BFGS-B", bounds=[(0, None)] * L,
                                      options={"ftol": 1e-16, "gtol": 1e-12, "maxiter": 500})
            if again.fun <= res.fun:
                res, gammas = again, np.maximum(again.x, 0)
        dev, grad, beta_c, rss, Pinv = profiled_deviance(stats, tree, gammas, self.reml)
        n, p = stats.n_obs, len(beta_c)
        sigma2 = rss / (n - p if self.reml else n)
        # back from centred variables: the intercept is the only coefficient that moves
        T = _uncentre(stats)
        beta = T @ beta_c
        beta[0] += stats.center_y if stats.terms[0] == "(Intercept)" else 0.0
        Pinv = T @ Pinv @ T.T
        self._gammas, self._tree, self._stats = gammas, tree, stats
        # projected gradient (deviance units per unit of gamma): at a zero variance only an upward slope is allowed
        projected = np.where(gammas > 0, grad, np.minimum(grad, 0))
        self.converged_ = bool(np.max(np.abs(projected)) < 1e-2)
        self.singular_ = bool(np.any(gammas <= 1e-10))
        self.loglik_ = -dev / 2
        se = np.sqrt(np.diag(Pinv) * sigma2)
        t = beta / se
        df = self._satterthwaite(stats, tree, gammas, sigma2)
        q = t_ppf(0.975, df)
        names = _lme4_names(levels)
        # gammas[0] is the lowest level; report outermost first, as lme4 prints them
        variances = [float(gammas[L - 1 - i] * sigma2) for i in range(L)] + [float(sigma2)]
        groups = [*names, "Residual"]
        total = np.asarray(variances).sum()
        self.tables_ = {
            "summary": {"term": list(stats.terms), "estimate": beta, "se": se, "df": df, "statistic": t,
                        "p": 2 * t_sf(np.abs(t), df), "ci_low": beta - q * se, "ci_high": beta + q * se},
            "variance_components_": {"group": groups, "term": ["(Intercept)"] * L + [""], "variance": variances,
                                     "sd": [math.sqrt(v) for v in variances]},
            "vpc_": {"level": groups, "variance": variances, "vpc": (np.asarray(variances) / total).tolist()},
        }
        self._vcov = Pinv * sigma2
        for name in FRAMES:  # built again from this fit's tables when asked for
            self.__dict__.pop(name, None)
        self.df_model_ = p + L + 1
        self.n_obs_ = n
        self.aic_ = -2 * self.loglik_ + 2 * self.df_model_
        self.bic_ = -2 * self.loglik_ + math.log(n) * self.df_model_
        self.groups_ = {names[i]: int(tree.sizes[L - 1 - i]) for i in range(L)}
        self.family_ = "gaussian"
        self.method_ = "REML" if self.reml else "ML"
        self.engine_ = "aggregates"
        self.fallback_ = None  # never needed: the closed form cannot fail the way Laplace steps can
        self._beta_c = beta_c
        self._sigma2 = sigma2
        self.fixed_variance_ = self._fixed_variance()
        if self.singular_:
            zero = [names[L - 1 - i] for i in range(L) if gammas[i] <= 1e-10]
            warnings.warn(SingularFitWarning(
                f"singular fit: the variance of {', '.join(zero)} is estimated at 0 (reported as 0, not hidden); "
                "consider dropping that level."), stacklevel=2)
        return self

    def _satterthwaite(self, stats, tree, gammas, sigma2) -> np.ndarray:
        """Satterthwaite degrees of freedom for each coefficient, as lmerTest computes them: with varpar =
        (variances of the levels, residual variance), df_j = 2 Var(b_j)^2 / (g_j' A g_j), where g_j is the gradient
        of Var(b_j) and A = 2 H^-1 the asymptotic covariance of varpar (H: Hessian of the deviance). Derivatives
        are central differences of the exact closed forms; variances estimated at 0 are held fixed."""
        free = [i for i in range(len(gammas)) if gammas[i] > 1e-8]
        theta0 = np.r_[gammas[free] * sigma2, sigma2]

        def unpack(v):
            g = gammas.copy()
            g[free] = v[:-1] / v[-1]
            return g, v[-1]

        T = _uncentre(stats)

        def vcov(v):
            g, s2 = unpack(v)
            P, *_ = absorb(tree, g)
            return np.diag(T @ np.linalg.inv(P) @ T.T) * s2

        def deviance(v):
            g, s2 = unpack(v)
            P, q, r, ld, *_ = absorb(tree, g)
            rss = r - q @ np.linalg.solve(P, q)
            n, p = stats.n_obs, len(q)
            if self.reml:
                return ld + np.linalg.slogdet(P)[1] + (n - p) * math.log(2 * math.pi * s2) + rss / s2
            return ld + n * math.log(2 * math.pi * s2) + rss / s2

        k = len(theta0)
        h = 1e-4 * np.maximum(np.abs(theta0), 1e-8)
        grad = np.empty((k, len(stats.terms)))
        for i in range(k):
            e = np.zeros(k)
            e[i] = h[i]
            grad[i] = (vcov(theta0 + e) - vcov(theta0 - e)) / (2 * h[i])
        hess = np.empty((k, k))
        f0 = deviance(theta0)
        for i in range(k):
            for j in range(i, k):
                ei, ej = np.zeros(k), np.zeros(k)
                ei[i], ej[j] = h[i], h[j]
                if i == j:
                    value = (deviance(theta0 + ei) - 2 * f0 + deviance(theta0 - ei)) / h[i] ** 2
                else:
                    value = (deviance(theta0 + ei + ej) - deviance(theta0 + ei - ej) - deviance(theta0 - ei + ej)
                             + deviance(theta0 - ei - ej)) / (4 * h[i] * h[j])
                hess[i, j] = hess[j, i] = value
        try:
            A = 2 * np.linalg.inv(hess)
        except np.linalg.LinAlgError:
            return np.full(len(stats.terms), np.nan)
        var_b = vcov(theta0)
        denom = np.einsum("im,ij,jm->m", grad, A, grad)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(denom > 0, 2 * var_b**2 / denom, np.inf)

    def _fixed_variance(self) -> float:
        """Var(X beta) over the fitted rows, from the cluster statistics (for Nakagawa's R², R's var())."""
        s, b = self._stats, self._beta_c  # centred: the same variance, better conditioned
        n = s.n_obs
        total = float(b @ s.sx.sum(axis=0))
        squares = float(b @ s.xtx.sum(axis=0) @ b)
        # a variance, so never below 0: for an intercept-only model the difference is pure rounding
        return max(0.0, (squares - total**2 / n) / (n - 1))

    @cached_property
    def summary(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.tables_["summary"])

    @cached_property
    def params_(self) -> pd.Series:
        import pandas as pd

        return pd.Series(self.tables_["summary"]["estimate"], index=self.tables_["summary"]["term"])

    @cached_property
    def vcov_(self) -> pd.DataFrame:
        import pandas as pd

        terms = self.tables_["summary"]["term"]
        return pd.DataFrame(self._vcov, index=terms, columns=terms)

    @cached_property
    def variance_components_(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.tables_["variance_components_"])

    @cached_property
    def vpc_(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.tables_["vpc_"])

    @cached_property
    def ranef_(self) -> pd.DataFrame:
        """Conditional modes of every unit with their intervals, outermost level first."""
        return self._ranef(self._beta_c, self._sigma2)

    def _ranef(self, beta: np.ndarray, sigma2: float) -> pd.DataFrame:
        """BLUPs u_g = gamma_g 1_g' H^-1 (y - X beta) and conditional variances sigma2 (gamma_g - gamma_g^2 N_g),
        computed bottom-up then top-down from the cluster statistics."""
        import pandas as pd

        s, tree, g = self._stats.reordered(self._tree.order), self._tree, self._gammas
        L = len(g)
        resid_sum = s.sy - s.sx @ beta  # 1'(y - X beta) per lowest cluster (centred: the same residuals)
        A, C = s.n.astype(float), resid_sum
        a_levels, c_levels, A_levels, C_levels = [], [], [], []
        for level in range(L):
            d = 1 + g[level] * A
            a, c = A / d, C / d
            a_levels.append(a)
            c_levels.append(c)
            A_levels.append(A)
            C_levels.append(C)
            if level < L - 1:
                A, C = sum_to(tree.parents[level], tree.sizes[level + 1], a, c)
        names = _lme4_names(s.levels)
        rows = []
        for level in range(L):
            E, M, N = c_levels[level].copy(), a_levels[level].copy(), a_levels[level].copy()
            units = np.arange(len(E))
            for up in range(level + 1, L):
                units = tree.parents[up - 1][units] if up - 1 >= level else units
                A_up = A_levels[up][units]
                c_up = c_levels[up][units]
                E = E - g[up] * M * c_up
                N = N - g[up] * M * M / (1 + g[up] * A_up)
                M = M / (1 + g[up] * A_up)
            u = g[level] * E
            var = sigma2 * (g[level] - g[level] ** 2 * N)
            sd = np.sqrt(np.clip(var, 0, None))
            rows.append(pd.DataFrame({"group": names[L - 1 - level], "level": tree.labels(level),
                                      "term": "(Intercept)",
                                      "estimate": u, "se": sd, "ci_low": u - 1.96 * sd, "ci_high": u + 1.96 * sd}))
        return pd.concat(rows[::-1], ignore_index=True)  # outermost level first

    def to_dict(self) -> dict:
        """The JSON `safeschool fit` writes, as for the mixedlm engine."""
        return model_dict(self)


@cache
def _blas() -> ThreadpoolController:
    """The loaded BLAS libraries (numpy's and scipy's, both loaded with this module), found once per process."""
    return ThreadpoolController()


def _uncentre(stats: ClusterStats) -> np.ndarray:
    """T with beta = T beta_centred (+ center_y on the intercept): intercept_row = (1, -center_x)."""
    p = len(stats.terms)
    T = np.eye(p)
    if stats.terms and stats.terms[0] == "(Intercept)":
        T[0, 1:] = -stats.center_x[1:]
    return T


def _lme4_names(levels: list[str]) -> list[str]:
    return [lme4_nested_name(tuple(levels[: i + 1])) for i in range(len(levels))]
