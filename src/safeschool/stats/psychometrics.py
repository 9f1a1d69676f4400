"""Scale scores and reliability: Cronbach's alpha with its confidence interval, McDonald's omega total,
item-rest correlations and alpha-if-item-deleted, overall and per group, with flags for items that behave
differently in one group. Functions take a DataFrame of item columns and return numbers or DataFrames, in the
manner of pingouin; no Django.

Formulas (n respondents with every item answered, k items, item variances s_i^2, total-score variance s_T^2):
alpha = k/(k-1) (1 - sum s_i^2 / s_T^2) (Cronbach, 1951); its CI from the F distribution with n-1 and (n-1)(k-1)
degrees of freedom (Feldt, Woodruff & Salih, 1987), as pingouin.cronbach_alpha computes it; omega total =
(sum lambda)^2 / ((sum lambda)^2 + sum psi) from a one-factor model of the item correlations fitted by minimum
residuals (McDonald, 1999; psych::omega's default fitting method).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import optimize
from scipy import stats as st

# a group's item is flagged when its item-rest correlation falls this much below the pooled one, falls below the
# floor while the pooled one is above it, or when deleting it raises the group's alpha by at least ALPHA_GAIN
FLAG_DIFFERENCE = 0.20
FLAG_FLOOR = 0.20
ALPHA_GAIN = 0.02


class ReliabilityError(ValueError):
    """Data that cannot give a reliability estimate, with the item or group named."""


def reverse_keyed(data: pd.DataFrame, reverse: list[str], minimum: float, maximum: float) -> pd.DataFrame:
    """Items in `reverse` recoded as minimum + maximum - value (1..5 -> 5..1)."""
    out = data.copy()
    for item in reverse:
        if item not in out:
            raise ReliabilityError(f"reverse-keyed item '{item}' is not among the items")
        out[item] = minimum + maximum - out[item]
    return out


def check_range(data: pd.DataFrame, minimum: float, maximum: float) -> None:
    """Raise naming the first item and row whose answer lies outside [minimum, maximum]."""
    for item in data.columns:
        col = data[item]
        bad = col.notna() & ((col < minimum) | (col > maximum))
        if bad.any():
            row = bad.idxmax()
            raise ReliabilityError(f"item '{item}', row {row}: {col[row]:g} is outside the response range "
                                   f"{minimum:g}-{maximum:g}")


def score(data: pd.DataFrame, items: list[str], *, method: str = "mean", min_answered: float = 0.8) -> pd.Series:
    """Scale score per row: the mean of the answered items (method "mean") or that mean times the number of items
    (method "sum", i.e. prorated), when at least `min_answered` of the items were answered; otherwise missing."""
    block = data[list(items)].astype(float)
    answered = block.notna().sum(axis=1)
    mean = block.mean(axis=1)
    value = mean * len(items) if method == "sum" else mean
    return value.where(answered >= math.ceil(min_answered * len(items) - 1e-9))


def score_instrument(data: pd.DataFrame, instrument) -> pd.DataFrame:
    """Every scale of a registry instrument (reverse keys applied first); columns named by scale code."""
    present = [i for i in instrument.items if i in data]
    block = reverse_keyed(data[present].astype(float), [i for i in instrument.reverse if i in data],
                          instrument.minimum, instrument.maximum)
    out = {}
    for scale in instrument.scales:
        missing = [i for i in scale.items if i not in block]
        if missing:
            continue  # a scale is scored only when all its items were collected
        out[scale.code] = score(block, list(scale.items), method=scale.method, min_answered=scale.min_answered)
    return pd.DataFrame(out, index=data.index)


def _complete(data: pd.DataFrame) -> np.ndarray:
    block = data.astype(float).dropna()
    if block.shape[1] < 2:
        raise ReliabilityError("reliability needs at least 2 items")
    if len(block) < 3:
        raise ReliabilityError(f"only {len(block)} respondents answered every item: at least 3 are needed")
    return block.to_numpy()


def _alpha(X: np.ndarray) -> float:
    k = X.shape[1]
    total_var = X.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return float("nan")
    return k / (k - 1) * (1 - X.var(axis=0, ddof=1).sum() / total_var)


def cronbach_alpha(data: pd.DataFrame, ci: float = 0.95) -> tuple[float, tuple[float, float]]:
    """Cronbach's alpha over respondents with every item answered, and its `ci` interval (Feldt)."""
    X = _complete(data)
    n, k = X.shape
    alpha = _alpha(X)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    q = (1 - ci) / 2
    low = 1 - (1 - alpha) * st.f.ppf(1 - q, df1, df2)
    high = 1 - (1 - alpha) * st.f.ppf(q, df1, df2)
    return float(alpha), (float(low), float(high))


def one_factor(corr: np.ndarray) -> np.ndarray:
    """Loadings of a one-factor model of a correlation matrix by minimum residuals (unweighted least squares
    on the off-diagonal elements), started from the first principal axis."""
    k = corr.shape[0]
    values, vectors = np.linalg.eigh(corr)
    start = vectors[:, -1] * math.sqrt(max(values[-1], 1e-6))
    if start.sum() < 0:
        start = -start
    off = ~np.eye(k, dtype=bool)

    def residuals(lam):
        return (corr - np.outer(lam, lam))[off]

    def jac(lam):
        J = np.zeros((k, k, k))
        for i in range(k):
            J[i, :, i] -= lam
            J[:, i, i] -= lam
        return J[off]

    fit = optimize.least_squares(residuals, start, jac=jac, xtol=1e-12, ftol=1e-12, gtol=1e-12)
    lam = fit.x
    return -lam if lam.sum() < 0 else lam


