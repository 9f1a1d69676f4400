"""Statistical disclosure control: small-cell suppression for every page, export and report.

Primary suppression hides any aggregate computed over fewer than `k` students (default 10). Complementary
suppression then hides the next-smallest cell of a breakdown whose total is shown, so that no hidden cell can
be recovered by subtraction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from safeschool.vocabulary import MIN_CELL


@dataclass(frozen=True)
class Cell:
    """A value that may be suppressed. `value` is None when `suppressed`; `reason` says why."""

    n: int
    value: float | None
    suppressed: bool = False
    reason: str = ""

    def __str__(self) -> str:
        return "n<10" if self.suppressed else f"{self.value}"


def suppress_counts(counts: Mapping[str, int], *, k: int = MIN_CELL, total_shown: bool = True) -> dict[str, int | None]:
    """Suppress counts below k; if a total is shown and exactly the hidden cells could be recovered,
    also hide the next-smallest cell(s) (complementary suppression).

    Returns a dict with None for suppressed cells. Zero counts stay visible: an empty cell reveals no one.
    """
    out: dict[str, int | None] = {key: (None if 0 < n < k else n) for key, n in counts.items()}
    hidden = [key for key, v in out.items() if v is None]
    if total_shown and len(hidden) == 1:
        candidates = sorted((n, key) for key, n in counts.items() if out[key] is not None and n > 0)
        if candidates:
            out[candidates[0][1]] = None
    return out


def suppress_groups(groups: Mapping[str, tuple[int, float | None]], *, k: int = MIN_CELL,
                    total_shown: bool = True) -> dict[str, Cell]:
    """Suppress group statistics (n, value) computed over fewer than k students, with complementary
    suppression when the overall value over all groups is shown next to them."""
    counts = {key: n for key, (n, _v) in groups.items()}
    kept = suppress_counts(counts, k=k, total_shown=total_shown)
    cells = {}
    for key, (n, value) in groups.items():
        if kept[key] is None or n == 0:
            reason = "fewer than 10 students" if n < k else "hidden so that a small group cannot be derived"
            cells[key] = Cell(n=n, value=None, suppressed=True, reason=reason if n else "no students")
        else:
            cells[key] = Cell(n=n, value=value)
    return cells
