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

Matches ``lme4::lmer(y ~ x + (1|country/school/class), REML = TRUE/FALSE)`` on the same data.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from functools import cache, cached_property

import numpy as np
import pandas as pd
from scipy import optimize, sparse
from scipy import stats as st
from threadpoolctl import ThreadpoolController

from safeschool.stats.mixed import (
    ModelSpecError,
    SingularFitWarning,
    _lme4_nested_name,
    model_dict,
    parse_formula,
)

SCHEMA_VERSION = 1


@dataclass
class ClusterStats:
    """Sufficient statistics per lowest cluster. `ids` has one column per grouping level, outermost first."""

    response: str
    terms: list[str]  # fixed-effect columns as lme4 names them
    levels: list[str]  # grouping columns, outermost first
    ids: pd.DataFrame
    n: np.ndarray  # (K,)
    sx: np.ndarray  # (K, p)
    sy: np.ndarray  # (K,)
    xtx: np.ndarray  # (K, p, p)
    xty: np.ndarray  # (K, p)
    yty: np.ndarray  # (K,)
    encodings: dict = field(default_factory=dict)
    # the sums are of x - center_x and y - center_y: uncentred sums of squares (y near 500) lose the digits
    # the optimiser needs; estimates are reported for the uncentred variables
    center_x: np.ndarray | None = None
    center_y: float = 0.0

    def __post_init__(self):
        if self.center_x is None:
            self.center_x = np.zeros(len(self.terms))

    @property
    def n_obs(self) -> int:
        return int(self.n.sum())

    def recentered(self, center_x: np.ndarray, center_y: float) -> ClusterStats:
        """The same statistics around other centring constants (exact algebra; used to pool sites)."""
        dx = self.center_x - np.asarray(center_x, dtype=float)
        dy = self.center_y - float(center_y)
        n = self.n
        sx = self.sx + n[:, None] * dx
        sy = self.sy + n * dy
        xtx = (self.xtx + self.sx[:, :, None] * dx[None, None, :] + dx[None, :, None] * self.sx[:, None, :]
               + n[:, None, None] * np.outer(dx, dx)[None])
        xty = self.xty + self.sx * dy + dx[None, :] * self.sy[:, None] + (n * dy)[:, None] * dx[None, :]
        yty = self.yty + 2 * dy * self.sy + n * dy * dy
        return ClusterStats(self.response, self.terms, self.levels, self.ids, n, sx, sy, xtx, xty, yty,
                            self.encodings, np.asarray(center_x, dtype=float), float(center_y))

    def concat(self, other: ClusterStats) -> ClusterStats:
        other = other.recentered(self.center_x, self.center_y)
        return ClusterStats(self.response, self.terms, self.levels, pd.concat([self.ids, other.ids], ignore_index=True),
                            np.concatenate([self.n, other.n]), np.concatenate([self.sx, other.sx]),
                            np.concatenate([self.sy, other.sy]), np.concatenate([self.xtx, other.xtx]),
                            np.concatenate([self.xty, other.xty]), np.concatenate([self.yty, other.yty]),
                            self.encodings, self.center_x, self.center_y)


def nested_levels(formula: str) -> tuple[str, list[str], str]:
    """(response, grouping columns outermost first, fixed part) for a random-intercept nested formula; raise
    ModelSpecError for anything the aggregate engine cannot fit exactly."""
    parsed = parse_formula(formula)
    terms = sorted(parsed.random, key=lambda t: len(t.factors))
    if any(t.expr.replace(" ", "") != "1" for t in terms):
        raise ModelSpecError("the aggregate engine fits random intercepts only: random slopes need row-level data "
                             "(use --engine mixedlm)")
    chain = list(terms[-1].factors)
    for i, term in enumerate(terms):
        if list(term.factors) != chain[: i + 1]:
            raise ModelSpecError("the aggregate engine needs nested groupings such as (1|country/school/class); "
                                 "crossed or partial groupings need row-level data (use --engine mixedlm)")
    if not 1 <= len(chain) <= 3:
        raise ModelSpecError("the aggregate engine fits 2 to 4 levels (1 to 3 nested groupings)")
    return parsed.response, chain, parsed.fixed


