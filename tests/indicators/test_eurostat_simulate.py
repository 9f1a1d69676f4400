"""Simulated Eurostat files read back to exactly the simulated observations, in both formats, and look like the
real ones (the header, flags, girls below boys, rates that fall)."""

from __future__ import annotations

import pytest

from safeschool.indicators import simulate
from safeschool.indicators.eurostat import read
from safeschool.indicators.targets import national_series

COUNTRIES = {"ES": 22.0, "EL": 9.5, "PT": 17.0}
REGIONS = {"ES": ["ES11", "ES30", "ES61"], "EL": ["EL30", "EL41"], "PT": ["PT11"]}


@pytest.mark.parametrize("dataset", ["sdg_04_10", "edat_lfse_14", "edat_lfse_16"])
def test_both_formats_read_back_to_the_simulated_observations(dataset):
    kwargs = {"dataset": dataset, "countries": COUNTRIES, "seed": 3, "regions": REGIONS}
    expected = simulate.observations(**kwargs)
    tsv = read(simulate.bulk_tsv(**kwargs), name=f"estat_{dataset}.tsv")
    sdmx = read(simulate.sdmx_csv(**kwargs).encode())
    assert tsv.ok and sdmx.ok, (tsv.errors, sdmx.errors)
    assert tsv.observations == expected
    assert sdmx.observations == expected
    assert sdmx.dataset == dataset


def test_the_simulated_files_look_like_eurostat_s():
    text = simulate.bulk_tsv(dataset="edat_lfse_16", countries=COUNTRIES, regions=REGIONS, seed=1)
    header, first = text.splitlines()[:2]
    assert header.split("\t")[:3] == ["freq,unit,sex,age,geo\\TIME_PERIOD", "2014 ", "2015 "]
    assert first.startswith("A,PC,F,Y18-24,EL\t")
    rows = simulate.observations(dataset="edat_lfse_16", countries=COUNTRIES, regions=REGIONS, seed=1)
    assert {row.geo for row in rows} == set(COUNTRIES) | {code for codes in REGIONS.values() for code in codes}
    assert all("p" in row.flags for row in rows if row.year == 2024)
    for country in COUNTRIES:
        breaks = {row.year for row in rows if row.country == country and row.break_in_series}
        assert len(breaks) == 1
        girls, boys = (national_series(rows, geo=country, sex=sex) for sex in "FM")
        assert all(f.value < m.value for f, m in zip(girls, boys, strict=True))
        total = national_series(rows, geo=country)
        assert total[-1].value < total[0].value
    assert any(row.value is None for row in rows) and any("u" in row.flags for row in rows)
    assert all(row.value is not None for row in rows if len(row.geo) == 2)
    assert simulate.observations(countries={"ES": 22.0}, seed=5) == simulate.observations(countries={"ES": 22.0}, seed=5)
