"""Sufficient statistics of a nested linear mixed model, per lowest cluster (class in school in country): what
``AggregateModel`` fits, what a site writes for pooled fitting (``safeschool.stats.sites``), and their in-memory
computation from rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from safeschool.stats.formula import ModelSpecError, model_frame, parse_formula

if TYPE_CHECKING:
    import pandas as pd

SCHEMA_VERSION = 1


@dataclass
class ClusterStats:
    """Sufficient statistics per lowest cluster. `ids` holds one array of labels per grouping level, outermost
    first (numpy, not a pandas frame: a command-line fit from SQL sums never imports pandas)."""

    response: str
    terms: list[str]  # fixed-effect columns as lme4 names them
    levels: list[str]  # grouping columns, outermost first
    ids: dict[str, np.ndarray]
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
        ids = {g: np.concatenate([self.ids[g], other.ids[g]]) for g in self.levels}
        return ClusterStats(self.response, self.terms, self.levels, ids,
                            np.concatenate([self.n, other.n]), np.concatenate([self.sx, other.sx]),
                            np.concatenate([self.sy, other.sy]), np.concatenate([self.xtx, other.xtx]),
                            np.concatenate([self.xty, other.xty]), np.concatenate([self.yty, other.yty]),
                            self.encodings, self.center_x, self.center_y)

    def reordered(self, order: np.ndarray) -> ClusterStats:
        """The same clusters in another order."""
        return ClusterStats(self.response, self.terms, self.levels, {g: self.ids[g][order] for g in self.levels},
                            self.n[order], self.sx[order], self.sy[order], self.xtx[order], self.xty[order],
                            self.yty[order], self.encodings, self.center_x, self.center_y)


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
            names = [t.name for t in parsed.random]
            raise ModelSpecError(
                f"the aggregates engine cannot fit crossed groupings ({', '.join(names[:-1])} and {names[-1]} side "
                "by side): its "
                "exact sums need one chain of nested groupings such as (1|country/school/class); fit crossed "
                "groupings from row-level data with --engine mixedlm (or, if one lies within the other, nest them "
                "with '/')")
    if not 1 <= len(chain) <= 3:
        raise ModelSpecError("the aggregate engine fits 2 to 4 levels (1 to 3 nested groupings)")
    return parsed.response, chain, parsed.fixed


def stats_from_frame(formula: str, data: pd.DataFrame) -> ClusterStats:
    """Sufficient statistics computed in memory (numpy bincount per cross-product)."""
    import pandas as pd

    response, levels, _fixed = nested_levels(formula)
    frame, design, names = model_frame(parse_formula(formula), data)
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
    ids = {g: ids[g].astype(str).to_numpy() for g in levels}
    return ClusterStats(response, names, levels, ids, n, sx, sy, xtx, xty, yty, {}, center_x, center_y)
