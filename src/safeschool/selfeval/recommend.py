"""Recommendations from a school's report (issue 16 §4): from its weakest subdimensions to matched programmes,
practices, policies and resources of the Hub. Pure (no Django): the web layer builds `catalogue` from the Hub's
tables and turns each match's `reason` (data, not a sentence) into a translated sentence.

The rule, explicit and deterministic (docs/selfeval.md):

* **weak subdimensions**: those whose percentile among peers (``report["comparison"]``, the mean over the groups
  shown) is at most 25 — the lowest quarter; a subdimension without any percentile is weak when it is one of the
  school's priorities with a 0–100 score below 50, below the middle of the scale. Listed weakest first (percentile,
  then 0–100 score, then questionnaire order).
* within each, its **weakest indicator**: the lowest 0–100 score (mean over the groups shown; questionnaire order on
  a tie).
* **programmes**: criterion A fit of at least 1 on one of the subdimension's principles, and the school's stage among
  its stages (or no stages given); ranked by the best fit on those principles, then the sum of the fits on them
  (both descending), the evidence tier (strong > moderate > promising > rationale), the school's country first,
  the title and the id.
* **practices** (accepted ones): matched like programmes, on criterion A — the fit their accepting reviewers
  gave (their mean as the Hub publishes it, rounded down) of at least 1 on one of the subdimension's principles —
  at ANY ecological level and stage: a practice sits at the level where it acts (a calm corner is individual, a
  parent café community), not at the level of the dimension a weakness shows in, and the Hub's practices come
  from schools of one stage while most transfer. Ranked: those for the school's stage (or every stage) first,
  then those at the dimension's level, then the best fit and the sum of the fits (descending), the school's
  country first, the title and the id. A practice without ratings (`fit` empty) does not match.
* **policies**: in the school's country, at the political level or at the dimension's level; the dimension's level
  first, then title and id.
* **resources** (library documents): at the dimension's level, for the school's stage (or every stage); the school's
  country first, then title and id.

At most `limit` matches of each kind per weak subdimension. A school with no weak subdimension gets nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from statistics import fmean

from safeschool.selfeval.questionnaire import Questionnaire

LOWEST_QUARTER = 25.0    # a percentile at or below this is in the lowest quarter of the peers
MIDDLE = 50.0            # without peers: a 0-100 score below the middle of the scale
MIN_FIT = 1              # criterion A: 0 none, 1 partial, 2 full
TIERS = ("strong", "moderate", "promising", "rationale")  # criterion B, strongest evidence first
POLITICAL = "political"
KINDS = ("programmes", "practices", "policies", "documents")


def _mean(values: Iterable) -> float | None:
    values = [float(v) for v in values if v is not None]
    return fmean(values) if values else None


def _fit(entry: dict, principle: int) -> int:
    fit = entry.get("fit") or {}
    value = fit.get(principle, fit.get(str(principle), 0))
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _for_stage(entry: dict, stage: str) -> bool:
    stages = entry.get("stages") or []
    return not stages or stage in stages


def _scope(rows: list[dict]) -> str | None:
    """The peers the percentiles were computed among: one scope when every group shares it, else the widest."""
    scopes = sorted({r.get("scope") for r in rows if r.get("scope")})
    if len(scopes) == 1:
        return scopes[0]
    return "stage" if "stage" in scopes else (scopes[0] if scopes else None)


def weak_subdimensions(report: dict, questionnaire: Questionnaire) -> list[dict]:
    """The weak subdimensions, weakest first: {subdimension, dimension, pillar, percentile (mean over groups, or
    None), scope, score_100 (mean over groups), indicator (its weakest), indicator_100}."""
    order = {s.code: i for i, (_, s) in enumerate(_subdimensions(questionnaire))}
    dimension_of = {s.code: d for d, s in _subdimensions(questionnaire)}
    compared: dict[str, list[dict]] = {}
    for row in report.get("comparison") or []:
        if row.get("level") == "subdimension" and row.get("percentile") is not None and row.get("code") in order:
            compared.setdefault(row["code"], []).append(row)
    scores = _scores(report, "subdimension")
    priorities = {p["code"]: p.get("score_100") for p in report.get("priorities") or []}
    weak = []
    for code in order:
        rows = compared.get(code)
        if rows:
            percentile = _mean(r["percentile"] for r in rows)
            if percentile > LOWEST_QUARTER:
                continue
            scope = _scope(rows)
        else:
            below = priorities.get(code)
            if code not in priorities or below is None or float(below) >= MIDDLE:
                continue
            percentile, scope = None, None
        indicator, indicator_100 = _weakest_indicator(report, questionnaire, code)
        score = scores.get(code, priorities.get(code))
        dimension = dimension_of[code]
        weak.append({"subdimension": code, "dimension": dimension.code, "pillar": dimension.pillar,
                     "percentile": percentile, "scope": scope, "score_100": score,
                     "indicator": indicator, "indicator_100": indicator_100})
    weak.sort(key=lambda w: (w["percentile"] is None, w["percentile"] if w["percentile"] is not None else 0.0,
                             w["score_100"] if w["score_100"] is not None else 100.0, order[w["subdimension"]]))
    return weak


def _subdimensions(questionnaire: Questionnaire):
    return [(d, s) for d in questionnaire.dimensions for s in d.subdimensions]


def _scores(report: dict, level: str) -> dict[str, float]:
    """code -> mean 0-100 over the groups with a score."""
    by_code: dict[str, list] = {}
    for row in report.get("scores") or []:
        if row.get("level") == level and row.get("score_100") is not None:
            by_code.setdefault(row["code"], []).append(row["score_100"])
    return {code: _mean(values) for code, values in by_code.items()}


def _weakest_indicator(report: dict, questionnaire: Questionnaire, subdimension: str) -> tuple[str | None, float | None]:
    scores = _scores(report, "indicator")
    sub = next(s for _, s in _subdimensions(questionnaire) if s.code == subdimension)
    candidates = [(scores[i.code], position, i.code) for position, i in enumerate(sub.indicators) if i.code in scores]
    if not candidates:
        return None, None
    score, _, code = min(candidates)
    return code, score


def _programmes(entries, principles, stage, country):
    ranked = []
    for entry in entries:
        fits = {p: _fit(entry, p) for p in principles}
        best = max(fits.values(), default=0)
        if best < MIN_FIT or not _for_stage(entry, stage):
            continue
        principle = min(p for p, v in fits.items() if v == best)
        tier = entry.get("tier")
        key = (-best, -sum(fits.values()), TIERS.index(tier) if tier in TIERS else len(TIERS),
               entry.get("country") != country, str(entry.get("title", "")), entry.get("id"))
        ranked.append((key, entry, principle, best))
    ranked.sort(key=lambda r: r[0])
    return [(entry, {"principle": principle, "fit": fit, "tier": entry.get("tier")})
            for _, entry, principle, fit in ranked]


def _practices(entries, principles, level, stage, country):
    ranked = []
    for entry in entries:
        if entry.get("status", "accepted") != "accepted":
            continue
        fits = {p: _fit(entry, p) for p in principles}
        best = max(fits.values(), default=0)
        if best < MIN_FIT:
            continue
        principle = min(p for p, v in fits.items() if v == best)
        key = (not _for_stage(entry, stage), entry.get("level") != level, -best, -sum(fits.values()),
               entry.get("country") != country, str(entry.get("title", "")), entry.get("id"))
        ranked.append((key, entry, principle, best))
    ranked.sort(key=lambda r: r[0])
    return [(entry, {"principle": principle, "fit": fit, "tier": entry.get("tier")})
            for _, entry, principle, fit in ranked]


def _by_place(entries, keep, first) -> list[tuple[dict, dict]]:
    chosen = [e for e in entries if keep(e)]
    chosen.sort(key=lambda e: (first(e), str(e.get("title", "")), e.get("id")))
    return [(e, {"principle": None, "fit": None, "tier": None}) for e in chosen]


def _matches(catalogue: dict, principles, level: str, stage: str, country: str) -> dict[str, list]:
    """Every match of each kind, ranked (see the module's docstring)."""
    return {
        "programmes": _programmes(catalogue.get("programmes") or [], principles, stage, country),
        "practices": _practices(catalogue.get("practices") or [], principles, level, stage, country),
        "policies": _by_place(catalogue.get("policies") or [],
                              lambda e: e.get("country") == country and e.get("level") in (POLITICAL, level),
                              lambda e: e.get("level") != level),
        "documents": _by_place(catalogue.get("documents") or [],
                               lambda e: e.get("level") == level and _for_stage(e, stage),
                               lambda e: e.get("country") != country),
    }


def recommend(report: dict, questionnaire: Questionnaire, catalogue: dict, *, stage: str, country: str,
              limit: int = 3) -> list[dict]:
    """Per weak subdimension (weakest first): the weakness and its matches, ``{subdimension, dimension, pillar,
    percentile, scope, score_100, indicator, indicator_100, programmes, practices, policies, documents}``; each match
    is the catalogue's entry plus ``reason`` = {subdimension, indicator, percentile, scope, stage, country,
    principle, fit, tier, score_100}. `catalogue` holds plain dicts under the keys of KINDS, each with id, title,
    country, level, stages (programmes and practices also fit {principle: 0-2, a practice's the mean of its
    accepting reviews'} and tier; practices may carry status, and only "accepted" ones are matched)."""
    out = []
    subdimensions = {s.code: s for _, s in _subdimensions(questionnaire)}
    for weak in weak_subdimensions(report, questionnaire):
        sub = subdimensions[weak["subdimension"]]
        found = _matches(catalogue, sub.principles, weak["pillar"], stage, country)
        base = {"subdimension": weak["subdimension"], "indicator": weak["indicator"],
                "percentile": weak["percentile"], "scope": weak["scope"], "stage": stage, "country": country,
                "score_100": weak["score_100"]}
        out.append(weak | {kind: [dict(entry) | {"reason": base | extra} for entry, extra in found[kind][:limit]]
                           for kind in KINDS})
    return out
