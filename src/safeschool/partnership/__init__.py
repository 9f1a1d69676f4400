"""School–REC partnerships (issue 18), the pure core: the partnership quality survey (instrument.yaml, read by
instrument.py) with the coded taxonomy of implementation problems and the REC services (taxonomy.py), the
training-and-support-needs analysis of school leaders and teachers (needs.yaml, needs.py), their figures with
disclosure control (scoring.py) and the state-of-the-art report's figure tables (figures.py). Pure: no Django."""

from safeschool.partnership.taxonomy import PROBLEMS, SERVICES, SIDES, Problem

__all__ = ["PROBLEMS", "SERVICES", "SIDES", "Problem"]
