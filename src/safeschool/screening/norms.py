"""The security screen: each student's socio-emotional scales against norms for their stage and country, flagged
only when the score is reliably on the worse side of the cut-off.

Norms (`norms`) are computed per norm group: stage × country, then stage across countries, then everyone; a group
with fewer than MIN_CELL (10) scored students gets no row, so a student of a small group is compared with the next
larger group (the screen says which: `norm_group`). Each row holds n, mean, sd and the percentiles 1..99
(`p1`..`p99`, numpy's linear interpolation) of one scale.

For a student and a scale (`security_screen`):

* z = (score − mean) / sd of the norm group;
* percentile = where the score falls among the norm group's percentiles (the middle of a run of tied
  percentiles; 0.5 below p1, 99.5 above p99);
* cut-off = the norm group's `cutoff_percentile` (15th by default) for scales where low is worse, and its
  100 − `cutoff_percentile` (85th) for teacher–student conflict, where high is worse;
* SEM = sd × sqrt(1 − reliability) (standard error of measurement; classical test theory, e.g. Harvill, 1991,
  Educational Measurement: Issues and Practice 10(2));
* flagged when (cut-off − score) / SEM > z_confidence (one-sided; 1.645 at 0.95), reversed for conflict: a score
  just below the cut-off, within measurement error of it, is not flagged.

Reliability comes from the items (`reliability_from_items`, Cronbach's alpha of each scale's items in the
wave being screened, reverse keys applied). The instrument files carry no reported alphas, so there is no default:
a screen without item data must be given reliabilities.

Norm tables are for scoring. Its extreme percentiles (p1, p99) lie close to single students' scores: publish
norms only as n, mean, sd and middle percentiles.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd

from safeschool.instruments.registry import Instrument, registry
from safeschool.stats.psychometrics import cronbach_alpha, reverse_keyed
from safeschool.vocabulary import MIN_CELL

# The screen's scales and their direction: +1 when a high score is better, −1 when a high score is worse.
SCREEN_SCALES: dict[str, int] = {"security": +1, "closeness": +1, "conflict": -1, "belonging": +1, "engagement": +1}
PERCENTILES = tuple(range(1, 100))
ALL = "all"


class NormsError(ValueError):
    """Norms or a screen that cannot be computed, with the scale or column named."""


def _levels(by: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The norm groups from the finest to everyone: ("stage", "country_id"), ("stage",), ()."""
    return [tuple(by[:i]) for i in range(len(by), -1, -1)]


def _level_name(keys: tuple[str, ...]) -> str:
    return " × ".join(keys) if keys else ALL


def _describe(scores: pd.Series) -> dict:
    values = scores.dropna().to_numpy(dtype=float)
    row = {"n": len(values), "mean": float(values.mean()), "sd": float(values.std(ddof=1))}
    row |= {f"p{q}": float(v) for q, v in zip(PERCENTILES, np.percentile(values, PERCENTILES), strict=True)}
    return row


def norms(table: pd.DataFrame, by: tuple[str, ...] = ("stage", "country_id"), *,
          scales: tuple[str, ...] = tuple(SCREEN_SCALES), min_n: int = MIN_CELL) -> pd.DataFrame:
    """Norms per group and scale: one row per norm group (every level of `by`, finest first) and scale with
    columns `norm_group` ("stage × country_id", "stage", "all"), the `by` columns (missing above the group's
    level), `scale`, `n`, `mean`, `sd`, `p1`..`p99`. Groups with fewer than `min_n` scored students are left out.
    """
    missing = [c for c in (*by, *scales) if c not in table]
    if missing:
        raise NormsError(f"the table has no column {', '.join(missing)}")
    rows = []
    for keys in _levels(tuple(by)):
        groups = table.groupby(list(keys), dropna=True) if keys else [((), table)]
        for values, frame in groups:
            values = values if isinstance(values, tuple) else (values,)
            for scale in scales:
                if frame[scale].notna().sum() < max(min_n, 2):
                    continue
                rows.append({"norm_group": _level_name(keys), **dict.fromkeys(by),
                             **dict(zip(keys, values, strict=True)), "scale": scale, **_describe(frame[scale])})
    columns = ["norm_group", *by, "scale", "n", "mean", "sd", *(f"p{q}" for q in PERCENTILES)]
    return pd.DataFrame(rows, columns=columns)


def _percentiles(scores: np.ndarray, quantiles: np.ndarray) -> np.ndarray:
    """Where each score falls among the percentiles 1..99: the middle of a run of tied percentiles, linear between
    two, 0.5 below p1 and 99.5 above p99."""
    grid = np.asarray(PERCENTILES, dtype=float)
    lo, hi = np.searchsorted(quantiles, scores, "left"), np.searchsorted(quantiles, scores, "right")
    inside = np.clip(lo, 1, len(grid) - 1)
    a, b = quantiles[inside - 1], quantiles[inside]
    with np.errstate(divide="ignore", invalid="ignore"):
        between = grid[inside - 1] + np.where(b > a, (scores - a) / (b - a), 0.5)
    tied = (grid[np.minimum(lo, len(grid) - 1)] + grid[np.maximum(hi - 1, 0)]) / 2
    return np.where(lo < hi, tied, np.where(lo == 0, 0.5, np.where(lo == len(grid), 99.5, between)))


