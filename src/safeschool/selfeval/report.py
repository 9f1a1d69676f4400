"""The school report of one self-evaluation campaign, the rows a closed campaign keeps, and the network summary
(issue 16 §3); pure (no Django), vectorised with pandas. The web page, its PDF and `safeschool selfeval report` all
call `school_report`; definitions in docs/selfeval.md ("The school report").

* **groups** — each informant group that answered, its n and whether it is shown (n at least
  ``questionnaire.min_n``). A group that is not shown appears nowhere else in the report: no score, gap, strength,
  comparison, change or reliability comes from its answers.
* **scores** — dimension, subdimension and indicator scores per shown group (scoring.py's rule).
* **gaps** — for every pair of shown groups, each dimension and subdimension both have a score for:
  ``gap = a_100 − b_100`` (a is the earlier group in INFORMANTS order), ``large`` when ``|gap| ≥ 15`` points;
  sorted by ``|gap|`` (largest first), then questionnaire order, then pair order.
* **strengths / priorities** — the subdimensions with the highest / lowest mean 0–100 over the shown groups (an
  unweighted mean of the groups' scores), three each; ties by questionnaire order; never both (with fewer than six
  scored subdimensions the higher half are strengths).
* **comparison** — per dimension and subdimension score: the percentile among the peer schools that have a score
  for the same code and group, ``100 × (lower + ½ ties) / peers_n``, and the peers' median; both None when
  ``peers_n < MIN_CELL``.
* **change** — each score against the previous campaign's (after − before), indicators included.
* **reliability** — Cronbach's alpha of each dimension's Likert indicators per shown group, over the respondents
  who answered all of them (stats.psychometrics.cronbach_alpha, with its 95% CI); None below MIN_CELL such
  respondents or with fewer than two items.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from safeschool.selfeval.questionnaire import INFORMANTS, Questionnaire
from safeschool.selfeval.scoring import indicator_table, score
from safeschool.stats.psychometrics import ReliabilityError, cronbach_alpha
from safeschool.vocabulary import MIN_CELL

LARGE_GAP = 15.0   # points of 0-100: a perception gap worth talking about
TOP = 3            # strengths and priorities listed
SCORE_LEVELS = ("dimension", "subdimension", "indicator")
KEY = ["level", "code", "informant"]
ALL_COUNTRIES = "all"  # network_summary's country for a stage across the whole network


def json_safe(value):
    """The value with every NaN or infinite float as None and numpy numbers as Python ones (JSON has no NaN)."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _none(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _order(questionnaire: Questionnaire) -> dict[str, int]:
    """Questionnaire (display) order of every dimension, subdimension and indicator code."""
    codes = []
    for d in questionnaire.dimensions:
        codes.append(d.code)
        for s in d.subdimensions:
            codes.append(s.code)
            codes.extend(i.code for i in s.indicators)
    return {code: k for k, code in enumerate(codes)}


def results_rows(responses: pd.DataFrame, questionnaire: Questionnaire) -> list[dict]:
    """What a closed campaign keeps (`Campaign.results`): per school and informant group, `scoring.score`'s
    dimension and subdimension rows, then one row per indicator asked of the group, every row with ``level``
    ("dimension", "subdimension" or "indicator") and ``code``. Scores are None (never a number) where the group or
    the indicator is below its threshold; an indicator row's ``n`` is the number of answers when shown."""
    if responses.empty:
        return []
    rows = [{"school": r["school"], "informant": r["informant"],
             "level": "dimension" if r["subdimension"] is None else "subdimension",
             "code": r["subdimension"] or r["dimension"], "dimension": r["dimension"],
             "subdimension": r["subdimension"], "score": r["score"], "score_100": r["score_100"], "n": r["n"]}
            for r in score(responses, questionnaire)]
    t = indicator_table(responses, questionnaire)
    where = {i.code: (d.code, s.code) for d in questionnaire.dimensions for s in d.subdimensions
             for i in s.indicators}
    asked = {c: set(questionnaire.indicators[c].informants) for c in t.codes}
    rank = {g: k for k, g in enumerate(INFORMANTS)}
    pairs = list(t.index)
    groups = sorted(range(len(pairs)), key=lambda k: (str(pairs[k][0]), rank.get(pairs[k][1], 99)))
    means, scaled, answered = t.means.tolist(), t.scaled.tolist(), t.answered.tolist()
    for k in groups:
        school, informant = pairs[k]
        for j, code in enumerate(t.codes):
            if informant not in asked[code]:
                continue
            value = means[k][j]
            shown = value == value  # not NaN
            rows.append({"school": school, "informant": informant, "level": "indicator", "code": code,
                         "dimension": where[code][0], "subdimension": where[code][1],
                         "score": value if shown else None, "score_100": scaled[k][j] if shown else None,
                         "n": int(answered[k][j]) if shown else None})
    return rows