def omega_total(data: pd.DataFrame) -> float:
    """McDonald's omega total from a one-factor model of the item correlations."""
    X = _complete(data)
    if np.any(X.std(axis=0, ddof=1) == 0):
        raise ReliabilityError("an item has no variance among complete respondents: omega is undefined")
    lam = one_factor(np.corrcoef(X, rowvar=False))
    psi = np.clip(1 - lam**2, 0, None)
    common = lam.sum() ** 2
    return float(common / (common + psi.sum()))


def item_statistics(data: pd.DataFrame) -> pd.DataFrame:
    """Per item: n answering, mean, SD, item-rest correlation and alpha if the item were deleted (complete
    respondents for the last two, as for alpha)."""
    X = _complete(data)
    total = X.sum(axis=1)
    rows = []
    for j, item in enumerate(data.columns):
        rest = total - X[:, j]
        r = np.corrcoef(X[:, j], rest)[0, 1] if X[:, j].std() > 0 and rest.std() > 0 else float("nan")
        others = np.delete(X, j, axis=1)
        rows.append({"item": item, "n": int(data[item].notna().sum()), "mean": float(data[item].mean()),
                     "sd": float(data[item].std(ddof=1)), "item_rest_r": float(r),
                     "alpha_if_deleted": _alpha(others) if others.shape[1] >= 2 else float("nan")})
    return pd.DataFrame(rows)


def reliability(data: pd.DataFrame, items: list[str], *, reverse: list[str] | None = None,
                minimum: float | None = None, maximum: float | None = None, by: str | None = None,
                ci: float = 0.95) -> dict:
    """The reliability report `safeschool reliability` writes: alpha, its CI, omega total, n, per-item statistics
    and, with `by`, the same per group with flags for items that behave differently there."""
    missing = [i for i in items if i not in data]
    if missing:
        raise ReliabilityError(f"item column(s) not in the data: {', '.join(missing)}")
    block = data[items].apply(pd.to_numeric, errors="coerce")
    for item in items:
        text = data[item][block[item].isna() & data[item].notna()]
        if len(text):
            raise ReliabilityError(f"item '{item}', row {text.index[0]}: '{text.iloc[0]}' is not a number")
    if reverse and (minimum is None or maximum is None):
        raise ReliabilityError("reverse-keyed items need the response range (--min and --max)")
    if minimum is not None and maximum is not None:
        check_range(block, minimum, maximum)
        block = reverse_keyed(block, list(reverse or []), minimum, maximum)
    report = _report(block, ci)
    if by:
        if by not in data:
            raise ReliabilityError(f"grouping column '{by}' is not in the data")
        report["groups"] = {}
        for group, rows in block.groupby(data[by].astype(str), sort=True):
            try:
                part = _report(rows, ci)
            except ReliabilityError as exc:
                report["groups"][group] = {"n": int(rows.dropna().shape[0]), "error": str(exc)}
                continue
            _flag(part, report)
            report["groups"][group] = part
    return report


def _report(block: pd.DataFrame, ci: float) -> dict:
    alpha, (low, high) = cronbach_alpha(block, ci)
    try:
        omega = omega_total(block)
    except ReliabilityError:
        omega = float("nan")
    table = item_statistics(block)
    return {"alpha": alpha, "alpha_ci": [low, high], "omega_total": omega, "n": int(block.dropna().shape[0]),
            "k": block.shape[1],
            "items": [{"item": r.item, "item_rest_r": r.item_rest_r, "alpha_if_deleted": r.alpha_if_deleted,
                       "mean": r.mean, "sd": r.sd} for r in table.itertuples()]}


def _flag(group: dict, pooled: dict) -> None:
    overall = {i["item"]: i["item_rest_r"] for i in pooled["items"]}
    flagged = []
    for item in group["items"]:
        reasons = []
        r, r0 = item["item_rest_r"], overall[item["item"]]
        if np.isfinite(r) and np.isfinite(r0):
            if r0 - r >= FLAG_DIFFERENCE:  # an item that works worse here (working better is no problem)
                reasons.append(f"item-rest r {r:.2f} here vs {r0:.2f} overall")
            elif r < FLAG_FLOOR <= r0:
                reasons.append(f"item-rest r {r:.2f} below {FLAG_FLOOR}")
        if np.isfinite(item["alpha_if_deleted"]) and item["alpha_if_deleted"] - group["alpha"] >= ALPHA_GAIN:
            reasons.append(f"alpha rises to {item['alpha_if_deleted']:.2f} without it")
        item["flag"] = "; ".join(reasons)
        if reasons:
            flagged.append(item["item"])
    group["flagged"] = flagged


def reliability_by(data: pd.DataFrame, items: list[str], by: str, **kwargs) -> pd.DataFrame:
    """One row per group and item (alpha, omega and n of the group repeated), flags included."""
    report = reliability(data, items, by=by, **kwargs)
    rows = []
    for group, part in report["groups"].items():
        for item in part.get("items", []):
            rows.append({by: group, "alpha": part["alpha"], "omega_total": part["omega_total"], "n": part["n"],
                         **item})
    return pd.DataFrame(rows)
