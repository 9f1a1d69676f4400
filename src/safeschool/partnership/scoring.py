"""Figures of the partnership survey and of the needs analysis, with disclosure control built in.

**The partnership survey** (`survey_figures`) is answered by institutions: one response per side (school, REC) per
partnership. Rule: a country's figures are shown only from ``MIN_PARTNERSHIPS_COUNTRY`` (5) partnerships that
answered, the overall figures from ``MIN_PARTNERSHIPS_OVERALL`` (2); inside a shown scope every single figure needs
that many contributing partnerships too (a side's mean from that many responses of the side, the agreement between
the sides from that many partnerships where both answered, a side's problem shares from that many responses of the
side). Since the overall figures are shown beside the countries', countries are also hidden complementarily
(stats.disclosure.protect with k = 5): the hidden countries together hold 0 or at least 5 partnerships, so no small
country's figures can be worked out from the overall ones; likewise a side's figures and the agreement of the shown
countries (their hidden ones together hold 0 or at least 5 responses of the side, or pairs).

**The needs analysis** (`needs_figures`) is answered by people (school leaders and teachers, anonymously): every
figure is computed over at least ``vocabulary.MIN_CELL`` (10) respondents, or answers for a topic's figures. The
cells (country x role, with the margins "all" roles and "overall" countries shown too) are suppressed as a table:
primary suppression below MIN_CELL, then complementary suppression along every row and column whose total is shown,
until in every such line the hidden cells hold 0 or at least MIN_CELL people.

Both return JSON-ready dicts (a report version keeps them as a snapshot); hidden figures carry a `reason` code
(REASONS: "small", "protects") and no count, mean or share."""

from __future__ import annotations

import math

import pandas as pd

from safeschool.partnership import instrument as instrument_module
from safeschool.partnership import needs as needs_module
from safeschool.partnership.tables import ALL, OVERALL, protect_table
from safeschool.partnership.taxonomy import PROBLEMS, SIDES
from safeschool.stats.disclosure import BELOW_MIN, PROTECTS, protect, rounded
from safeschool.vocabulary import MIN_CELL, gettext_noop

MIN_PARTNERSHIPS_COUNTRY = 5
MIN_PARTNERSHIPS_OVERALL = 2
ALL_ROLES = ALL
MEAN_DIGITS, SHARE_DIGITS = 2, 3
REASONS = {  # survey scopes hidden ... / needs cells hidden ...
    "survey": {BELOW_MIN: gettext_noop("fewer than 5 partnerships answered"),
               PROTECTS: gettext_noop("hidden to protect a country with few partnerships")},
    "needs": {BELOW_MIN: gettext_noop("fewer than 10 respondents"),
              PROTECTS: gettext_noop("hidden to protect a small group")},
}


def _hidden(reason: str) -> dict:
    return {"suppressed": True, "reason": reason}


def _mean(values: pd.Series) -> float | None:
    v = pd.to_numeric(values, errors="coerce").dropna()
    return None if v.empty else rounded(float(v.mean()), MEAN_DIGITS)


def _problem_list(value) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, str):
        raise ValueError(f"problems must be a list of codes, not the text {value!r}")
    codes = list(value)
    unknown = [c for c in codes if c not in PROBLEMS]
    if unknown:
        raise ValueError(f"unknown problem code {unknown[0]!r} (choose {', '.join(PROBLEMS)})")
    return codes


def _check_scale(frame: pd.DataFrame, columns: list[str], scale: tuple[int, int], what: str) -> None:
    for column in columns:
        v = pd.to_numeric(frame[column], errors="coerce")
        bad = frame[column].notna() & (v.isna() | (v < scale[0]) | (v > scale[1]) | (v != v.round()))
        if bad.any():
            raise ValueError(f"{what} '{column}': {frame.loc[bad, column].iloc[0]!r} is not a whole number "
                             f"{scale[0]}-{scale[1]}")


# --- the partnership survey --------------------------------------------------------------------------------------