def stats_from_frame(formula: str, data: pd.DataFrame) -> ClusterStats:
    """Sufficient statistics computed in memory (numpy bincount per cross-product)."""
    from safeschool.stats.mixed import MixedModel

    response, levels, _fixed = nested_levels(formula)
    frame, design, names = MixedModel(formula).prepare(data)
    X = design.to_numpy(dtype=float)
    y = frame[response].to_numpy(dtype=float)
    constant = np.all(X[:1] == X, axis=0)  # the intercept column stays as it is
    center_x = np.where(constant, 0.0, X.mean(axis=0))
    center_y = float(y.mean())
    X = X - center_x
    y = y - center_y
    keys = frame[levels].astype(str)
    codes, uniques = pd.factorize(pd.MultiIndex.from_frame(keys)) if len(levels) > 1 else pd.factorize(keys.iloc[:, 0])
    K = len(uniques)
    p = X.shape[1]
    n = np.bincount(codes, minlength=K).astype(float)
    sx = np.stack([np.bincount(codes, X[:, i], K) for i in range(p)], axis=1)
    sy = np.bincount(codes, y, K)
    xtx = np.empty((K, p, p))
    for i in range(p):
        for j in range(i, p):
            xtx[:, i, j] = xtx[:, j, i] = np.bincount(codes, X[:, i] * X[:, j], K)
    xty = np.stack([np.bincount(codes, X[:, i] * y, K) for i in range(p)], axis=1)
    yty = np.bincount(codes, y * y, K)
    ids = pd.DataFrame(list(uniques), columns=levels) if len(levels) > 1 else pd.DataFrame({levels[0]: list(uniques)})
    return ClusterStats(response, names, levels, ids.astype(str), n, sx, sy, xtx, xty, yty, {}, center_x, center_y)


