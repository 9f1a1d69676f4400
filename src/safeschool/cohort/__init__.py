"""Simulator of a LETS CARE-design cohort with known effects (pure Python: no Django)."""

from safeschool.cohort.params import CohortConfig, Sizes
from safeschool.cohort.simulate import Cohort, CohortSizeError, simulate

__all__ = ["Cohort", "CohortConfig", "CohortSizeError", "Sizes", "simulate"]
