"""The impact in the outcome's own units (issue 17 polish): attendance (a 0–1 proportion) in percentage points, scales
with two significant digits, variance components with significant digits — on the page's and the PDF's one path."""

from __future__ import annotations

from safeschool.web.core import formatting
from safeschool.web.interventions.selectors_impact import impact_text


def test_attendance_impact_reads_in_percentage_points():
    # 0.0062 (0.0021 to 0.0112) as proportions = +0.62 (0.21 to 1.12) points -> one decimal (2 significant of 1.1)
    r = {"estimate": 0.0062, "ci": [0.0021, 0.0112]}
    assert impact_text(r, "attendance") == "+0.6 points (0.2 to 1.1)"
    # a bound of 0.04 points would read "0.0", as if it touched zero: one more decimal
    assert impact_text({"estimate": 0.0052, "ci": [0.0004, 0.0100]}, "attendance") == "+0.52 points (0.04 to 1.00)"
    assert impact_text({"estimate": -0.031, "ci": [-0.052, -0.010]}, "attendance") == "-3.1 points (-5.2 to -1.0)"


def test_scales_keep_two_significant_digits():
    assert impact_text({"estimate": 0.0123, "ci": [0.0041, 0.0205]}, "security") == "0.012 (0.004 to 0.021)"
    assert impact_text({"estimate": 12.3, "ci": [4.1, 20.5]}, "achievement") == "12 (4 to 21)"
    assert impact_text({"estimate": 0.12, "ci": [0.05, 0.19]}, "belonging") == "0.12 (0.05 to 0.19)"


def test_variance_components_keep_significant_digits():
    assert formatting.significant(0.000456, 2) == "0.00046"
    assert formatting.significant(0.0123, 2) == "0.012"
    assert formatting.significant(123.4, 2) == "123"
    assert formatting.significant(None, 2) == formatting.MISSING
    assert formatting.points(0.0, 1, signed=True) == "0.0"  # never "+0.0"


def test_the_trial_page_says_the_icc_once():
    from safeschool.web.interventions.power_web import icc_note

    sentence = "ICC 0.13 (95 % CI 0.08–0.17), estimated from 4,000 students in 40 schools, all stages"
    saved = {"inputs": {"icc": 0.135}, "sources": {"icc": sentence}, "estimate": {"icc_school": 0.1349}}
    note = icc_note(saved)
    assert note == sentence + "." and note.count("ICC") == 1
    by_hand = {**saved, "inputs": {"icc": 0.2}, "sources": {"icc": "entered on the power page"}}
    assert icc_note(by_hand) == "ICC 0.200: entered on the power page."
    assert icc_note(None) == "" and icc_note({"inputs": {"icc": 0.1}, "sources": {}}) == ""
