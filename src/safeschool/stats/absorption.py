"""The evaluation core of ``AggregateModel``: the nesting tree of the clusters, the bottom-up absorption of each
level into its parent (a Sherman-Morrison / determinant-lemma step per unit), and the profiled ML or REML
deviance with its exact gradient by one reverse (adjoint) pass. The algebra is set out in
``safeschool.stats.aggregates``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import sparse

from safeschool.stats.cluster_stats import ClusterStats


class NestingTree:
    """The nesting of units: the lowest clusters sorted so that every unit's children are contiguous, and for every
    depth the parent of each unit (summing children into parents is then one sparse 0/1 product)."""

    def __init__(self, stats: ClusterStats):
        L = len(stats.levels)
        # codes in order of first appearance: children only need to sit together under their parent
        codes = [first_appearance_codes(stats.ids[c]) for c in stats.levels]
        self.order = np.lexsort(codes[::-1])  # outermost level first
        codes = [c[self.order] for c in codes]
        values = [np.asarray(stats.ids[c])[self.order] for c in stats.levels]  # for labels, when asked
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
        to_size = summing_matrix(size_of_group, len(sizes))
        self.low = {
            "n": n_group, "W": np.column_stack([m * n_group, summed[:, 1:]]), "sizes": sizes,
            "size_of_group": size_of_group, "Z": Z, "m": to_size @ m, "mn": to_size @ (m * n_group),
            "parent": group_parent,
        }
        # groups sorted by parent: as many groups as parents (the usual case, one class size per school) means
        # one group per parent, in order, and nothing to sum
        n_parents = self.sizes[1] if len(self.sizes) > 1 else 1
        self.low["sum"] = None if len(group_parent) == n_parents else summing_matrix(group_parent, n_parents)
        # summing matrices (the top level's sums into the root are never needed): a sparse product is several
        # times faster than `reduceat` over many short segments
        self.summers = [None] + [summing_matrix(self.parents[level], self.sizes[level + 1])
                                 for level in range(1, len(self.sizes) - 1)]
        self.low_const = (stats.xtx.sum(axis=0), stats.xty.sum(axis=0), float(stats.yty.sum()))


def first_appearance_codes(values) -> np.ndarray:
    """Integer codes numbering the distinct values in the order they first appear, as ``pandas.factorize`` gives
    them (the order of the clusters, and so every sum, is the same as before pandas left this path)."""
    _uniques, first, inverse = np.unique(np.asarray(values), return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.intp)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return rank[inverse.ravel()]


def summing_matrix(parents: np.ndarray, size: int) -> sparse.csr_matrix:
    """The 0/1 matrix that sums units (columns) into their parents (rows)."""
    return sparse.csr_matrix((np.ones(len(parents)), (parents, np.arange(len(parents)))), shape=(size, len(parents)))


def sum_to(parents, size, *arrays):
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


def absorb(tree: NestingTree, gammas: np.ndarray):
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


def profiled_deviance(stats, tree, gammas, reml: bool):
    """Profiled ML or REML deviance and its exact gradient with respect to every gamma.

    Forward: absorb the levels bottom-up (values only), keeping each unit's A, B, C and d. The deviance depends
    on the gammas only through the top sums P, q, r, log|H|, each a sum over units of one local term, so the
    gradient follows in one reverse (adjoint) pass top-down, at about the cost of the forward pass."""
    L = len(gammas)
    g = tree.low
    P, q, r, ld, saved, inv_size = absorb(tree, gammas)
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