def _records(rows: Iterable[Mapping], levels: tuple[str, ...], peer=None) -> list[tuple]:
    """(level, code, informant, score_100, school or `peer`) of the result rows with a score at the given levels;
    rows of `results_rows`, or plain `scoring.score` rows (no level and code)."""
    out = []
    for r in rows:
        value = r.get("score_100")
        if value is None or value != value:  # None or NaN: hidden
            continue
        level = r.get("level") or ("dimension" if r.get("subdimension") is None else "subdimension")
        if level in levels:
            out.append((level, r.get("code") or r.get("subdimension") or r.get("dimension"), r.get("informant"),
                        float(value), r.get("school") if peer is None else peer))
    return out


def school_report(responses: pd.DataFrame, questionnaire: Questionnaire, *, peers: Iterable | None = None,
                  peers_scope: str = "stage_country", previous: Iterable[Mapping] | None = None) -> dict:
    """The report of ONE school's campaign (``responses``: columns school, informant, indicator codes). ``peers``:
    the other schools' stored result rows, a list per school (or one flat list with ``school`` keys);
    ``previous``: the school's previous campaign's result rows. Keys: groups, scores, gaps, strengths, priorities,
    comparison, change, reliability (see the module docstring)."""
    schools = responses["school"].dropna().unique() if "school" in responses else []
    if len(schools) > 1:
        raise ValueError(f"a school report is about one school (the responses hold {len(schools)})")
    rows = results_rows(responses, questionnaire)
    shown = _shown_groups(responses, questionnaire)
    present = set(responses["informant"]) if "informant" in responses else set()
    groups = [{"informant": g, "n": shown.get(g), "shown": g in shown} for g in INFORMANTS if g in present]
    scores = [{"level": r["level"], "code": r["code"], "dimension": r["dimension"],
               "subdimension": r["subdimension"], "informant": r["informant"], "score": r["score"],
               "score_100": r["score_100"], "n": r["n"]} for r in rows if r["informant"] in shown]
    order = _order(questionnaire)
    mine = {(r["level"], r["code"], r["informant"]): r["score_100"] for r in scores if r["score_100"] is not None}
    strengths, priorities = _strengths_priorities(mine, questionnaire, order)
    return {
        "groups": groups,
        "scores": scores,
        "gaps": _gaps(mine, order),
        "strengths": strengths,
        "priorities": priorities,
        "comparison": _comparison(mine, peers, peers_scope, exclude={str(s) for s in schools}),
        "change": _change(mine, previous),
        "reliability": _reliability(responses, questionnaire, shown),
    }


def _shown_groups(responses: pd.DataFrame, questionnaire: Questionnaire) -> dict[str, int]:
    """informant -> n for the groups at or above their threshold."""
    if responses.empty:
        return {}
    sizes = responses.groupby("informant", sort=False).size()
    return {g: int(sizes[g]) for g in INFORMANTS if g in sizes.index and sizes[g] >= questionnaire.min_n(g)}