def survey_figures(responses: pd.DataFrame, instrument=None) -> dict:
    """Dimension means per side, agreement between the sides and problem frequencies, per country and overall.

    `responses`: one row per response with columns partnership, country, side ("school" | "rec"), one column per
    item code of the instrument (1-5, missing = not answered; absent columns count as unanswered) and problems
    (a list of PROBLEMS codes). A response's dimension score is the mean of the items it answered; a side's mean
    is the mean of its responses' scores. Agreement: per dimension, the mean over the partnerships where both sides
    answered of |school score - REC score| (0 = full agreement, 4 = the widest gap). Problem frequencies: the share
    of partnerships where either side named the problem (and per side, the share of that side's responses).
    Suppression: the module docstring (countries from 5 partnerships, overall from 2)."""
    instrument = instrument or instrument_module.load()
    dims = instrument.dimension_items()
    frame = responses.copy()
    for column in ("partnership", "country", "side"):
        if column not in frame:
            raise ValueError(f"the responses have no '{column}' column")
    bad = sorted(set(frame["side"]) - set(SIDES))
    if bad:
        raise ValueError(f"unknown side {bad[0]!r} (choose {', '.join(SIDES)})")
    if frame.duplicated(["partnership", "side"]).any():
        raise ValueError("a partnership has two responses from the same side")
    if (frame.groupby("partnership")["country"].nunique() > 1).any():
        raise ValueError("a partnership is in two countries")
    items = [code for codes in dims.values() for code in codes]
    for code in items:
        if code not in frame:
            frame[code] = float("nan")
    _check_scale(frame, items, instrument.scale, "item")
    frame["problems"] = (frame["problems"] if "problems" in frame else pd.Series([[]] * len(frame),
                                                                                   index=frame.index)).map(_problem_list)
    for dim, codes in dims.items():
        frame[f"dim:{dim}"] = frame[codes].apply(pd.to_numeric, errors="coerce").mean(axis=1, skipna=True)

    counts = {str(c): int(g["partnership"].nunique()) for c, g in frame.groupby("country", sort=True)}
    total = int(frame["partnership"].nunique())
    overall_shown = total >= MIN_PARTNERSHIPS_OVERALL
    protection = protect(counts, k=MIN_PARTNERSHIPS_COUNTRY, total_shown=overall_shown)
    groups = {str(c): g for c, g in frame.groupby("country", sort=True)}
    hidden = {c for c in groups if protection.reasons[c]}
    # a side's figures (and the agreement) of a shown country are hidden below 5 responses (pairs), and then beside
    # the overall figure complementarily, as the countries themselves
    by_side = {side: {c: int(g.loc[g["side"] == side, "partnership"].nunique()) for c, g in groups.items()}
               for side in SIDES}
    pairs = {c: int((g.groupby("partnership")["side"].nunique() == len(SIDES)).sum()) for c, g in groups.items()}
    withheld = {key: (_complement(counts_of, hidden, MIN_PARTNERSHIPS_COUNTRY) if overall_shown else set())
                for key, counts_of in [*by_side.items(), ("pairs", pairs)]}
    countries = {c: _hidden(protection.reasons[c]) if c in hidden else
                 _survey_scope(g, dims, MIN_PARTNERSHIPS_COUNTRY, {key: c in v for key, v in withheld.items()})
                 for c, g in groups.items()}
    overall = _survey_scope(frame, dims, MIN_PARTNERSHIPS_OVERALL) if overall_shown else _hidden(BELOW_MIN)
    return {"instrument_version": instrument.version, "dimensions": list(dims), "problems_order": list(PROBLEMS),
            "min_partnerships": {"country": MIN_PARTNERSHIPS_COUNTRY, "overall": MIN_PARTNERSHIPS_OVERALL},
            "overall": overall, "countries": countries}


def _complement(counts: dict[str, int], hidden: set[str], k: int) -> set[str]:
    """The countries whose figure of one kind is hidden: those hidden already or with fewer than k contributing
    partnerships, then the next smallest until the hidden ones together hold 0 or at least k."""
    hidden = set(hidden) | {c for c, n in counts.items() if n < k}
    candidates = sorted((n, c) for c, n in counts.items() if c not in hidden and n > 0)
    while 0 < sum(counts[c] for c in hidden) < k and candidates:
        hidden.add(candidates.pop(0)[1])
    return hidden


def _survey_scope(frame: pd.DataFrame, dims: dict[str, list[str]], k: int, withheld: dict | None = None) -> dict:
    withheld = withheld or {}
    sides = {side: frame[frame["side"] == side] for side in SIDES}
    n_side = {side: int(rows["partnership"].nunique()) for side, rows in sides.items()}
    shown = {side: n_side[side] >= k and not withheld.get(side) for side in SIDES}
    means = {}
    for dim in dims:
        column = f"dim:{dim}"
        means[dim] = {side: (_mean(rows[column]) if shown[side] else None) for side, rows in sides.items()}
    paired = sides["school"].merge(sides["rec"], on="partnership", suffixes=("_school", "_rec"))
    agreement = {}
    for dim in dims:
        diff = (paired[f"dim:{dim}_school"] - paired[f"dim:{dim}_rec"]).abs().dropna()
        agreement[dim] = {"difference": rounded(float(diff.mean()), MEAN_DIGITS) if len(diff) >= k and not withheld.get("pairs") else None,
                          "pairs": int(len(diff))}
    named = frame.groupby("partnership")["problems"].agg(lambda lists: set().union(*map(set, lists)))
    n = int(len(named))
    problems = {}
    for code in PROBLEMS:
        count = int(sum(code in s for s in named))
        by_side = {side: (rounded(float(rows["problems"].map(lambda p, c=code: c in p).mean()), SHARE_DIGITS)
                          if shown[side] else None) for side, rows in sides.items()}
        problems[code] = {"count": count, "share": rounded(count / n, SHARE_DIGITS) if n else None, **by_side}
    return {"suppressed": False, "reason": None, "partnerships": n, "responses": n_side, "means": means,
            "agreement": agreement, "problems": problems}


