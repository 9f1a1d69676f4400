"""Suppression of a two-way table of counts of people whose margins are published too (countries x roles of the
needs analysis, countries x groups of the state-of-the-art figures): primary suppression below k, then
complementary suppression until no line (a row or a column with its total) can give a hidden figure by
subtraction: in a line whose total is shown, the hidden cells are none or at least two holding k people together;
a hidden total has a hidden cell beside it (stats/disclosure.py states the rules for one line)."""

from __future__ import annotations

from safeschool.stats.disclosure import BELOW_MIN, PROTECTS
from safeschool.vocabulary import MIN_CELL

OVERALL = "overall"  # the row of column totals
ALL = "all"  # the column of row totals


def protect_table(counts: dict[tuple[str, str], int], rows: list[str], columns: list[str], *, k: int = MIN_CELL,
                  start: dict | None = None) -> dict[tuple[str, str], str | None]:
    """Primary and complementary suppression of a two-way table of counts of people, with its margins shown:
    `counts` holds the inner cells (row, column); the result holds a reason (or None) for every inner cell, every
    row total (row, "all"), every column total ("overall", column) and the grand total ("overall", "all").
    `start`: reasons already decided (e.g. the respondents' table when suppressing one topic's answers)."""
    full = dict(counts)
    for r in rows:
        full[(r, ALL)] = sum(counts[(r, c)] for c in columns)
    for c in columns:
        full[(OVERALL, c)] = sum(counts[(r, c)] for r in rows)
    full[(OVERALL, ALL)] = sum(counts.values())
    reasons = {key: (BELOW_MIN if 0 < n < k else None) for key, n in full.items()}
    for key, reason in (start or {}).items():
        if reason and key in reasons and not reasons[key]:
            reasons[key] = reason
    lines = [([(r, c) for c in columns], (r, ALL)) for r in [*rows, OVERALL]]
    lines += [([(r, c) for r in rows], (OVERALL, c)) for c in [*columns, ALL]]
    changed = True
    while changed:
        changed = False
        for cells, parent in lines:
            hidden = [key for key in cells if reasons[key] and full[key] > 0]
            hidden_n = sum(full[key] for key in hidden)
            if reasons[parent]:  # alone, a hidden total would be the sum of the shown cells
                unsafe = not hidden and full[parent] > 0
            else:  # one hidden cell is the total minus the others; several must hold k people together
                unsafe = len(hidden) == 1 or 0 < hidden_n < k
            if not unsafe:
                continue
            candidates = sorted((full[key], key) for key in cells if not reasons[key] and full[key] > 0)
            if candidates:
                reasons[candidates[0][1]] = PROTECTS
            elif not reasons[parent]:
                reasons[parent] = PROTECTS
            else:
                continue
            changed = True
    return reasons
