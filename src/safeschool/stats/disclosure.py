"""Statistical disclosure control: small-cell suppression for every page, export and report.

A *breakdown* is a set of cells (classes of a school, schools of a country, bands, groups, strata) whose
*parent* (the school, the country, the whole table) is published too. The rules, applied at the source so
that a hidden cell carries no count and no mean into any page, chart JSON, CSV or PDF:

1. **Primary suppression.** A cell computed over 0 < n < k students (k = ``vocabulary.MIN_CELL``, 10) is
   hidden (reason ``BELOW_MIN``: "fewer than 10 students"). An empty cell stays visible: it reveals no one.
2. **Complementary suppression.** While the parent is shown, the hidden cells together must hold 0 or at
   least k students; otherwise the next-smallest shown non-empty cell is hidden too (reason ``PROTECTS``:
   "hidden to protect a small group"), and so on. Then parent - shown cells gives only the sum over two or
   more hidden cells of at least k students: no single hidden count, and no mean over fewer than k students
   (parent mean x parent n - sum of shown n x mean is a sum over the hidden cells together).
3. **The parent itself.** If hiding every non-empty cell still leaves fewer than k students in the hidden
   cells, the parent is a small group itself and must be hidden (``Protection.parent_hidden``).
4. **Rounded means.** Published means, shares and intervals are rounded to the precision they are displayed
   with (``rounded``), so the chart JSON holds no more digits than the table.
5. **Labels tell the truth.** A cell hidden for being small reads "n<10"; one hidden only to protect another
   reads "hidden" ("hidden to protect a small group"); `short_label` and `label` give the words to every face.

Linked tables: a breakdown's parent may be published on another page (a country's totals over its schools,
whose own pages show their sizes). There the hidden units are left out of the parent instead (the country's
figures cover only schools of at least k students), so the parent is exactly the sum of what is shown.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from safeschool.vocabulary import MIN_CELL

BELOW_MIN = "small"    # the cell itself holds fewer than k students
PROTECTS = "protects"  # hidden only so that a small cell cannot be worked out from the parent
EMPTY = "empty"        # no students: nothing to show, nothing revealed
REASONS = {BELOW_MIN: f"fewer than {MIN_CELL} students", PROTECTS: "hidden to protect a small group",
           EMPTY: "no students"}
SHORT = {BELOW_MIN: f"n<{MIN_CELL}", PROTECTS: "hidden", EMPTY: "–"}  # in a table cell or on a chart


def short_label(reason: str | None) -> str:
    """The few characters a hidden figure shows in its place (a figure hidden for no stated reason is small)."""
    return SHORT.get(reason or BELOW_MIN, SHORT[BELOW_MIN])


def label(reason: str | None) -> str:
    """Why a figure is hidden, in words."""
    return REASONS.get(reason or BELOW_MIN, REASONS[BELOW_MIN])


@dataclass(frozen=True)
class Cell:
    """A value that may be suppressed: `n` and `value` are None when `suppressed`; `reason` says why."""

    n: int | None
    value: float | None
    suppressed: bool = False
    reason: str | None = None

    def __str__(self) -> str:
        return short_label(self.reason) if self.suppressed else f"{self.value}"


@dataclass(frozen=True)
class Protection:
    """Why each cell of a breakdown is hidden (None: shown), and whether the parent must be hidden too."""

    reasons: dict[str, str | None]
    parent_hidden: bool = False

    def hidden(self, key: str) -> bool:
        return self.reasons[key] is not None


def protect(counts: Mapping[str, int], *, k: int = MIN_CELL, total_shown: bool = True) -> Protection:
    """Primary and complementary suppression of one breakdown (the rules in the module docstring)."""
    reasons: dict[str, str | None] = {key: (BELOW_MIN if 0 < n < k else None) for key, n in counts.items()}
    if not total_shown:
        return Protection(reasons)
    hidden_n = sum(n for key, n in counts.items() if reasons[key])
    # the smallest shown cells first; ties broken by key so that every page hides the same cell
    candidates = sorted((n, str(key), key) for key, n in counts.items() if reasons[key] is None and n > 0)
    while 0 < hidden_n < k and candidates:
        n, _, key = candidates.pop(0)
        reasons[key] = PROTECTS
        hidden_n += n
    return Protection(reasons, parent_hidden=0 < hidden_n < k)


def suppress_counts(counts: Mapping[str, int], *, k: int = MIN_CELL, total_shown: bool = True) -> dict[str, int | None]:
    """Counts with None for every hidden cell (primary and complementary suppression, see `protect`)."""
    protection = protect(counts, k=k, total_shown=total_shown)
    return {key: (None if protection.hidden(key) else n) for key, n in counts.items()}


def suppress_groups(groups: Mapping[str, tuple[int, float | None]], *, k: int = MIN_CELL,
                    total_shown: bool = True) -> dict[str, Cell]:
    """Group statistics (n, value) with every hidden cell reduced to its reason: no n, no value."""
    protection = protect({key: n for key, (n, _v) in groups.items()}, k=k, total_shown=total_shown)
    cells = {}
    for key, (n, value) in groups.items():
        reason = protection.reasons[key]
        if reason:
            cells[key] = Cell(n=None, value=None, suppressed=True, reason=reason)
        elif n == 0:
            cells[key] = Cell(n=0, value=None, suppressed=True, reason=EMPTY)
        else:
            cells[key] = Cell(n=n, value=value)
    return cells


def rounded(value: float | None, digits: int) -> float | None:
    """A published figure, rounded as it is displayed (None and NaN stay None)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), digits)