# ------------------------------------------------------------------------------------------------ the engine
class _Tree:
    """The nesting of units: the lowest clusters sorted so that every unit's children are contiguous, and for every
    depth the parent of each unit (summing children into parents is then one sparse 0/1 product)."""

    def __init__(self, stats: ClusterStats):
        L = len(stats.levels)
        # hashing, not sorting: children only need to sit together under their parent
        codes = [pd.factorize(stats.ids[c].to_numpy())[0] for c in stats.levels]
        self.order = np.lexsort(codes[::-1])  # outermost level first
        codes = [c[self.order] for c in codes]
        values = [stats.ids[c].to_numpy()[self.order] for c in stats.levels]  # for labels, when asked
        K = len(self.order)
        self.parents: list[np.ndarray] = []  # parents[i]: parent index of every unit at depth i (0 = lowest)
        self.sizes: list[int] = [K]
        self._values = values
        self._firsts: list[np.ndarray] = [np.arange(K)]  # first lowest cluster of every unit, per depth
        unit_of_cluster = np.arange(K)
        for depth in range(1, L):
            change = np.zeros(K, dtype=bool)
            change[0] = True
            for c in codes[: L - depth]:
                change[1:] |= c[1:] != c[:-1]
            parent_of_cluster = np.cumsum(change) - 1
            # parent of each unit at the previous depth: look it up through its first cluster
            first_cluster = np.flatnonzero(np.r_[True, unit_of_cluster[1:] != unit_of_cluster[:-1]])
            parents = parent_of_cluster[first_cluster]
            self.parents.append(parents)
            self.sizes.append(int(parents[-1]) + 1)
            self._firsts.append(np.flatnonzero(change))
            unit_of_cluster = parent_of_cluster
        self.parents.append(np.zeros(self.sizes[-1], dtype=int))  # everything sums into one total

    def labels(self, depth: int) -> np.ndarray:
        """Unit labels at a depth as lme4 prints nested levels, inner value first ('C01:S1:IT')."""
        L = len(self._values)
        rows = self._firsts[depth]
        label = self._values[L - 1 - depth][rows].astype(str).astype(object)
        for v in reversed(self._values[: L - 1 - depth]):
            label = label + ":" + v[rows].astype(str).astype(object)
        return label

    def compress(self, stats: ClusterStats) -> None:
        """Lowest clusters of one parent with the same size n share the weight 1/(1 + gamma n): sum them once,
        so every evaluation works on (parent, size) groups instead of clusters; what enters P, q, r and log|H|
        directly depends on the size alone, so it is summed further per distinct size. `stats` in its own order."""
        parent = self.parents[0]
        n = stats.n[self.order]
        key = np.lexsort([n, parent])
        p_sorted, n_sorted = parent[key], n[key]
        new = np.r_[True, (p_sorted[1:] != p_sorted[:-1]) | (n_sorted[1:] != n_sorted[:-1])]
        starts = np.flatnonzero(new)
        p = stats.sx.shape[1]
        # per (parent, size) group: W = [m n, SB, SC] sums into the parents' [A, B, C] (m: its clusters)
        v = np.column_stack([stats.sx, stats.sy])  # per cluster [sx, sy], in the caller's order
        summed = np.add.reduceat(np.column_stack([np.ones(len(n)), v[self.order[key]]]), starts, axis=0)
        m, n_group = summed[:, 0], n_sorted[starts]
        group_parent = p_sorted[starts]
        sizes, size_of_group = np.unique(n_group, return_inverse=True)
        # per distinct size: Z = the sum of v v' over its clusters, [[SBB, SBC], [SBC', SCC]] flattened (enters P,
        # q and r), one small Gram product per size instead of an outer product per cluster
        by_size = np.argsort(stats.n, kind="stable")
        bounds = np.searchsorted(stats.n[by_size], sizes, side="left").tolist() + [len(n)]
        vs = v[by_size]
        Z = np.empty((len(sizes), (p + 1) ** 2))
        for u in range(len(sizes)):
            block = vs[bounds[u]: bounds[u + 1]]
            Z[u] = (block.T @ block).ravel()
        to_size = _summing(size_of_group, len(sizes))
        self.low = {
            "n": n_group, "W": np.column_stack([m * n_group, summed[:, 1:]]), "sizes": sizes,
            "size_of_group": size_of_group, "Z": Z, "m": to_size @ m, "mn": to_size @ (m * n_group),
            "parent": group_parent,
        }
        # groups sorted by parent: as many groups as parents (the usual case, one class size per school) means
        # one group per parent, in order, and nothing to sum
        n_parents = self.sizes[1] if len(self.sizes) > 1 else 1
        self.low["sum"] = None if len(group_parent) == n_parents else _summing(group_parent, n_parents)
        # summing matrices (the top level's sums into the root are never needed): a sparse product is several
        # times faster than `reduceat` over many short segments
        self.summers = [None] + [_summing(self.parents[level], self.sizes[level + 1])
                                 for level in range(1, len(self.sizes) - 1)]
        self.low_const = (stats.xtx.sum(axis=0), stats.xty.sum(axis=0), float(stats.yty.sum()))


def _summing(parents: np.ndarray, size: int) -> sparse.csr_matrix:
    """The 0/1 matrix that sums units (columns) into their parents (rows)."""
    return sparse.csr_matrix((np.ones(len(parents)), (parents, np.arange(len(parents)))), shape=(size, len(parents)))


def _sum_to(parents, size, *arrays):
    """Sum units into their parents by index (used where units are not sorted, e.g. conditional modes)."""
    out = []
    for x in arrays:
        if x.ndim == 1:
            out.append(np.bincount(parents, x, size))
        else:
            flat = x.reshape(x.shape[0], -1)
            summed = np.stack([np.bincount(parents, flat[:, j], size) for j in range(flat.shape[1])], axis=1)
            out.append(summed.reshape((size, *x.shape[1:])))
    return out


