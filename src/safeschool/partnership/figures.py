"""The state-of-the-art report's figure tables, per country and overall, from DataFrames (no database):

- `outcome_tables`: from the analysis frame (one row per student; ingest.cohort_files.analysis_frame), early
  leaving, attachment security and sense of belonging, overall and by group (migrant background, Roma / ethnic
  minority, special educational needs, gender). Figures about students: every statistic is computed over at least
  vocabulary.MIN_CELL students. A country beside the overall figure and a group's category beside the country's and
  the overall figure are suppressed as a table (partnership.tables.protect_table): primary below MIN_CELL, then
  complementary along every published total, so that no hidden cell can be worked out by subtraction.
- `partnership_tables`: from the partnership registry, per country and overall: schools with a REC partner,
  the services agreed, meetings a year and referrals of students at risk per 100 students. Schools, partnerships,
  services and meetings are facts about institutions and are shown as they are; referrals are counts of students:
  a scope's referral rate is shown only when it counts 0 or at least MIN_CELL referrals over at least MIN_CELL
  students, and countries are hidden complementarily beside the overall rate.

Both return JSON-ready dicts; a statistic is {"n", "mean", "ci_low", "ci_high", "suppressed", "reason"} as in
stats.descriptives (a share's "mean" is the proportion)."""

from __future__ import annotations

import math

import pandas as pd

from safeschool.partnership.tables import OVERALL, protect_table
from safeschool.partnership.taxonomy import SERVICES
from safeschool.stats.descriptives import hidden, mean_ci, share_ci
from safeschool.stats.disclosure import BELOW_MIN, EMPTY, protect, rounded
from safeschool.vocabulary import GROUPS, MIN_CELL

OUTCOME_GROUPS = ("migrant_background", "roma_minority", "sen", "gender")
MEASURES = {"early_leaving": "dropout", "security": "security", "belonging": "belonging"}  # figure -> column
DIGITS = {"early_leaving": 3, "security": 2, "belonging": 2}
SHARE_DIGITS, RATE_DIGITS = 3, 2


def _stat(values: pd.Series, measure: str, k: int) -> dict:
    if measure == "early_leaving":
        return share_ci(values, k, DIGITS[measure])
    return mean_ci(values, k, DIGITS[measure])


def _values(frame: pd.DataFrame, measure: str) -> pd.Series:
    column = MEASURES[measure]
    if column not in frame:
        return pd.Series([], dtype=float)
    v = frame[column].dropna()
    return v.astype(bool) if measure == "early_leaving" else pd.to_numeric(v, errors="coerce").dropna()


def outcome_tables(frame: pd.DataFrame, *, k: int = MIN_CELL, country: str = "country_id") -> dict:
    """Early leaving (share of students who left by the last wave: `dropout`), security and belonging (means), per
    country and overall, and by each group of OUTCOME_GROUPS (its categories as in vocabulary.GROUPS)."""
    frame = frame.copy()
    frame[country] = frame[country].astype(str)
    countries = sorted(frame[country].unique())
    scopes = {OVERALL: frame, **{c: frame[frame[country] == c] for c in countries}}
    out: dict = {"measures": list(MEASURES), "groups": list(OUTCOME_GROUPS), "min_cell": k,
                 OVERALL: {}, "countries": {c: {} for c in countries}}

    def put(scope: str, key: str, value) -> None:
        (out[OVERALL] if scope == OVERALL else out["countries"][scope])[key] = value

    students = protect({c: len(scopes[c]) for c in countries}, k=k, total_shown=True)
    for scope, part in scopes.items():
        small = len(part) < k or (scope != OVERALL and students.hidden(scope))
        put(scope, "students", None if small else int(len(part)))
    for measure in MEASURES:
        values = {scope: _values(part, measure) for scope, part in scopes.items()}
        protection = protect({c: len(values[c]) for c in countries}, k=k, total_shown=True)
        for scope, v in values.items():
            reason = protection.reasons.get(scope) if scope != OVERALL else None
            put(scope, measure, hidden(reason) if reason else _stat(v, measure, k))
    for scope in scopes:
        put(scope, "by_group", {group: {} for group in OUTCOME_GROUPS})
    for group in OUTCOME_GROUPS:
        if group not in frame:
            continue
        categories = list(GROUPS[group][1])
        keys = frame[group].map(lambda v: None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v))
        for measure in MEASURES:
            values = {(c, cat): _values(frame[(frame[country] == c) & (keys == cat)], measure)
                      for c in countries for cat in categories}
            reasons = protect_table({key: len(v) for key, v in values.items()}, countries, categories, k=k)
            for scope in scopes:
                row = {}
                for cat in categories:
                    v = _values(frame[keys == cat], measure) if scope == OVERALL else values[scope, cat]
                    reason = reasons[(scope, cat)]
                    row[cat] = hidden(reason) if reason else (hidden(EMPTY) if v.empty else _stat(v, measure, k))
                target = out[OVERALL] if scope == OVERALL else out["countries"][scope]
                target["by_group"][group][measure] = row
    return out