def _gaps(mine: dict[tuple, float], order: dict[str, int]) -> list[dict]:
    groups = [g for g in INFORMANTS if any(k[2] == g for k in mine)]
    parts = sorted({(level, code) for level, code, _ in mine if level != "indicator"}, key=lambda p: order[p[1]])
    out = []
    pairs = [(a, b) for i, a in enumerate(groups) for b in groups[i + 1:]]
    for p, (a, b) in enumerate(pairs):
        for level, code in parts:
            a_100, b_100 = mine.get((level, code, a)), mine.get((level, code, b))
            if a_100 is None or b_100 is None:
                continue
            gap = a_100 - b_100
            out.append(({"level": level, "code": code, "a": a, "b": b, "a_100": a_100, "b_100": b_100, "gap": gap,
                         "large": abs(gap) >= LARGE_GAP}, (-abs(gap), order[code], p)))
    return [row for row, _ in sorted(out, key=lambda item: item[1])]


def _strengths_priorities(mine: dict[tuple, float], questionnaire: Questionnaire,
                          order: dict[str, int]) -> tuple[list[dict], list[dict]]:
    by_code: dict[str, list[float]] = {}
    for (level, code, _), value in mine.items():
        if level == "subdimension":
            by_code.setdefault(code, []).append(value)
    dimension_of = {s.code: d.code for d in questionnaire.dimensions for s in d.subdimensions}
    ranked = sorted(((float(np.mean(v)), order[c], c) for c, v in by_code.items()), key=lambda t: (-t[0], t[1]))
    n_strengths = TOP if len(ranked) >= 2 * TOP else len(ranked) // 2
    rest = sorted(ranked[n_strengths:], key=lambda t: (t[0], t[1]))[:TOP]

    def row(item):
        return {"code": item[2], "dimension": dimension_of[item[2]], "score_100": item[0]}

    return [row(t) for t in ranked[:n_strengths]], [row(t) for t in rest]


def _peer_scores(peers: Iterable | None, exclude: set[str]) -> dict[tuple, np.ndarray]:
    """(level, code, informant) -> the peers' 0-100 scores at the dimension and subdimension levels, one per school
    (a school's code, else its position in the list)."""
    levels = ("dimension", "subdimension")
    peers = list(peers or [])
    if peers and isinstance(peers[0], Mapping):  # one flat list: the schools are told by their `school` key
        records = [(*r[:4], str(r[4])) for r in _records(peers, levels)]
    else:
        records = []
        for k, rows in enumerate(peers):
            rows = list(rows or [])
            school = next((r.get("school") for r in rows if r.get("school") is not None), None)
            records.extend(_records(rows, levels, peer=f"#{k}" if school is None else str(school)))
    found: dict[tuple, dict[str, float]] = {}
    for level, code, informant, value, peer in records:
        if peer not in exclude:
            found.setdefault((level, code, informant), {}).setdefault(peer, value)
    return {key: np.fromiter(values.values(), dtype=float) for key, values in found.items()}


def _comparison(mine: dict[tuple, float], peers, scope: str, *, exclude: set[str]) -> list[dict]:
    others = _peer_scores(peers, exclude)
    out = []
    for (level, code, informant), x in mine.items():
        if level == "indicator":
            continue
        y = others.get((level, code, informant), np.empty(0))
        enough = len(y) >= MIN_CELL
        x9, y9 = round(x, 9), np.round(y, 9)
        percentile = 100 * (np.sum(y9 < x9) + 0.5 * np.sum(y9 == x9)) / len(y) if enough else None
        out.append({"level": level, "code": code, "informant": informant, "score_100": x,
                    "percentile": None if percentile is None else float(percentile), "peers_n": int(len(y)),
                    "peer_median": float(np.median(y)) if enough else None, "scope": scope})
    return out


