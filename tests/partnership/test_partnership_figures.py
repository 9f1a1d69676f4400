"""The state-of-the-art figure tables: outcomes by group per country and overall with table-wise suppression, and
the partnership figures of a year against hand computation."""

from __future__ import annotations

import pandas as pd
import pytest

from safeschool.partnership.figures import outcome_tables, partnership_tables


def students(country, migrant, n, dropouts, security=3.0):
    return [{"country_id": country, "migrant_background": migrant, "gender": "F" if i % 2 else "M",
             "roma_minority": False, "sen": False, "dropout": i < dropouts, "security": security,
             "belonging": 3.5} for i in range(n)]


@pytest.fixture(scope="module")
def frame():
    rows = (students("A", False, 20, 2) + students("A", True, 12, 3, security=2.0) + students("B", False, 25, 1)
            + students("B", True, 5, 2, security=2.0))
    return pd.DataFrame(rows)


def test_outcomes_overall_and_by_group_by_hand(frame):
    tables = outcome_tables(frame)
    overall = tables["overall"]
    assert overall["students"] == 62
    assert overall["early_leaving"]["mean"] == round(8 / 62, 3)
    migrant = overall["by_group"]["migrant_background"]["early_leaving"]
    assert migrant["True"]["n"] == 17 and migrant["True"]["mean"] == round(5 / 17, 3)
    assert migrant["False"]["mean"] == round(3 / 45, 3)
    assert overall["by_group"]["migrant_background"]["security"]["True"]["mean"] == 2.0
    gender = tables["countries"]["A"]["by_group"]["gender"]["early_leaving"]
    assert gender["F"]["mean"] == 0.125 and gender["M"]["mean"] == 0.188  # 2 of 16 girls, 3 of 16 boys
    assert gender["X"]["reason"] == "empty"


def test_a_small_group_in_a_country_is_hidden_with_its_protectors(frame):
    tables = outcome_tables(frame)
    country_b = tables["countries"]["B"]["by_group"]["migrant_background"]["early_leaving"]
    country_a = tables["countries"]["A"]["by_group"]["migrant_background"]["early_leaving"]
    assert country_b["True"]["reason"] == "small" and country_b["True"]["n"] is None
    assert country_b["True"]["mean"] is None
    # B's other cell (its country total is shown), A's migrant cell (the overall migrant figure is shown) and then
    # A's other cell (else A's migrant figure is A's total minus it)
    assert country_b["False"]["reason"] == "protects" and country_a["True"]["reason"] == "protects"
    assert country_a["False"]["reason"] == "protects"
    assert tables["overall"]["by_group"]["migrant_background"]["early_leaving"]["True"]["suppressed"] is False
    assert "0.4" not in str(country_b)  # B's 2 of 5 migrant students who left appear nowhere
    assert tables["countries"]["B"]["early_leaving"]["n"] == 30  # the country itself is large enough


def test_a_country_of_fewer_than_ten_students_is_hidden():
    rows = students("A", False, 30, 3) + students("B", False, 20, 2) + students("C", False, 9, 9)
    tables = outcome_tables(pd.DataFrame(rows))
    assert tables["countries"]["C"]["students"] is None
    assert tables["countries"]["C"]["early_leaving"]["reason"] == "small"
    assert tables["countries"]["B"]["early_leaving"]["reason"] == "protects"
    assert tables["overall"]["early_leaving"]["mean"] == round(14 / 59, 3)


@pytest.fixture(scope="module")
def registry():
    schools = pd.DataFrame({"school": ["s1", "s2", "s3", "s4", "s5"], "country": ["IT", "IT", "IT", "IT", "ES"],
                            "students": [100, 200, 50, 150, 80]})
    partnerships = pd.DataFrame({
        "partnership": [1, 2, 3, 4], "school": ["s1", "s2", "s3", "s5"],
        "since": pd.to_datetime(["2025-01-01", "2026-03-01", "2027-01-01", "2024-05-01"]),
        "ended_on": pd.to_datetime([None, "2026-06-30", None, None]),
        "services": [["training", "coaching"], ["training"], ["coaching"], ["case_management"]]})
    meetings = pd.DataFrame({"partnership": [1, 1, 1, 1, 2, 3],
                             "held_on": pd.to_datetime(["2025-12-01", "2026-01-10", "2026-05-10", "2026-11-02",
                                                        "2026-04-01", "2026-12-01"])})
    referrals = pd.DataFrame({"partnership": [1, 1, 1, 2, 4], "count": [5, 6, 6, 3, 0],
                              "month": pd.to_datetime(["2025-12-01", "2026-01-01", "2026-02-01", "2026-04-01",
                                                       "2026-02-01"])})
    return schools, partnerships, meetings, referrals


def test_partnership_figures_of_a_year_by_hand(registry):
    figures = partnership_tables(*registry, year=2026)
    italy = figures["countries"]["IT"]
    assert italy["schools"] == 4 and italy["schools_with_partner"] == 2 and italy["share_with_partner"] == 0.5
    assert italy["partnerships"] == 2  # partnership 3 starts in 2027
    assert italy["services"]["training"] == {"count": 2, "share": 1.0}
    assert italy["services"]["coaching"] == {"count": 1, "share": 0.5}
    assert italy["meetings"] == 4 and italy["meetings_per_partnership"] == 2.0
    # 6 + 6 + 3 referrals in 2026 over the 300 students of s1 and s2
    assert italy["referrals_per_100"] == {"value": 5.0, "suppressed": False, "reason": None}
    assert figures["countries"]["ES"]["referrals_per_100"]["value"] == 0.0
    assert figures["overall"]["referrals_per_100"]["value"] == round(1500 / 380, 2)
    assert figures["overall"]["services"]["case_management"] == {"count": 1, "share": round(1 / 3, 3)}


def test_fewer_than_ten_referrals_are_hidden_with_a_protecting_country(registry):
    schools, partnerships, meetings, referrals = registry
    more = pd.concat([referrals, pd.DataFrame({"partnership": [4], "count": [4],
                                               "month": pd.to_datetime(["2026-03-01"])})])
    figures = partnership_tables(schools, partnerships, meetings, more, year=2026)
    assert figures["countries"]["ES"]["referrals_per_100"] == {"value": None, "suppressed": True, "reason": "small"}
    assert figures["countries"]["IT"]["referrals_per_100"]["reason"] == "protects"
    assert figures["overall"]["referrals_per_100"]["value"] == 5.0  # 19 of 380
