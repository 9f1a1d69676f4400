"""Delphi statistics: per statement and round the distribution of ratings, the verdict under each consensus rule,
and the stability between rounds. No Django; ratings come as a DataFrame (panellist, group, statement, round,
rating).

Rules (scale 1-9 unless stated; "low", "middle" and "high" are the thirds of the scale, 1-3, 4-6, 7-9):

- ``comet``: consensus *in* when at least 70 % rate high and fewer than 15 % rate low; *out* symmetrically
  (COMET Initiative; Williamson et al., 2017, Trials 18:280).
- ``agreement``: *in* when at least ``threshold`` (default 75 %) rate high, *out* when at least that share rate low.
- ``iqr``: *in* when the IQR is at most ``max_iqr`` (default 2) and the median is high, *out* when the median is
  low; a small IQR around a middle median is *uncertain*.
- ``rand``: the RAND/UCLA appropriateness method (Fitch et al., 2001, The RAND/UCLA Appropriateness Method
  User's Manual, RAND MR-1269): *appropriate* (in) with a median of 7-9 and no disagreement, *inappropriate*
  (out) with a median of 1-3 and no disagreement, *uncertain* otherwise. Disagreement is judged by the
  interpercentile range adjusted for symmetry (``rand_method="ipras"``: IPR = P70 - P30 exceeds
  IPRAS = 2.35 + 1.5 x |5 - (P30 + P70)/2|) or by the panel-size rule (``"panel"``: at least k panellists rate
  1-3 and at least k rate 7-9, with k = floor((n + 1) / 3), which gives the manual's 3 for 8-10 panellists, 4 for
  11-13 and 5 for 14-16; agreement when at most k - 1 rate outside the three-point band holding the median).

Percentiles are linear interpolations between order statistics (numpy's default; R's type 7). With
``by_group``, a verdict of in or out must hold within every stakeholder group, otherwise it is "no consensus".
Stability: the change in IQR from the previous round and a Wilcoxon signed-rank test on the ratings of
panellists who rated the statement in both rounds (SciPy, two-sided; "pratt" handling of zero differences).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as st

RULES = ("comet", "agreement", "iqr", "rand")
COLUMNS = ("panellist", "group", "statement", "round", "rating")


class DelphiError(ValueError):
    """Ratings or settings that cannot be analysed, with the row or option named."""


@dataclass(frozen=True)
class Rule:
    """A consensus definition, fixed before round 1 opens."""

    name: str = "comet"
    threshold: float = 0.75  # agreement: share in the high (or low) band
    max_iqr: float = 2.0  # iqr
    rand_method: str = "ipras"  # rand: ipras | panel
    by_group: bool = False  # the verdict must hold within every stakeholder group
    comet_in: float = 0.70
    comet_against: float = 0.15

    def __post_init__(self):
        if self.name not in RULES:
            raise DelphiError(f"rule must be one of {', '.join(RULES)} (got '{self.name}')")
        if not 0.5 <= self.threshold <= 1:
            raise DelphiError("threshold must be between 0.5 and 1")
        if self.max_iqr < 0:
            raise DelphiError("max_iqr must be 0 or more")
        if self.rand_method not in ("ipras", "panel"):
            raise DelphiError("rand_method must be ipras or panel")

    def describe(self) -> str:
        text = {
            "comet": f"COMET: in when ≥{self.comet_in:.0%} rate 7-9 and <{self.comet_against:.0%} rate 1-3; out "
                     "symmetrically",
            "agreement": f"percent agreement: in when ≥{self.threshold:.0%} rate 7-9, out when ≥{self.threshold:.0%} "
                         "rate 1-3",
            "iqr": f"median/IQR: in when IQR ≤ {self.max_iqr:g} and median 7-9, out when IQR ≤ {self.max_iqr:g} and "
                   "median 1-3",
            "rand": "RAND/UCLA: appropriate (median 7-9) or inappropriate (median 1-3) without disagreement, "
                    + ("disagreement when IPR > IPRAS" if self.rand_method == "ipras"
                       else "disagreement by the panel-size rule"),
        }[self.name]
        return text + ("; must hold within every stakeholder group" if self.by_group else "")


@dataclass(frozen=True)
class Scale:
    low: int = 1
    high: int = 9

    def __post_init__(self):
        if self.high <= self.low or (self.high - self.low + 1) % 3:
            raise DelphiError(f"scale {self.low}-{self.high}: its points must split into three equal bands "
                              "(e.g. 1-9)")

    @property
    def band(self) -> int:
        return (self.high - self.low + 1) // 3

    def bands(self, ratings: np.ndarray) -> tuple[float, float, float]:
        n = len(ratings)
        low = int(np.sum(ratings < self.low + self.band))
        high = int(np.sum(ratings > self.high - self.band))
        return low / n, (n - low - high) / n, high / n

    @property
    def midpoint(self) -> float:
        return (self.low + self.high) / 2


def validate(ratings: pd.DataFrame, scale: Scale = Scale()) -> pd.DataFrame:
    """Columns present, ratings whole numbers on the scale, one rating per panellist, statement and round;
    DelphiError names the first offending row (numbered from 1, after the header)."""
    missing = [c for c in COLUMNS if c not in ratings]
    if missing:
        raise DelphiError(f"missing column(s): {', '.join(missing)} (need {', '.join(COLUMNS)})")
    frame = ratings[list(COLUMNS)].copy()
    value = pd.to_numeric(frame["rating"], errors="coerce")
    bad = value.isna() | (value % 1 != 0) | (value < scale.low) | (value > scale.high)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DelphiError(f"row {i + 1}: rating '{frame['rating'].iloc[i]}' is not a whole number from "
                          f"{scale.low} to {scale.high}")
    rounds = pd.to_numeric(frame["round"], errors="coerce")
    if rounds.isna().any() or (rounds < 1).any():
        i = int(np.flatnonzero((rounds.isna() | (rounds < 1)).to_numpy())[0])
        raise DelphiError(f"row {i + 1}: round '{frame['round'].iloc[i]}' is not a round number (1, 2, ...)")
    frame["rating"], frame["round"] = value.astype(int), rounds.astype(int)
    frame["panellist"], frame["statement"] = frame["panellist"].astype(str), frame["statement"].astype(str)
    frame["group"] = frame["group"].fillna("").astype(str)
    dup = frame.duplicated(["panellist", "statement", "round"])
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise DelphiError(f"row {i + 1}: panellist {frame['panellist'].iloc[i]} rated statement "
                          f"{frame['statement'].iloc[i]} twice in round {frame['round'].iloc[i]}")
    return frame


def _quantiles(values: np.ndarray, qs: tuple[float, ...]) -> list[float]:
    """Type-7 quantiles (numpy's default) of integer ratings from their counts: the sorted data are implied by
    the cumulative counts, so each quantile costs a search over the scale points instead of a sort."""
    low = int(values.min())
    cum = np.cumsum(np.bincount(values - low))
    n = int(cum[-1])
    out = []
    for q in qs:
        h = (n - 1) * q
        k = int(np.floor(h))
        a = low + int(np.searchsorted(cum, k, side="right"))
        b = low + int(np.searchsorted(cum, min(k + 1, n - 1), side="right"))
        out.append(a + (h - k) * (b - a))
    return out


def summary(ratings: np.ndarray, scale: Scale = Scale()) -> dict:
    """n, median, quartiles, IQR, P30/P70, IPR, mean, SD and the share in each band of one statement's ratings."""
    r = np.asarray(ratings)
    if len(r) == 0:
        return {"n": 0}
    if np.issubdtype(r.dtype, np.integer):
        q1, median, q3, p30, p70 = _quantiles(r.astype(np.int64), (0.25, 0.5, 0.75, 0.30, 0.70))
    else:
        q1, median, q3, p30, p70 = np.percentile(r, [25, 50, 75, 30, 70])
    r = r.astype(float)
    low, middle, high = scale.bands(r)
    return {"n": int(len(r)), "median": float(median), "q1": float(q1), "q3": float(q3), "iqr": float(q3 - q1),
            "p30": float(p30), "p70": float(p70), "ipr": float(p70 - p30), "mean": float(r.mean()),
            "sd": float(r.std(ddof=1)) if len(r) > 1 else 0.0, "low": low, "middle": middle, "high": high}


def _third(value: float, scale: Scale) -> str:
    if value < scale.low + scale.band:
        return "low"
    if value > scale.high - scale.band:
        return "high"
    return "middle"


def verdict(ratings: np.ndarray, rule: Rule, scale: Scale = Scale(), s: dict | None = None) -> str:
    """'in', 'out', 'uncertain' or 'no consensus' for one set of ratings (no grouping); `s` is its summary when
    already computed."""
    if len(ratings) == 0:
        return "no consensus"
    if rule.name in ("comet", "agreement"):  # the band shares are all these rules need
        low, _middle, high = (s["low"], s["middle"], s["high"]) if s else scale.bands(np.asarray(ratings))
        if rule.name == "comet":
            if high >= rule.comet_in and low < rule.comet_against:
                return "in"
            if low >= rule.comet_in and high < rule.comet_against:
                return "out"
            return "no consensus"
        if high >= rule.threshold:
            return "in"
        if low >= rule.threshold:
            return "out"
        return "no consensus"
    s = s or summary(ratings, scale)
    if rule.name == "iqr":
        if s["iqr"] > rule.max_iqr:
            return "no consensus"
        return {"high": "in", "low": "out", "middle": "uncertain"}[_third(s["median"], scale)]
    # rand
    if rand_disagreement(ratings, rule.rand_method, scale, s):
        return "uncertain"
    return {"high": "in", "low": "out", "middle": "uncertain"}[_third(s["median"], scale)]


def rand_disagreement(ratings: np.ndarray, method: str = "ipras", scale: Scale = Scale(),
                      s: dict | None = None) -> bool:
    r = np.asarray(ratings, dtype=float)
    if method == "ipras":
        p30, p70 = (s["p30"], s["p70"]) if s else np.percentile(r, [30, 70])
        asymmetry = abs(scale.midpoint - (p30 + p70) / 2)
        return bool(p70 - p30 > 2.35 + 1.5 * asymmetry)
    k = (len(r) + 1) // 3
    low = np.sum(r < scale.low + scale.band)
    high = np.sum(r > scale.high - scale.band)
    return bool(low >= k and high >= k)


def rand_agreement(ratings: np.ndarray, scale: Scale = Scale()) -> bool:
    """Panel-size rule: at most k - 1 ratings outside the three-point band that holds the median."""
    r = np.asarray(ratings, dtype=float)
    k = (len(r) + 1) // 3
    third = _third(float(np.median(r)), scale)
    inside = {"low": r < scale.low + scale.band, "high": r > scale.high - scale.band,
              "middle": (r >= scale.low + scale.band) & (r <= scale.high - scale.band)}[third]
    return bool(np.sum(~inside) <= k - 1)


def _rules(rule: Rule) -> dict[str, Rule]:
    """Every rule with the chosen rule's settings (for the verdict under each rule)."""
    return {name: Rule(name=name, threshold=rule.threshold, max_iqr=rule.max_iqr, rand_method=rule.rand_method,
                       comet_in=rule.comet_in, comet_against=rule.comet_against) for name in RULES}


def _row(statement: str, rnd: int | None, values: np.ndarray, codes: np.ndarray, group_names, rule: Rule,
         rules: dict[str, Rule], scale: Scale) -> dict:
    """One statement in one round: distribution, the verdict under every rule, the chosen rule's verdict per group
    (codes: each rating's group code) and overall."""
    s = summary(values, scale)
    row = {"statement": statement, "round": rnd, **s}
    for name, r in rules.items():
        row[f"verdict_{name}"] = verdict(values, r, scale, s)
    row["disagreement_rand"] = rand_disagreement(values, rule.rand_method, scale, s)
    groups = {str(group_names[g]): verdict(values[codes == g], rules[rule.name], scale) for g in np.unique(codes)}
    row["verdict_by_group"] = dict(sorted(groups.items()))
    overall = row[f"verdict_{rule.name}"]
    if rule.by_group and overall in ("in", "out") and any(v != overall for v in groups.values()):
        overall = "no consensus"
    row["verdict"] = overall
    return row


def statement_stats(ratings: pd.DataFrame, rule: Rule = Rule(), scale: Scale = Scale(),
                    alpha: float = 0.05) -> pd.DataFrame:
    """One row per statement and round: distribution, every rule's verdict, the chosen rule's verdict (with
    groups if the rule requires it), and stability against the previous round."""
    frame = validate(ratings, scale)
    rules = _rules(rule)
    value = frame["rating"].to_numpy()
    person = pd.factorize(frame["panellist"])[0]
    group_code, group_names = pd.factorize(frame["group"])
    blocks = frame.groupby(["statement", "round"], sort=True).indices
    rows = []
    for (statement, rnd), idx in blocks.items():
        row = _row(statement, int(rnd), value[idx], group_code[idx], group_names, rule, rules, scale)
        previous = blocks.get((statement, rnd - 1))
        if previous is not None:  # pair the panellists who rated the statement in both rounds
            _, i, j = np.intersect1d(person[previous], person[idx], assume_unique=True, return_indices=True)
            row.update(_stability(value[idx][j] - value[previous][i], summary(value[previous], scale)["iqr"],
                                  row["iqr"], alpha))
        rows.append(row)
    return pd.DataFrame(rows)


def stats_from_counts(counts: pd.DataFrame, differences: pd.DataFrame | None = None, rule: Rule = Rule(),
                      scale: Scale = Scale(), alpha: float = 0.05, previous: pd.DataFrame | None = None,
                      previous_iqr: dict | None = None) -> pd.DataFrame:
    """The same table as `statement_stats` for one round, from aggregates a database can compute in a GROUP BY:
    `counts` (statement, group, round, value, n) of this round, `differences` (statement, d, n) of the paired
    changes d = this round's rating minus the previous one, and the previous round as its counts (`previous`) or
    directly as each statement's IQR (`previous_iqr`)."""
    rules = _rules(rule)
    rnd = int(counts["round"].iloc[0]) if "round" in counts and len(counts) else None
    value = counts["value"].to_numpy(dtype=np.int64)
    n = counts["n"].to_numpy(dtype=np.int64)
    group_code, group_names = pd.factorize(counts["group"].astype(str))
    if previous_iqr is None and previous is not None:
        previous_iqr = {}
        pv, pn = previous["value"].to_numpy(dtype=np.int64), previous["n"].to_numpy(dtype=np.int64)
        for statement, idx in previous.groupby("statement").indices.items():
            previous_iqr[statement] = summary(np.repeat(pv[idx], pn[idx]), scale)["iqr"]
    diff_index = differences.groupby("statement").indices if differences is not None and len(differences) else {}
    dv = differences["d"].to_numpy(dtype=np.int64) if diff_index else None
    dn = differences["n"].to_numpy(dtype=np.int64) if diff_index else None
    rows = []
    for statement, idx in sorted(counts.groupby("statement").indices.items()):
        row = _row(statement, rnd, np.repeat(value[idx], n[idx]), np.repeat(group_code[idx], n[idx]), group_names,
                   rule, rules, scale)
        if previous_iqr is not None and statement in previous_iqr:
            j = diff_index.get(statement)
            d = np.repeat(dv[j], dn[j]) if j is not None else np.array([], dtype=np.int64)
            row.update(_stability(d, previous_iqr[statement], row["iqr"], alpha))
        rows.append(row)
    return pd.DataFrame(rows)


def _stability(d: np.ndarray, iqr_before: float, iqr_after: float, alpha: float) -> dict:
    """Change in IQR and a Wilcoxon signed-rank test on the paired changes d of panellists present in both rounds."""
    out = {"iqr_change": float(iqr_after - iqr_before), "n_paired": int(len(d)), "changed": int(np.sum(d != 0))}
    if len(d) == 0:
        out.update({"wilcoxon_statistic": None, "wilcoxon_p": None, "stable": None})
    elif np.all(d == 0):
        out.update({"wilcoxon_statistic": 0.0, "wilcoxon_p": 1.0, "stable": True})
    else:
        test = st.wilcoxon(d, zero_method="pratt")
        p = float(test.pvalue)
        out.update({"wilcoxon_statistic": float(test.statistic), "wilcoxon_p": p, "stable": bool(p >= alpha)})
    return out


def records(table: pd.DataFrame) -> list[dict]:
    """The table's rows as JSON-ready dicts (NaN becomes None)."""
    return [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
            for row in table.to_dict("records")]


def response(ratings: pd.DataFrame, panel: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per round and stakeholder group: panellists who rated anything, and attrition from the previous round
    (invited panellists from `panel` with columns panellist, group, when given)."""
    frame = ratings.assign(panellist=ratings["panellist"].astype(str), group=ratings["group"].fillna("").astype(str))
    rounds = sorted(frame["round"].unique())
    invited = (panel.assign(panellist=panel["panellist"].astype(str)).groupby("group")["panellist"].nunique()
               if panel is not None else None)
    rows = []
    previous: dict[str, set] = {}
    for rnd in rounds:
        block = frame[frame["round"] == rnd]
        for group, g in block.groupby("group"):
            present = set(g["panellist"])
            before = previous.get(group)
            rows.append({"round": int(rnd), "group": group, "responded": len(present),
                         "invited": int(invited.get(group, 0)) if invited is not None else None,
                         "response_rate": (len(present) / invited[group]) if invited is not None
                         and invited.get(group) else None,
                         "lost_since_previous": len(before - present) if before is not None else None,
                         "attrition": (len(before - present) / len(before)) if before else None})
            previous[group] = present
    return pd.DataFrame(rows)


def report(ratings: pd.DataFrame, rule: Rule = Rule(), scale: Scale = Scale()) -> dict:
    """The JSON `safeschool delphi-stats` writes."""
    table = statement_stats(ratings, rule, scale)
    last = table["round"].max()
    final = table[table["round"] == last]
    return {"rule": rule.name, "definition": rule.describe(), "scale": [scale.low, scale.high],
            "rounds": sorted(int(r) for r in table["round"].unique()),
            "panellists": int(ratings["panellist"].astype(str).nunique()),
            "final_round": {"in": int((final["verdict"] == "in").sum()), "out": int((final["verdict"] == "out").sum()),
                            "uncertain": int((final["verdict"] == "uncertain").sum()),
                            "no_consensus": int((final["verdict"] == "no consensus").sum())},
            "response": response(ratings).to_dict("records"),
            "statements": records(table)}