def _forward(tree: _Tree, gammas: np.ndarray):
    """Absorb the levels bottom-up (values only): the top sums P, q, r, log|H|, and each level's units as rows
    M = [A, B, C] with their d = 1 + gamma A."""
    g = tree.low
    P0, q0, r0 = tree.low_const
    p = len(q0)
    L = len(gammas)
    inv_size = 1 / (1 + gammas[0] * g["sizes"])
    z = (inv_size @ g["Z"]).reshape(p + 1, p + 1)
    P = P0 - gammas[0] * z[:p, :p]
    q = q0 - gammas[0] * z[:p, p]
    r = r0 - gammas[0] * float(z[p, p])
    ld = float(g["m"] @ np.log1p(gammas[0] * g["sizes"]))
    saved = []
    if L > 1:
        M = g["W"] * inv_size[g["size_of_group"]][:, None]
        if g["sum"] is not None:
            M = g["sum"] @ M
    for level in range(1, L):
        gamma = gammas[level]
        d = 1 + gamma * M[:, 0]
        saved.append((M, d))
        Md = M / d[:, None]
        Q = Md.T @ M  # [A B C]' D^-1 [A B C]; its [B C] block enters P, q, r
        P = P - gamma * Q[1: p + 1, 1: p + 1]
        q = q - gamma * Q[1: p + 1, p + 1]
        r = r - gamma * float(Q[p + 1, p + 1])
        ld = ld + float(np.log(d).sum())
        if level < L - 1:
            M = tree.summers[level] @ Md
    return P, q, r, ld, saved, inv_size


def _deviance(stats, tree, gammas, reml: bool):
    """Profiled ML or REML deviance and its exact gradient with respect to every gamma.

    Forward: absorb the levels bottom-up (values only), keeping each unit's A, B, C and d. The deviance depends
    on the gammas only through the top sums P, q, r, log|H|, each a sum over units of one local term, so the
    gradient follows in one reverse (adjoint) pass top-down, at about the cost of the forward pass."""
    L = len(gammas)
    g = tree.low
    P, q, r, ld, saved, inv_size = _forward(tree, gammas)
    # ---- the deviance and its sensitivities to the top sums
    n, p = stats.n_obs, len(q)
    Pinv = np.linalg.inv(P)
    beta = Pinv @ q
    rss = r - q @ beta
    if reml:
        nu = n - p
        dev = ld + np.linalg.slogdet(P)[1] + nu * (1 + math.log(2 * math.pi * rss / nu))
        G_P = Pinv + (nu / rss) * np.outer(beta, beta)
        G_q, G_r = -2 * (nu / rss) * beta, nu / rss
    else:
        dev = ld + n * (1 + math.log(2 * math.pi * rss / n))
        G_P = (n / rss) * np.outer(beta, beta)
        G_q, G_r = -2 * (n / rss) * beta, n / rss
    # one quadratic form over a unit's [A B C] that leaves A out: S = B'G_P B + (B'G_q) C + G_r C^2
    G = np.zeros((p + 2, p + 2))
    G[1: p + 1, 1: p + 1], G[1: p + 1, p + 1], G[p + 1, 1: p + 1], G[p + 1, p + 1] = G_P, G_q / 2, G_q / 2, G_r
    # ---- reverse: adjoints of each unit's [A, B, C], from the top level down
    grad = np.zeros(L)
    Mbar = None  # the root's sums do not enter the deviance
    for level in range(L - 1, 0, -1):
        M, d = saved[level - 1]
        gamma = gammas[level]
        A = M[:, 0]
        MG = M @ G
        S = np.einsum("ij,ij->i", MG, M)
        inv = 1 / d
        inv2 = inv * inv
        grad[level] += float(A @ inv - S @ inv2)
        nbar = MG * (-2 * gamma * inv)[:, None]  # its column 0 is 0: G has no A row
        nbar[:, 0] = gamma * gamma * S * inv2 + gamma * inv
        if Mbar is not None:
            up = Mbar[tree.parents[level]]
            T = np.einsum("ij,ij->i", up, M)  # pa A + pb.B + pc C
            grad[level] -= float((T * A) @ inv2)
            nbar += up * inv[:, None]
            nbar[:, 0] -= gamma * T * inv2
        Mbar = nbar
    # lowest level: per distinct size for what enters P, q, r, log|H|; per (parent, size) group for the parents
    inv_s2 = inv_size * inv_size
    grad[0] = float(g["mn"] @ inv_size - (g["Z"] @ G[1:, 1:].ravel()) @ inv_s2)
    if Mbar is not None:
        up = Mbar if g["sum"] is None else Mbar[g["parent"]]
        weight = (g["n"] * inv_s2[g["size_of_group"]])
        grad[0] -= float(np.einsum("ij,ij->i", up, g["W"]) @ weight)
    return dev, grad, beta, rss, Pinv


