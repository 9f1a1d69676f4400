"""The two layouts Eurostat publishes a dataset in, each read into a ``Release``: the bulk TSV (one row per series,
one column per year, flags after the value) and SDMX-CSV (one row per observation, flags in OBS_FLAG)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from safeschool.indicators.records import (
    CONF_STATUS,
    MAX_COLUMNS,
    MAX_ERRORS,
    MAX_ROWS,
    NUMBER,
    STRUCTURE_COLUMNS,
    TSV_CELL,
    EurostatError,
    Observation,
    Release,
    RowError,
    code_of,
    dims_problem,
    geo_problem,
    parse_flags,
    quoted,
    value_problem,
    year_problem,
)


class _Collector:
    """The release being built: observations, duplicate keys, and row errors up to MAX_ERRORS."""

    def __init__(self, release: Release):
        self.release = release
        self.seen: dict[tuple, int] = {}

    def error(self, row: int, column: str, message: str) -> None:
        if len(self.release.errors) < MAX_ERRORS:
            self.release.errors.append(RowError(row, column, message))

    def add(self, row: int, column: str, observation: Observation) -> None:
        key = (observation.dims, observation.geo, observation.year)
        if key in self.seen:
            self.error(row, column, f"duplicates line {self.seen[key]}: same {_describe(observation)}")
            return
        if len(self.release.observations) >= MAX_ROWS:
            raise EurostatError(f"the file has over {MAX_ROWS:,} observations")
        self.seen[key] = row
        self.release.observations.append(observation)


def _describe(observation: Observation) -> str:
    codes = ",".join(code for _, code in observation.dims)
    return f"series {quoted(codes)}, geo {quoted(observation.geo)} and year {observation.year}"


def read_tsv(text: str, *, dataset: str) -> Release:
    lines = text.lstrip("\ufeff").splitlines()
    header = lines[0].split("\t")
    if len(header) > MAX_COLUMNS:
        raise EurostatError(f"the header has {len(header):,} columns (Eurostat's files have one per year)")
    first = header[0].strip()
    names = [code_of(name).lower() for name in first.split("\\", 1)[0].split(",")]
    if "geo" not in names:
        raise EurostatError(f"the first header cell {quoted(first)} names no geo dimension")
    release = Release(dataset, "tsv", names)
    out = _Collector(release)
    years: dict[int, int] = {}  # column index -> year
    for index, period in enumerate(header[1:], start=1):
        period = period.strip()
        problem = year_problem(period)
        if problem:
            out.error(1, period, problem)
        elif int(period) in years.values():
            out.error(1, period, f"year {quoted(period)} appears twice in the header")
        else:
            years[index] = int(period)
    geo_at = names.index("geo")
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != len(header):
            out.error(number, "row", f"has {len(cells)} cells where the header has {len(header)}")
            continue
        codes = [code_of(code) for code in cells[0].split(",")]
        if len(codes) != len(names):
            out.error(number, first, f"{quoted(cells[0])} has {len(codes)} codes where the header names {len(names)}")
            continue
        geo = codes[geo_at]
        problem = geo_problem(geo)
        if problem:
            out.error(number, "geo", problem)
            continue
        dims = tuple((name, code) for name, code in zip(names, codes, strict=True) if name != "geo")
        problem = dims_problem(dims)
        if problem:
            out.error(number, first, problem)
            continue
        for index, year in years.items():
            raw = cells[index].strip()
            column = header[index].strip()
            match = TSV_CELL.match(raw)
            if not match:
                out.error(number, column, f"{quoted(raw)} is not a number (or ':' for missing) with flags")
                continue
            flags, unknown = parse_flags(match["flags"])
            if unknown:
                out.error(number, column, f"unknown flag {quoted(unknown)} in {quoted(raw)}")
                continue
            value = None if match["value"] == ":" else float(match["value"]) + 0.0  # + 0.0: "-0" is 0
            problem = value_problem(value, dims)
            if problem:
                out.error(number, column, problem)
                continue
            out.add(number, column, Observation(dataset, geo, year, value, flags, dims))
    return release


def read_sdmx(text: str, *, dataset: Callable[[str], str]) -> Release:
    """``dataset`` is told the file's DATAFLOW (or STRUCTURE_ID) and returns the dataset code or refuses."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = [cell.strip() for cell in next(reader)]
    except csv.Error as error:
        raise EurostatError(f"the header cannot be read as CSV: {error}") from None
    if len(header) > MAX_COLUMNS:
        raise EurostatError(f"the header has {len(header):,} columns (SDMX-CSV has about a dozen)")
    upper = [cell.upper() for cell in header]
    time_at, value_at = upper.index("TIME_PERIOD"), upper.index("OBS_VALUE")
    flag_at = upper.index("OBS_FLAG") if "OBS_FLAG" in upper else None
    conf_at = upper.index("CONF_STATUS") if "CONF_STATUS" in upper else None
    flow_at = next((upper.index(name) for name in ("DATAFLOW", "STRUCTURE_ID") if name in upper), None)
    dim_at = [index for index in range(time_at) if upper[index] not in STRUCTURE_COLUMNS]
    names = [code_of(header[index]).lower() for index in dim_at]
    if "geo" not in names:
        raise EurostatError("the SDMX-CSV header has no geo column")
    try:
        rows = list(reader)
    except csv.Error as error:
        raise EurostatError(f"line {reader.line_num} cannot be read as CSV: {error}") from None
    flows = {row[flow_at].strip() for row in rows if flow_at is not None and len(row) > flow_at and row[flow_at].strip()}
    if len(flows) > 1:
        raise EurostatError(f"the file mixes datasets: {', '.join(sorted(flows))}")
    code = dataset(next(iter(flows), ""))
    release = Release(code, "sdmx-csv", names)
    out = _Collector(release)
    line = 1
    for row in rows:
        # csv cells may hold quoted line breaks, so the line number is counted from the cells themselves
        number = line + 1
        line += 1 + sum(cell.count("\n") for cell in row)
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            out.error(number, "row", f"has {len(row)} cells where the header has {len(header)}")
            continue
        codes = [code_of(row[index]) for index in dim_at]
        geo = codes[names.index("geo")]
        problem = geo_problem(geo)
        if problem:
            out.error(number, "geo", problem)
            continue
        period = row[time_at].strip()
        problem = year_problem(period)
        if problem:
            out.error(number, header[time_at], problem)
            continue
        raw = row[value_at].strip()
        if raw not in ("", ":") and not NUMBER.match(raw):
            out.error(number, header[value_at], f"{quoted(raw)} is not a number")
            continue
        letters = code_of(row[flag_at]) if flag_at is not None else ""
        flags, unknown = parse_flags(letters.replace(" ", ""))
        if unknown:
            out.error(number, header[flag_at], f"unknown flag {quoted(unknown)} in {quoted(row[flag_at].strip())}")
            continue
        if conf_at is not None:
            status = code_of(row[conf_at]).upper()
            if status not in CONF_STATUS:
                out.error(number, header[conf_at], f"unknown confidentiality status {quoted(status)}")
                continue
            flags = "".join(sorted(set(flags + CONF_STATUS[status])))
        dims = tuple((name, code) for name, code in zip(names, codes, strict=True) if name != "geo")
        problem = dims_problem(dims)
        if problem:
            out.error(number, "row", problem)
            continue
        value = None if raw in ("", ":") else float(raw) + 0.0
        problem = value_problem(value, dims)
        if problem:
            out.error(number, header[value_at], problem)
            continue
        out.add(number, header[value_at], Observation(code, geo, int(period), value, flags, dims))
    return release
