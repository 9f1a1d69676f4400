"""The allocation's balance table: students' characteristics in student-level SD units from the students of each
arm (>= MIN_CELL), the schools' own in unit SD units — by hand, with the analysis frame replaced by a small one."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from safeschool.vocabulary import MIN_CELL
from safeschool.web.interventions import selectors_allocation, services_allocation


def test_balance_compares_students_in_student_sd_and_schools_in_unit_sd(monkeypatch):
    # two schools per arm; intervention students security 1..10 and 11..20 (school A1, A2), control 2..11 and
    # 12..21 (B1, B2): every student's value is one above its intervention counterpart
    students = pd.DataFrame({
        "school_id": ["A1"] * 10 + ["A2"] * 10 + ["B1"] * 10 + ["B2"] * 10 + ["C9"] * 10,
        "class_id": ["x"] * 50,
        "security": [*range(1, 21), *range(2, 22), *[99] * 10],
        "achievement": [500.0] * 20 + [float("nan")] * 15 + [510.0] * 5 + [0.0] * 10})
    monkeypatch.setattr(selectors_allocation, "analysis_frame", lambda wave: students)
    units = pd.DataFrame({"unit": ["A1", "A2", "B1", "B2"], "arm": ["intervention"] * 2 + ["control"] * 2,
                          "ses_composition": [0.1, 0.3, 0.2, 0.6], "climate_index": [1.0, 2.0, 2.0, 3.0]})
    rows = {r["variable"]: r for r in services_allocation._balance(units, "school")}
    sec = rows["security"]
    # C9 is not allocated; 20 students per arm; within-arm SD of 1..20 = sqrt(35); g = -1 / sqrt(35) * (1 - 3/151)
    assert sec["level"] == "student" and (sec["n_control"], sec["n_intervention"]) == (20, 20)
    assert sec["mean_control"] == pytest.approx(11.5) and sec["mean_intervention"] == pytest.approx(10.5)
    assert sec["sd_pooled"] == pytest.approx(math.sqrt(35))
    assert sec["std_diff"] == pytest.approx(-1 / math.sqrt(35) * (1 - 3 / 151))
    # control has only 5 students with achievement (< MIN_CELL): no control mean, count or g
    assert MIN_CELL > 5
    ach = rows["achievement"]
    assert ach["mean_control"] is None and ach["n_control"] is None and ach["std_diff"] is None
    assert ach["mean_intervention"] == pytest.approx(500.0)
    # the schools' own characteristic over the 4 units: SD of the units
    ses = rows["ses_composition"]
    assert ses["level"] == "unit" and (ses["n_control"], ses["n_intervention"]) == (2, 2)
    assert ses["sd_pooled"] == pytest.approx(math.sqrt((0.02 + 0.08) / 2))