@dataclass
class AggregateModel:
    """A linear multilevel model with nested random intercepts, fitted exactly from cluster statistics.

    Matches ``lme4::lmer(y ~ x + (1|a/b/c), REML = reml)``. Results as ``MixedModel``: ``summary``,
    ``variance_components_``, ``vpc_``, ``ranef_``, ``loglik_``, ``aic_``, ``bic_``, ``converged_``,
    ``singular_``, ``n_obs_``, ``groups_``; ``engine_ = "aggregates"``; Satterthwaite degrees of freedom as in
    ``lmerTest``.
    """

    formula: str
    reml: bool = True
    fallback_ = None  # never needed: the closed form cannot fail the way Laplace steps can
    family = "gaussian"

    def __post_init__(self):
        self.parsed = parse_formula(self.formula)

    @property
    def method(self) -> str:
        return "REML" if self.reml else "ML"

    def fit(self, stats: ClusterStats) -> AggregateModel:
        # every product here is small (thousands of rows by a few columns): OpenBLAS's threads cost more to wake
        # than they save, and made an evaluation 1.4 or 4.7 ms at random on two cores (docs/performance.md)
        with _blas().limit(limits=1, user_api="blas"):
            return self._fit(stats)

    def _fit(self, stats: ClusterStats) -> AggregateModel:
        levels = stats.levels
        tree = _Tree(stats)
        tree.compress(stats)
        for depth, size in enumerate(tree.sizes):
            if size < 2:
                raise ModelSpecError(f"grouping '{levels[len(levels) - 1 - depth]}' has {size} level: a random "
                                     "effect needs at least 2")
        L = len(levels)
        x0 = np.full(L, 0.5)

        def fun(g):
            dev, grad, *_ = _deviance(stats, tree, np.maximum(g, 0), self.reml)
            return dev, grad

        res = optimize.minimize(fun, x0, jac=True, method="L-BFGS-B", bounds=[(0, None)] * L,
                                options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 2000})
        gammas = np.maximum(res.x, 0)
        _dev, grad0, *_ = _deviance(stats, tree, gammas, self.reml)
        if np.max(np.abs(np.where(gammas > 0, grad0, np.minimum(grad0, 0)))) > 1e-3:
            # L-BFGS-B's memory from far away can stop it a few digits short: restart from where it stopped
            again = optimize.minimize(fun, gammas, jac=True, method="L-BFGS-B", bounds=[(0, None)] * L,
                                      options={"ftol": 1e-16, "gtol": 1e-12, "maxiter": 500})
            if again.fun <= res.fun:
                res, gammas = again, np.maximum(again.x, 0)
        dev, grad, beta_c, rss, Pinv = _deviance(stats, tree, gammas, self.reml)
        n, p = stats.n_obs, len(beta_c)
        sigma2 = rss / (n - p if self.reml else n)
        # back from centred variables: the intercept is the only coefficient that moves
        T = _uncentre(stats)
        beta = T @ beta_c
        beta[0] += stats.center_y if stats.terms[0] == "(Intercept)" else 0.0
        Pinv = T @ Pinv @ T.T
        self._T = T
        self._gammas, self._tree, self._stats = gammas, tree, stats
        # projected gradient (deviance units per unit of gamma): at a zero variance only an upward slope is allowed
        projected = np.where(gammas > 0, grad, np.minimum(grad, 0))
        self.converged_ = bool(np.max(np.abs(projected)) < 1e-2)
        self.singular_ = bool(np.any(gammas <= 1e-10))
        self.loglik_ = -dev / 2
        se = np.sqrt(np.diag(Pinv) * sigma2)
        t = beta / se
        df = self._satterthwaite(stats, tree, gammas, sigma2)
        q = st.t.ppf(0.975, df)
        self.summary = pd.DataFrame({
            "term": stats.terms, "estimate": beta, "se": se, "df": df, "statistic": t,
            "p": 2 * st.t.sf(np.abs(t), df), "ci_low": beta - q * se, "ci_high": beta + q * se})
        self.vcov_ = pd.DataFrame(Pinv * sigma2, index=stats.terms, columns=stats.terms)
        self.params_ = pd.Series(beta, index=stats.terms)
        names = _lme4_names(levels)
        # gammas[0] is the lowest level; report outermost first, as lme4 prints them
        rows = [{"group": names[i], "term": "(Intercept)", "variance": float(gammas[L - 1 - i] * sigma2),
                 "sd": math.sqrt(float(gammas[L - 1 - i] * sigma2))} for i in range(L)]
        rows.append({"group": "Residual", "term": "", "variance": float(sigma2), "sd": math.sqrt(sigma2)})
        self.variance_components_ = pd.DataFrame(rows)
        total = self.variance_components_.variance.sum()
        self.vpc_ = pd.DataFrame({"level": self.variance_components_.group,
                                  "variance": self.variance_components_.variance,
                                  "vpc": self.variance_components_.variance / total})
        self.df_model_ = p + L + 1
        self.n_obs_ = n
        self.aic_ = -2 * self.loglik_ + 2 * self.df_model_
        self.bic_ = -2 * self.loglik_ + math.log(n) * self.df_model_
        self.groups_ = {names[i]: int(tree.sizes[L - 1 - i]) for i in range(L)}
        self.engine_ = "aggregates"
        self._beta_c = beta_c
        self._sigma2 = sigma2
        self.__dict__.pop("ranef_", None)  # conditional modes are computed when first asked for
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
            P, *_ = _forward(tree, g)
            return np.diag(T @ np.linalg.inv(P) @ T.T) * s2

        def deviance(v):
            g, s2 = unpack(v)
            P, q, r, ld, *_ = _forward(tree, g)
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

    def fixed_variance(self) -> float:
        """Var(X beta) over the fitted rows, from the cluster statistics (for Nakagawa's R², R's var())."""
        s, b = self._stats, self._beta_c  # centred: the same variance, better conditioned
        n = s.n_obs
        total = float(b @ s.sx.sum(axis=0))
        squares = float(b @ s.xtx.sum(axis=0) @ b)
        # a variance, so never below 0: for an intercept-only model the difference is pure rounding
        return max(0.0, (squares - total**2 / n) / (n - 1))

    @cached_property
    def ranef_(self) -> pd.DataFrame:
        """Conditional modes of every unit with their intervals, outermost level first."""
        return self._ranef(self._beta_c, self._sigma2)

    def _ranef(self, beta: np.ndarray, sigma2: float) -> pd.DataFrame:
        """BLUPs u_g = gamma_g 1_g' H^-1 (y - X beta) and conditional variances sigma2 (gamma_g - gamma_g^2 N_g),
        computed bottom-up then top-down from the cluster statistics."""
        s, tree, g = _reordered(self._stats, self._tree.order), self._tree, self._gammas
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
                A, C = _sum_to(tree.parents[level], tree.sizes[level + 1], a, c)
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


def _reordered(stats: ClusterStats, order: np.ndarray) -> ClusterStats:
    return ClusterStats(stats.response, stats.terms, stats.levels, stats.ids.iloc[order].reset_index(drop=True),
                        stats.n[order], stats.sx[order], stats.sy[order], stats.xtx[order], stats.xty[order],
                        stats.yty[order], stats.encodings, stats.center_x, stats.center_y)


def _lme4_names(levels: list[str]) -> list[str]:
    return [_lme4_nested_name(tuple(levels[: i + 1])) for i in range(len(levels))]