def _assign(scored: pd.DataFrame, rows: pd.DataFrame, by: tuple[str, ...]) -> np.ndarray:
    """The position in `rows` of each student's norm group: the finest level that has a row for them."""
    found = np.full(len(scored), -1)
    for keys in _levels(by):
        level = rows[rows["norm_group"] == _level_name(keys)]
        if level.empty:
            continue
        if keys:
            match = scored[list(keys)].merge(level[[*keys, "_row"]], on=list(keys), how="left")["_row"]
            match = match.fillna(-1).to_numpy(dtype=int)
        else:
            match = np.full(len(scored), int(level["_row"].iloc[0]))
        found = np.where(found < 0, match, found)
    return found


def security_screen(table: pd.DataFrame, norm_table: pd.DataFrame, reliability: dict[str, float], *,
                    cutoff_percentile: float = 15, confidence: float = 0.95,
                    by: tuple[str, ...] = ("stage", "country_id")) -> pd.DataFrame:
    """Per student and scale with a score: `student_id` (and `school_id`, `class_id` when the table has them),
    `scale`, `score`, `norm_group`, `z`, `percentile`, `cutoff`, `sem`, `below_cutoff` (on the worse side of the
    cut-off) and `flagged` (reliably so). See the module docstring for the formulas."""
    if not 0 < cutoff_percentile < 100:
        raise NormsError(f"cutoff_percentile must lie between 0 and 100 (got {cutoff_percentile})")
    if not 0.5 <= confidence < 1:
        raise NormsError(f"confidence must lie in [0.5, 1) (got {confidence})")
    scales = [s for s in SCREEN_SCALES if s in table and s in set(norm_table["scale"])]
    lacking = [s for s in scales if s not in reliability]
    if lacking:
        raise NormsError(f"no reliability for {', '.join(lacking)}")
    bad = {s: r for s, r in reliability.items() if s in scales and not 0 <= r < 1}
    if bad:
        raise NormsError(f"reliability must lie in [0, 1): {', '.join(f'{s}={r}' for s, r in bad.items())}")
    z_crit = NormalDist().inv_cdf(confidence)
    ids = [c for c in ("student_id", "school_id", "class_id") if c in table]
    quantile_columns = [f"p{q}" for q in PERCENTILES]
    parts = []
    for scale in scales:
        direction = SCREEN_SCALES[scale]
        at = cutoff_percentile if direction > 0 else 100 - cutoff_percentile
        rows = norm_table[norm_table["scale"] == scale].reset_index(drop=True)
        rows["_row"] = np.arange(len(rows))
        scored = table.loc[table[scale].notna(), [*ids, *by, scale]].reset_index(drop=True)
        found = _assign(scored, rows, tuple(by))
        if (found < 0).any():
            raise NormsError(f"no norm group of at least {MIN_CELL} students for {scale}")
        score = scored[scale].to_numpy(dtype=float)
        sd, mean = rows["sd"].to_numpy(dtype=float)[found], rows["mean"].to_numpy(dtype=float)[found]
        cutoff, percentile = np.empty(len(score)), np.empty(len(score))
        for row in np.unique(found):
            mine = found == row
            own = rows.loc[row, quantile_columns].to_numpy(dtype=float)
            cutoff[mine] = np.interp(at, PERCENTILES, own)
            percentile[mine] = _percentiles(score[mine], own)
        sem = sd * np.sqrt(1 - reliability[scale])
        shortfall = (cutoff - score) * direction  # > 0: on the worse side of the cut-off
        with np.errstate(divide="ignore", invalid="ignore"):
            reliably = np.where(sem > 0, shortfall / np.where(sem > 0, sem, 1) > z_crit, shortfall > 0)
            z = np.where(sd > 0, (score - mean) / np.where(sd > 0, sd, 1), 0.0)
        parts.append(pd.DataFrame({**{k: scored[k].to_numpy() for k in ids}, "scale": scale, "score": score,
                                   "norm_group": rows["norm_group"].to_numpy()[found], "z": z, "percentile": percentile,
                                   "cutoff": cutoff, "sem": sem, "below_cutoff": shortfall > 0,
                                   "flagged": reliably.astype(bool)}))
    columns = [*ids, "scale", "score", "norm_group", "z", "percentile", "cutoff", "sem", "below_cutoff", "flagged"]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def reliability_from_items(items: pd.DataFrame, instrument: Instrument) -> dict[str, float]:
    """Cronbach's alpha of each of the instrument's scales that fills a screen scale (`target` student.<scale>),
    from item answers (columns `{code}_{n}`; reverse-keyed items recoded first). Pass the rows of the wave being
    screened."""
    out = {}
    for scale in instrument.scales:
        field = (scale.target or "").removeprefix("student.")
        if field not in SCREEN_SCALES or not scale.target.startswith("student."):
            continue
        missing = [i for i in scale.items if i not in items]
        if missing:
            raise NormsError(f"{instrument.code}: item(s) {', '.join(missing[:3])} missing for scale {scale.code}")
        block = reverse_keyed(items[list(scale.items)].astype(float),
                              [i for i in instrument.reverse if i in scale.items],
                              instrument.minimum, instrument.maximum)
        out[field] = cronbach_alpha(block)[0]
    return out


def screen_reliabilities(items: pd.DataFrame, instruments: dict[str, Instrument] | None = None) -> dict[str, float]:
    """`reliability_from_items` over every registry instrument whose items are all in `items`: the reliability
    of each screen scale the item data can give."""
    out: dict[str, float] = {}
    for instrument in (instruments or registry()).values():
        if any(s.target and s.target.removeprefix("student.") in SCREEN_SCALES for s in instrument.scales) \
                and all(i in items for i in instrument.items):
            out |= reliability_from_items(items, instrument)
    return out
