"""SIMULATED Eurostat files on early leaving, for the demo and the tests: laid out exactly as Eurostat's bulk TSV and
SDMX-CSV 1.0 are, with invented rates (they are not Eurostat's figures). Rates drift down year on year, girls below
boys; each country has one break in series ("b"), the last year is provisional ("p"), small regional rates are of
low reliability ("u") and a few regional figures are missing (":").
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterable, Mapping

from safeschool import csvsafe
from safeschool.indicators.eurostat import Observation

SEXES = ("F", "M", "T")
# boys leave early more often than girls: in the EU about 11 % against 8 % (sdg_04_10, 2023), so relative to the total
SEX_FACTOR = {"F": 0.82, "M": 1.17, "T": 1.0}
UNRELIABLE_BELOW = 6.0  # a regional rate below this is from a small sample: flagged "u"
MISSING = 0.04  # the share of regional figures not published
LAST_UPDATE = "23/04/24 23:00:00"


def _dims(dataset: str, sex: str) -> tuple[tuple[str, str], ...]:
    dims = [("freq", "A"), ("unit", "PC"), ("sex", sex), ("age", "Y18-24")]
    if dataset == "edat_lfse_14":
        dims.append(("wstatus", "POP"))
    return tuple(dims)


def observations(*, dataset: str = "sdg_04_10", countries: Mapping[str, float], years: Iterable[int] = range(2014, 2025),
                 seed: int = 0, regions: Mapping[str, list[str]] | None = None) -> list[Observation]:
    """The simulated observations (countries: code -> the total rate in the first year), in Eurostat's row order."""
    rng = random.Random(f"{dataset}:{seed}")
    years = list(years)
    rows = []
    for country, start in sorted(countries.items()):
        break_year = rng.choice(years[1:-1] or years)
        drift = rng.uniform(0.015, 0.045)  # a relative fall per year
        national = {year: start * (1 - drift) ** step + rng.gauss(0, 0.2) for step, year in enumerate(years)}
        series = [(country, national, False)]
        if dataset == "edat_lfse_16":
            for region in (regions or {}).get(country, []):
                factor = rng.uniform(0.55, 1.5)
                series.append((region, {year: rate * factor + rng.gauss(0, 0.6) for year, rate in national.items()},
                               True))
        for geo, rates, regional in series:
            for sex in SEXES:
                for year in years:
                    value = round(max(0.5, rates[year] * SEX_FACTOR[sex]), 1)
                    flags = set()
                    if year == break_year:
                        flags.add("b")
                    if year == years[-1]:
                        flags.add("p")
                    if regional and value < UNRELIABLE_BELOW:
                        flags.add("u")
                    if regional and rng.random() < MISSING:
                        value = None
                    rows.append(Observation(dataset, geo, year, value, "".join(sorted(flags)), _dims(dataset, sex)))
    rows.sort(key=lambda row: (row.dims, row.geo, row.year))
    return rows


def render_tsv(rows: list[Observation]) -> str:
    """Eurostat's bulk TSV: a row per series, a column per year (with Eurostat's trailing space), "value flags"."""
    years = sorted({row.year for row in rows})
    names = [name for name, _ in rows[0].dims] + ["geo"] if rows else ["freq", "unit", "sex", "age", "geo"]
    series: dict[tuple, dict[int, Observation]] = {}
    for row in rows:
        series.setdefault((row.dims, row.geo), {})[row.year] = row
    out = [",".join(names) + "\\TIME_PERIOD\t" + "\t".join(f"{year} " for year in years)]
    for (dims, geo), by_year in series.items():
        cells = [",".join([code for _, code in dims] + [geo])]
        for year in years:
            row = by_year.get(year)
            if row is None or row.value is None:
                cells.append(f": {row.flags}" if row and row.flags else ":")
            else:
                cells.append(f"{row.value:.1f} {row.flags}")
        out.append("\t".join(cells))
    return "\n".join(out) + "\n"


def render_sdmx(rows: list[Observation]) -> str:
    """SDMX-CSV 1.0 as Eurostat's data browser writes it: a row per observation, flags in OBS_FLAG."""
    buffer = io.StringIO()
    writer = csvsafe.writer(buffer, lineterminator="\n")
    names = [name for name, _ in rows[0].dims] if rows else ["freq", "unit", "sex", "age"]
    writer.writerow(["DATAFLOW", "LAST UPDATE", *names, "geo", "TIME_PERIOD", "OBS_VALUE", "OBS_FLAG"])
    for row in sorted(rows, key=lambda row: (row.dims, row.geo, row.year)):
        value = "" if row.value is None else f"{row.value:.1f}"
        writer.writerow([f"ESTAT:{row.dataset.upper()}(1.0)", LAST_UPDATE, *(code for _, code in row.dims), row.geo,
                         row.year, value, row.flags])
    return buffer.getvalue()


def bulk_tsv(*, dataset: str = "sdg_04_10", countries: Mapping[str, float], years: Iterable[int] = range(2014, 2025),
             seed: int = 0, regions: Mapping[str, list[str]] | None = None) -> str:
    """A simulated bulk TSV file of the dataset (for edat_lfse_16, with the NUTS 2 rows of ``regions``)."""
    return render_tsv(observations(dataset=dataset, countries=countries, years=years, seed=seed, regions=regions))


def sdmx_csv(*, dataset: str = "sdg_04_10", countries: Mapping[str, float], years: Iterable[int] = range(2014, 2025),
             seed: int = 0, regions: Mapping[str, list[str]] | None = None) -> str:
    """The same simulated data as ``bulk_tsv`` in SDMX-CSV 1.0."""
    return render_sdmx(observations(dataset=dataset, countries=countries, years=years, seed=seed, regions=regions))