def partnership_tables(schools: pd.DataFrame, partnerships: pd.DataFrame, meetings: pd.DataFrame,
                       referrals: pd.DataFrame, *, year: int, k: int = MIN_CELL) -> dict:
    """Partnership figures of one calendar year, per country and overall.

    `schools`: school, country, students (enrolled); `partnerships`: partnership, school, since, ended_on (NaT/None
    while active), services (list of SERVICES codes); `meetings`: partnership, held_on; `referrals`: partnership,
    month, count. A partnership counts in `year` when it was active on some day of it. Per scope: schools,
    schools_with_partner (count and share), partnerships, services (for each code, the count and share of the
    year's partnerships that agreed it), meetings_per_partnership (meetings held in the year / the year's
    partnerships) and referrals_per_100 (referrals in the year x 100 / students of the schools in a partnership;
    suppressed as the module docstring says)."""
    start, end = pd.Timestamp(year=year, month=1, day=1), pd.Timestamp(year=year, month=12, day=31)
    schools = schools.copy()
    schools["country"] = schools["country"].astype(str)
    p = partnerships.merge(schools[["school", "country"]], on="school", how="inner")
    since = pd.to_datetime(p["since"])
    ended = pd.to_datetime(p["ended_on"]) if "ended_on" in p else pd.Series(pd.NaT, index=p.index)
    p = p[(since <= end) & (ended.isna() | (ended >= start))]
    m = meetings.copy()
    m["held_on"] = pd.to_datetime(m["held_on"])
    m = m[(m["held_on"] >= start) & (m["held_on"] <= end) & m["partnership"].isin(p["partnership"])]
    r = referrals.copy()
    r["month"] = pd.to_datetime(r["month"])
    r = r[(r["month"] >= start) & (r["month"] <= end) & r["partnership"].isin(p["partnership"])]
    countries = sorted(schools["country"].unique())

    def scope_rows(scope: str):
        if scope == OVERALL:
            return schools, p
        return schools[schools["country"] == scope], p[p["country"] == scope]

    referral_counts, partner_students = {}, {}
    for scope in [OVERALL, *countries]:
        s, pp = scope_rows(scope)
        referral_counts[scope] = int(r[r["partnership"].isin(pp["partnership"])]["count"].sum())
        partner_students[scope] = int(pd.to_numeric(s[s["school"].isin(pp["school"])]["students"]).sum())
    protection = protect({c: referral_counts[c] for c in countries}, k=k, total_shown=True)

    def scope_figures(scope: str) -> dict:
        s, pp = scope_rows(scope)
        n_schools = int(s["school"].nunique())
        with_partner = int(s["school"].isin(pp["school"]).sum())
        n_p = int(len(pp))
        services = {}
        for code in SERVICES:
            count = int(pp["services"].map(lambda v, c=code: c in (v if isinstance(v, list | tuple) else [])).sum())
            services[code] = {"count": count, "share": rounded(count / n_p, SHARE_DIGITS) if n_p else None}
        held = int(m["partnership"].isin(pp["partnership"]).sum())
        referred, pupils = referral_counts[scope], partner_students[scope]
        reason = protection.reasons.get(scope) if scope != OVERALL else None
        if reason is None and (0 < referred < k or pupils < k):
            reason = BELOW_MIN
        rate = None if reason else rounded(100 * referred / pupils, RATE_DIGITS)
        return {"schools": n_schools, "schools_with_partner": with_partner,
                "share_with_partner": rounded(with_partner / n_schools, SHARE_DIGITS) if n_schools else None,
                "partnerships": n_p, "services": services, "meetings": held,
                "meetings_per_partnership": rounded(held / n_p, RATE_DIGITS) if n_p else None,
                "referrals_per_100": {"value": rate, "suppressed": reason is not None, "reason": reason}}

    return {"year": year, "min_cell": k, "services": list(SERVICES), OVERALL: scope_figures(OVERALL),
            "countries": {c: scope_figures(c) for c in countries}}