def _change(mine: dict[tuple, float], previous: Iterable[Mapping] | None) -> list[dict]:
    if previous is None:
        return []
    before: dict[tuple, float] = {}
    for level, code, informant, value, _ in _records(previous, SCORE_LEVELS):
        before.setdefault((level, code, informant), value)
    out = []
    for key, after in mine.items():
        was = before.get(key)
        out.append({"level": key[0], "code": key[1], "informant": key[2], "before_100": was, "after_100": after,
                    "change": None if was is None else after - was})
    return out


def _reliability(responses: pd.DataFrame, questionnaire: Questionnaire, shown: dict[str, int]) -> list[dict]:
    likert = [i for i in questionnaire.indicators.values() if i.type == "likert" and i.code in responses.columns]
    columns = [i.code for i in likert]
    values = responses[columns].to_numpy(dtype=float)
    who = responses["informant"].to_numpy(dtype=object)
    by_group = {g: values[who == g] for g in shown}
    position = {c: k for k, c in enumerate(columns)}
    out = []
    for dimension in questionnaire.dimensions:
        codes = {i.code for s in dimension.subdimensions for i in s.indicators}
        for informant in shown:
            items = [i.code for i in likert if i.code in codes and informant in i.informants]
            block = by_group[informant][:, [position[c] for c in items]]
            complete = block[~np.isnan(block).any(axis=1)]
            alpha = low = high = None
            if len(items) >= 2 and len(complete) >= MIN_CELL:
                try:
                    value, (ci_low, ci_high) = cronbach_alpha(pd.DataFrame(complete, columns=items))
                    if np.isfinite(value):
                        alpha, low, high = float(value), _none(ci_low), _none(ci_high)
                except (ReliabilityError, ValueError, ZeroDivisionError, FloatingPointError):
                    pass
            out.append({"dimension": dimension.code, "informant": informant, "alpha": alpha, "low": low,
                        "high": high, "n": int(len(complete)) if items else 0, "items": len(items)})
    return out


def network_summary(results_by_school: Mapping[str, Iterable[Mapping]],
                    meta: Mapping[str, Mapping[str, str]], *, stage_wide: bool = False,
                    codes: Iterable[str] | None = None) -> list[dict]:
    """The spread of every score across the network: one row per (level, code, informant, stage, country) with
    ``n_schools`` (the schools with a score) and their ``p25``, ``median`` and ``p75`` — None when
    ``n_schools < MIN_CELL``. Each school counts once, with the rows given for it (its latest closed campaign).
    `stage_wide` adds, per stage, the rows of its schools in every country (country ALL_COUNTRIES, same rule): the
    fallback when a stage and country has too few schools. `codes` keeps only those codes' rows (faster)."""
    records = []
    wanted = set(codes) if codes is not None else None
    for school, rows in results_by_school.items():
        place = meta.get(school)
        if place:
            records.extend((*r[:4], str(school), place.get("stage"), place.get("country"))
                           for r in _records(rows or [], SCORE_LEVELS, peer=school)
                           if wanted is None or r[1] in wanted)
    if not records:
        return []
    data = pd.DataFrame.from_records(records, columns=[*KEY, "score_100", "school", "stage", "country"])
    data = data.drop_duplicates([*KEY, "school"])
    if stage_wide:
        data = pd.concat([data, data.assign(country=ALL_COUNTRIES)], ignore_index=True)
    keys = [*KEY, "stage", "country"]
    grouped = data.groupby(keys, sort=False)["score_100"]
    table = pd.concat({"n_schools": grouped.count(), "p25": grouped.quantile(0.25), "median": grouped.median(),
                       "p75": grouped.quantile(0.75)}, axis=1).reset_index()
    hidden = table["n_schools"] < MIN_CELL
    table.loc[hidden, ["p25", "median", "p75"]] = np.nan
    table = table.astype(object).where(table.notna(), None)
    table["n_schools"] = table["n_schools"].astype(int)
    order = {level: k for k, level in enumerate(SCORE_LEVELS)}
    table = table.assign(_l=table["level"].map(order)).sort_values(["_l", "code", "informant", "stage", "country"],
                                                                   kind="stable").drop(columns="_l")
    return table.to_dict("records")
