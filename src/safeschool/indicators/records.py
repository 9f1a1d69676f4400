"""What a Eurostat file is read into (observations with their flags, row errors, the release) and the checks every
format shares: flags, codes, geo and value ranges. ``eurostat`` is the public face; this module has no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from safeschool.vocabulary import gettext_noop

SUPPORTED = ("sdg_04_10", "edat_lfse_14", "edat_lfse_16")

# Eurostat's observation flags, as listed under "Flags" on the database page
# (https://ec.europa.eu/eurostat/web/main/data/database) and quoted in datacommonsorg/data issue 128. Since
# 27 January 2025 Eurostat writes "i" (imputed) where it wrote "s" and "m" (missing, cannot exist) where it wrote
# "z", and moved "c" to a separate confidentiality status (SDMX's CONF_STATUS, "C"): files of both generations are read.
FLAGS = {
    "b": gettext_noop("break in time series"),
    "c": gettext_noop("confidential"),
    "d": gettext_noop("definition differs (see metadata)"),
    "e": gettext_noop("estimated"),
    "f": gettext_noop("forecast"),
    "i": gettext_noop("value imputed by Eurostat"),
    "m": gettext_noop("missing value, data cannot exist"),
    "n": gettext_noop("not significant"),
    "p": gettext_noop("provisional"),
    "r": gettext_noop("revised"),
    "s": gettext_noop("Eurostat estimate"),
    "u": gettext_noop("low reliability"),
    "z": gettext_noop("not applicable"),
}

MAX_BYTES = 50 * 1024 * 1024  # uncompressed; the whole edat_lfse_16 bulk file is under 2 MB
MAX_ROWS = 200_000  # observations
MAX_ERRORS = 100

GEO = re.compile(r"^[A-Z]{2}[A-Z0-9]{0,3}$")
AGGREGATE = re.compile(r"^(EU|EA)[0-9A-Z_]*$")
YEAR = re.compile(r"^[0-9]{4}$")
# a plausible year of these series (the labour force survey starts in 1983): "0001" or "9999" is a typo, refused
YEARS = range(1950, 2101)
# a dimension code as Eurostat writes them ("PC", "Y18-24", "THS_PER"): no markup, no spreadsheet formula
DIM_CODE = re.compile(r"^[A-Za-z0-9_.-]*$")
MAX_COLUMNS = 1000  # a bulk TSV has one column per year, SDMX-CSV a dozen: more is not a file from Eurostat
NUMBER = re.compile(r"^-?[0-9]+(?:\.[0-9]+)?$")
# a bulk TSV cell: a number or ":" (missing), then flag letters, with or without a space between
TSV_CELL = re.compile(r"^(?P<value>:|-?[0-9]+(?:\.[0-9]+)?)\s*(?P<flags>[A-Za-z]*)$")
# SDMX-CSV's leading columns that describe the file, not the observation
STRUCTURE_COLUMNS = {"DATAFLOW", "LAST UPDATE", "STRUCTURE", "STRUCTURE_ID", "STRUCTURE_NAME", "ACTION"}
# SDMX 2.0's CONF_STATUS: F = free to publish; C = confidential (the old "c" flag)
CONF_STATUS = {"": "", "F": "", "C": "c"}
_COMMON = ("freq", "unit", "sex", "age")


class EurostatError(ValueError):
    """The file cannot be read as one of the supported Eurostat datasets (one line saying why)."""


@dataclass(frozen=True)
class Observation:
    dataset: str
    geo: str
    year: int
    value: float | None
    flags: str  # sorted distinct flag letters, "" when none
    dims: tuple[tuple[str, str], ...]  # every dimension but geo and time, in file order

    def _dim(self, name: str) -> str:
        return dict(self.dims).get(name, "")

    @property
    def sex(self) -> str:
        return self._dim("sex")

    @property
    def age(self) -> str:
        return self._dim("age")

    @property
    def unit(self) -> str:
        return self._dim("unit")

    @property
    def other(self) -> str:
        """The dimensions beyond freq/unit/sex/age, e.g. "wstatus=POP" (edat_lfse_14), "" when none."""
        return ",".join(f"{name}={code}" for name, code in self.dims if name not in _COMMON)

    @property
    def break_in_series(self) -> bool:
        return "b" in self.flags

    @property
    def country(self) -> str:
        """"EL" for Greece ("EL") and its regions ("EL30"); "" for aggregates such as EU27_2020 or EA20."""
        return "" if AGGREGATE.match(self.geo) else self.geo[:2]


@dataclass(frozen=True)
class RowError:
    row: int  # the file's line number, header = 1
    field: str  # the column: a year, "geo", "TIME_PERIOD", "OBS_VALUE" ...
    message: str


@dataclass
class Release:
    dataset: str
    format: str  # "tsv" | "sdmx-csv"
    dimensions: list[str]  # every dimension but time, geo included, in file order
    observations: list[Observation] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def quoted(value: str) -> str:
    """A value as an error message shows it: quoted and cut to 40 characters."""
    value = value if len(value) <= 40 else value[:39] + "…"
    return f"'{value}'"


def parse_flags(letters: str) -> tuple[str, str]:
    """(sorted distinct flags, the unknown letters); upper-case "C" is the newer confidentiality code."""
    letters = letters.replace("C", "c")
    unknown = "".join(sorted({letter for letter in letters if letter not in FLAGS}))
    return "".join(sorted(set(letters) - set(unknown))), unknown


def code_of(cell: str) -> str:
    """A dimension cell's code: Eurostat's "codes and labels" export writes "ES:Spain"."""
    return cell.split(":", 1)[0].strip()


def geo_problem(geo: str) -> str:
    if not geo:
        return "geo is missing"
    if GEO.match(geo) or AGGREGATE.match(geo):
        return ""
    return f"geo {quoted(geo)} is not a country, region or EU/euro-area aggregate code"


def year_problem(period: str) -> str:
    if not YEAR.match(period):
        return f"time period {quoted(period)} is not a year (these datasets are annual, e.g. '2019')"
    if int(period) not in YEARS:
        return f"year {quoted(period)} is outside {YEARS.start}-{YEARS.stop - 1}"
    return ""


def dims_problem(dims: tuple[tuple[str, str], ...]) -> str:
    for name, code in dims:
        if not DIM_CODE.match(code) or len(code) > 40:
            return f"{name} {quoted(code)} is not a Eurostat code (letters, digits, '_', '-' and '.')"
    return ""


def value_problem(value: float | None, dims: tuple[tuple[str, str], ...]) -> str:
    if value is not None and value < 0:  # shares and counts of people: never negative
        return f"{quoted(f'{value:.15g}')} is negative"
    if value is not None and dict(dims).get("unit") == "PC" and not 0 <= value <= 100:
        return f"{quoted(f'{value:.15g}')} is outside 0-100 for a percentage (unit PC)"
    return ""