# --- the needs analysis ------------------------------------------------------------------------------------------

def needs_figures(responses: pd.DataFrame, needs=None) -> dict:
    """Training-and-support priorities per role (leader, teacher and all) and country (and overall).

    `responses`: one row per respondent with columns school, country, role ("leader" | "teacher"), one column per
    topic code (priority 1 no need - 4 high; missing = not asked or not answered) and optionally formats (a list
    of format codes). Per cell: respondents, schools, per topic the mean priority and the share rating it high
    (4), the topics ranked by mean priority, and the share of respondents preferring each format. Suppression:
    the module docstring (every figure from MIN_CELL people, complementary along rows and columns)."""
    needs = needs or needs_module.load()
    frame = responses.copy()
    for column in ("school", "country", "role"):
        if column not in frame:
            raise ValueError(f"the responses have no '{column}' column")
    bad = sorted(set(frame["role"]) - set(needs.roles))
    if bad:
        raise ValueError(f"unknown role {bad[0]!r} (choose {', '.join(needs.roles)})")
    topics = list(needs.topics)
    for code in topics:
        if code not in frame:
            frame[code] = float("nan")
        frame[code] = pd.to_numeric(frame[code], errors="coerce") if frame[code].notna().any() else frame[code]
    _check_scale(frame, topics, needs.scale, "topic")
    has_formats = "formats" in frame
    if has_formats:
        def formats_of(value) -> set:
            if value is None or (isinstance(value, float) and math.isnan(value)):
                return set()
            unknown = [f for f in value if f not in needs.formats]
            if unknown:
                raise ValueError(f"unknown format {unknown[0]!r} (choose {', '.join(needs.formats)})")
            return set(value)
        frame["formats"] = frame["formats"].map(formats_of)
    frame["country"] = frame["country"].astype(str)
    countries = sorted(frame["country"].unique())
    roles = list(needs.roles)
    rows = {(c, r): frame[(frame["country"] == c) & (frame["role"] == r)] for c in countries for r in roles}
    people = protect_table({key: len(part) for key, part in rows.items()}, countries, roles)
    topic_reasons = {code: protect_table({key: int(part[code].notna().sum()) for key, part in rows.items()},
                                         countries, roles, start=people) for code in topics}

    def cell(scope: str, role: str) -> dict:
        if people[(scope, role)]:
            return _hidden(people[(scope, role)])
        part = frame if scope == OVERALL else frame[frame["country"] == scope]
        part = part if role == ALL_ROLES else part[part["role"] == role]
        stats = {}
        for code in topics:
            v = part[code].dropna()
            reason = topic_reasons[code][(scope, role)]
            if reason or v.empty:
                stats[code] = {"mean": None, "high": None, "answers": None if reason else 0,
                               "suppressed": True, "reason": reason or "empty"}
            else:
                stats[code] = {"mean": _mean(v), "high": rounded(float((v == needs.scale[1]).mean()), SHARE_DIGITS),
                               "answers": int(len(v)), "suppressed": False, "reason": None}
        ranking = sorted((c for c in topics if stats[c]["mean"] is not None), key=lambda c: (-stats[c]["mean"],
                                                                                              topics.index(c)))
        formats = ({f: rounded(float(part["formats"].map(lambda s, f=f: f in s).mean()), SHARE_DIGITS)
                    for f in needs.formats} if has_formats and len(part) else {})
        return {"suppressed": False, "reason": None, "respondents": int(len(part)),
                "schools": int(part["school"].nunique()), "topics": stats, "ranking": ranking, "formats": formats}

    all_roles = [*roles, ALL_ROLES]
    return {"version": needs.version, "min_respondents": MIN_CELL, "topics": topics, "roles": all_roles,
            "overall": {r: cell(OVERALL, r) for r in all_roles},
            "countries": {c: {r: cell(c, r) for r in all_roles} for c in countries}}
