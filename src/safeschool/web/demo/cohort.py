"""The demo's cohort: the default simulated cohort, written to the platform's home and loaded through the same
service as `safeschool load` (once; a database that holds students is reused)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from safeschool.cohort import CohortConfig, Sizes, simulate
from safeschool.web.research.selectors import network_totals
from safeschool.web.research.services import LOAD_STEPS, cohort_load

STEPS = 1 + len(LOAD_STEPS)  # simulate, then each table loaded


def demo_cohort_ensure(*, home: Path, progress: Callable[[str], None], sizes: Sizes | None = None) -> str:
    """Simulate and load a cohort of `sizes` (default: the default cohort) unless students are loaded already; say
    which it did."""
    students = network_totals()["students"]
    if students:
        for _ in range(STEPS):
            progress("Reusing the existing database")
        return f"Reusing the existing database ({students:,} students)."
    directory = home / "demo-cohort"
    simulate(CohortConfig(sizes=sizes or Sizes())).write(directory)
    progress("Simulated the cohort")
    result = cohort_load(directory=directory, progress=lambda step: progress(f"Loaded {step}"))
    return (f"Simulated and loaded a cohort ({result.totals['students']:,} students in "
            f"{result.totals['schools']:,} schools).")
