"""Early leaving against the EU targets, on series written by hand: strictly below the target, the sign of the
distance, the summary, which dataset a national series comes from, and each region's latest figure."""

from __future__ import annotations

from safeschool.indicators.eurostat import Observation
from safeschool.indicators.targets import (
    TARGET_2020,
    TARGET_2030,
    TARGETS,
    Point,
    distance,
    met,
    national_series,
    regional_latest,
    summary,
    years_met,
)


def _dims(sex="T", age="Y18-24", unit="PC", **extra):
    return (("freq", "A"), ("unit", unit), ("sex", sex), ("age", age), *extra.items())


def _obs(dataset, geo, year, value, flags="", **dims):
    return Observation(dataset, geo, year, value, flags, _dims(**dims))


SERIES = [Point(2015, 11.0, "", False), Point(2016, 9.0, "b", True), Point(2017, 8.9, "", False),
          Point(2018, None, "c", False), Point(2019, 9.5, "", False), Point(2020, 8.0, "", False),
          Point(2021, 7.5, "bp", True)]


def test_the_targets():
    assert (TARGET_2030, TARGET_2020) == (9.0, 10.0)
    assert TARGETS == {2030: 9.0, 2020: 10.0}


def test_met_is_strictly_below_the_target():
    assert met(8.9, 9.0) is True
    assert met(9.0, 9.0) is False
    assert met(9.1, 9.0) is False
    assert met(None, 9.0) is None
    assert years_met(SERIES, 9.0) == [2017, 2020, 2021]
    assert years_met(SERIES, 10.0) == [2016, 2017, 2019, 2020, 2021]


def test_distance_is_value_minus_target_in_points():
    assert distance(11.5, 9.0) == 2.5
    assert distance(7.25, 9.0) == -1.75
    assert distance(9.0, 9.0) == 0.0
    assert distance(None, 9.0) is None
    assert distance(9.3, 9.0) == 0.3  # not 0.3000000000000007


def test_summary_of_a_hand_series():
    assert summary(SERIES) == {
        "latest_year": 2021, "latest": 7.5, "latest_flags": "bp", "distance": -1.5, "met": True,
        "years_met": [2017, 2020, 2021], "first_year_met": 2017, "breaks": [2016, 2021],
        # the last five years with a figure: 2016 (9.0) ... 2021 (7.5); 2018 has none
        "trend": -1.5,
    }
    assert summary(SERIES, TARGET_2020)["first_year_met"] == 2016
    assert summary(SERIES[:1]) == {"latest_year": 2015, "latest": 11.0, "latest_flags": "", "distance": 2.0,
                                   "met": False, "years_met": [], "first_year_met": None, "breaks": [], "trend": None}
    assert summary([])["latest"] is None and summary([])["met"] is None


def test_national_series_prefers_sdg_then_edat_lfse_14_then_the_regional_file():
    rows = [
        _obs("edat_lfse_16", "ES", 2020, 16.0), _obs("edat_lfse_16", "ES11", 2020, 14.0),
        _obs("edat_lfse_14", "ES", 2021, 13.3, wstatus="POP"), _obs("edat_lfse_14", "ES", 2020, 16.1, "b", wstatus="POP"),
        _obs("edat_lfse_14", "ES", 2020, 3.1, wstatus="EMP"),  # employed early leavers: another measure
        _obs("sdg_04_10", "EL", 2020, 3.8), _obs("sdg_04_10", "EL", 2020, 3.0, sex="F"),
        _obs("sdg_04_10", "EL", 2021, 99.0, age="Y18-64"), _obs("sdg_04_10", "EL", 2021, 1000.0, unit="THS_PER"),
        _obs("edat_lfse_14", "EL", 2020, 4.2, wstatus="POP"),
        _obs("edat_lfse_16", "PT", 2019, None, "c"), _obs("edat_lfse_16", "PT", 2018, 11.8),
    ]
    assert national_series(rows, geo="ES") == [Point(2020, 16.1, "b", True), Point(2021, 13.3, "", False)]
    assert national_series(rows, geo="EL") == [Point(2020, 3.8, "", False)]
    assert national_series(rows, geo="EL", sex="F") == [Point(2020, 3.0, "", False)]
    assert national_series(rows, geo="PT") == [Point(2018, 11.8, "", False), Point(2019, None, "c", False)]
    assert national_series(rows, geo="IT") == []


def test_regional_latest_takes_each_region_at_its_latest_figure():
    rows = [
        _obs("edat_lfse_16", "ES11", 2022, 14.0), _obs("edat_lfse_16", "ES11", 2023, 12.5, "p"),
        _obs("edat_lfse_16", "ES30", 2023, None, "u"), _obs("edat_lfse_16", "ES30", 2021, 10.2, "u"),
        _obs("edat_lfse_16", "ES30", 2023, 9.0, sex="F"),
        _obs("edat_lfse_16", "ES", 2023, 13.0), _obs("edat_lfse_16", "EL30", 2023, 5.0),
        _obs("sdg_04_10", "ES70", 2023, 20.0),
    ]
    assert regional_latest(rows, country="ES") == [{"geo": "ES11", "year": 2023, "value": 12.5, "flags": "p"},
                                                   {"geo": "ES30", "year": 2021, "value": 10.2, "flags": "u"}]
    assert regional_latest(rows, country="EL") == [{"geo": "EL30", "year": 2023, "value": 5.0, "flags": ""}]
    assert regional_latest(rows, country="IT") == []
