"""The demo's official indicators: SIMULATED releases in Eurostat's formats (safeschool.indicators.simulate) — the
national series sdg_04_10 (sex T/F/M, 2014-2024) of the registry's countries and the EU aggregate, each starting
from the country's registry rate and drifting down, and the regional edat_lfse_16 with two or three NUTS 2 regions
per country — imported through the same service as a researcher's upload, marked simulated so every page says so."""

from __future__ import annotations

from safeschool.indicators import simulate
from safeschool.web.indicators import services
from safeschool.web.indicators.models import Release
from safeschool.web.research.models import Country

YEARS = range(2014, 2025)
EU_2014 = 11.2  # the EU aggregate's starting rate (Eurostat published 11.1 % for the EU in 2014)
# real NUTS 2 codes, two or three per country (a country not listed gets two made-up ones, <code>11 and <code>12)
REGIONS = {
    "IT": ["ITC4", "ITF3", "ITI4"], "ES": ["ES30", "ES51", "ES61"], "PT": ["PT11", "PT16", "PT17"],
    "EL": ["EL30", "EL43", "EL52"], "RO": ["RO11", "RO21", "RO32"], "PL": ["PL21", "PL22", "PL91"],
    "IE": ["IE05", "IE06"], "HU": ["HU11", "HU31"], "BG": ["BG41", "BG42"], "HR": ["HR03", "HR05"],
    "FR": ["FR10", "FRK2"], "DE": ["DE30", "DE21"],
}


def _countries() -> dict[str, float]:
    """The registry's countries with a code Eurostat could use (two capital letters) and their rate."""
    return {country.code: float(country.esl_rate_pct) for country in Country.objects.order_by("code")
            if len(country.code) == 2 and country.code.isalpha() and country.code.isupper()}


def demo_indicators_ensure() -> str:
    """Import the simulated releases unless there are simulated ones already; a note for the person running the
    demo ("" when nothing was added)."""
    if Release.objects.filter(simulated=True).exists():
        return ""
    countries = _countries()
    regions = {code: REGIONS.get(code, [f"{code}11", f"{code}12"]) for code in countries}
    national = simulate.bulk_tsv(dataset="sdg_04_10", countries=countries | {"EU27_2020": EU_2014}, years=YEARS)
    regional = simulate.bulk_tsv(dataset="edat_lfse_16", countries=countries, years=YEARS, regions=regions)
    made = [services.release_import(data=national.encode(), name="estat_sdg_04_10_simulated.tsv",
                                    dataset="sdg_04_10", simulated=True)]
    if countries:
        made.append(services.release_import(data=regional.encode(), name="estat_edat_lfse_16_simulated.tsv",
                                            dataset="edat_lfse_16", simulated=True))
    return (f"Imported simulated official indicators ({', '.join(r.dataset for r in made)}: "
            f"{sum(r.n_observations for r in made)} observations, marked simulated on /indicators/).")
