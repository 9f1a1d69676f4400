"""The one definition of a site's per-cluster sums, rendered as SQL for each engine that runs it.

`safeschool.stats.sites` describes a model as a `Design` (outcome, grouping columns, design columns) and asks this
module for the three statements it runs: the distinct categories of a factor, the centring constants (means of the
first rows) and the GROUP BY of sums and cross-products. Nothing else in the project writes that SQL. What differs
between DuckDB, SQLite, PostgreSQL and Spark SQL lives in `Dialect`: how identifiers are quoted (Spark uses
backticks), how string literals are escaped (Spark SQL also reads backslash escapes), and the name of the double
type. Every value the statements compute is a double, whatever the engine would make of a bare `1.0` (DuckDB, Spark
and PostgreSQL read it as a decimal).
"""

from __future__ import annotations

from dataclasses import dataclass

CENTRING_SAMPLE = 10_000


@dataclass(frozen=True)
class Dialect:
    name: str
    quote: str  # identifier quote character
    double: str  # the double-precision type in CAST
    backslash_escapes: bool = False  # string literals read \ as an escape character

    def ident(self, name: str) -> str:
        """A quoted identifier; the quote character inside a name is doubled (all four engines read that)."""
        return f"{self.quote}{name.replace(self.quote, self.quote * 2)}{self.quote}"

    def literal(self, text: str) -> str:
        """A string literal. Spark SQL reads backslash escapes (\\' and \\\\) and not a doubled quote."""
        if self.backslash_escapes:
            return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
        return "'" + text.replace("'", "''") + "'"

    def number(self, value: float) -> str:
        """A double constant (repr keeps every digit; the CAST keeps engines from reading it as a decimal)."""
        return f"CAST({float(value)!r} AS {self.double})"

    def as_double(self, expr: str) -> str:
        return f"CAST({expr} AS {self.double})"

    def limit(self, select: str, n: int) -> str:
        return f"{select} LIMIT {int(n)}"


DIALECTS = {
    "duckdb": Dialect("duckdb", '"', "DOUBLE"),
    "sqlite": Dialect("sqlite", '"', "REAL"),
    "postgresql": Dialect("postgresql", '"', "DOUBLE PRECISION"),
    "spark": Dialect("spark", "`", "DOUBLE", backslash_escapes=True),
}


@dataclass(frozen=True)
class Column:
    """One design column: the intercept, a numeric column, a boolean's TRUE or one category of a factor."""

    name: str  # as lme4 names it: (Intercept), x, flagTRUE, genderM
    kind: str  # "intercept", "numeric", "boolean" or "level"
    source: str = ""  # the data column it comes from
    level: str = ""  # for "level": the category it indicates

    def render(self, d: Dialect) -> str:
        if self.kind == "intercept":
            return d.number(1.0)
        if self.kind == "numeric":
            return d.as_double(d.ident(self.source))
        if self.kind == "boolean":
            return d.as_double(f"CASE WHEN {d.ident(self.source)} THEN 1 ELSE 0 END")
        if self.kind == "level":
            return d.as_double(f"CASE WHEN {d.ident(self.source)} = {d.literal(self.level)} THEN 1 ELSE 0 END")
        raise ValueError(f"unknown design column kind {self.kind!r}")


@dataclass(frozen=True)
class Design:
    """What the sums are of: rows with none of `needed` missing, grouped by `levels` (outermost first)."""

    response: str
    levels: tuple[str, ...]
    columns: tuple[Column, ...]  # the intercept first
    needed: tuple[str, ...]  # every data column the model uses

    def where(self, d: Dialect) -> str:
        return " AND ".join(f"{d.ident(c)} IS NOT NULL" for c in self.needed)

    def numeric(self) -> list[int]:
        return [i for i, c in enumerate(self.columns) if c.kind == "numeric"]


def levels_sql(d: Dialect, relation: str, design: Design, column: str) -> str:
    """The distinct values of a factor column among the rows the model uses (sorted by the caller, in Python, so
    that every engine and collation gives the same reference category)."""
    return f"SELECT DISTINCT {d.ident(column)} AS v FROM {relation} WHERE {design.where(d)}"


def centring_sql(d: Dialect, relation: str, design: Design, sample: int = CENTRING_SAMPLE) -> str:
    """Means of the outcome (`cy`) and of each numeric design column i (`c{i}`) over the first `sample` rows:
    constants near the means, without a second full pass."""
    averages = [f"AVG({d.as_double(d.ident(design.response))}) AS cy"]
    averages += [f"AVG({design.columns[i].render(d)}) AS c{i}" for i in design.numeric()]
    first = d.limit(f"SELECT * FROM {relation} WHERE {design.where(d)}", sample)
    return f"SELECT {', '.join(averages)} FROM ({first}) first_rows"


def sums_sql(d: Dialect, relation: str, design: Design, center_x: list[float], center_y: float) -> str:
    """One GROUP BY pass: per lowest cluster `g0..` (as stored), n, and for design columns i, j >= 1 (the
    intercept's sums are n and the others' sums) `sx{i}`, `xy{i}`, `xx{i}_{j}`, then `sy` and `yy`, all of the
    centred values. Clusters come out ordered by their ids."""
    columns = [f"{d.ident(g)} AS g{i}" for i, g in enumerate(design.levels)]  # grouped as stored, in the stored type
    numeric = set(design.numeric())
    for i, column in enumerate(design.columns[1:], start=1):
        expr = column.render(d)
        columns.append(f"({expr} - {d.number(center_x[i])}) AS c{i}" if i in numeric else f"{expr} AS c{i}")
    columns.append(f"({d.as_double(d.ident(design.response))} - {d.number(center_y)}) AS cy")
    groups = [f"g{i}" for i in range(len(design.levels))]
    select = [*groups, "COUNT(*) AS n"]
    p = len(design.columns)
    for i in range(1, p):
        select.append(f"SUM(c{i}) AS sx{i}")
        select.append(f"SUM(c{i} * cy) AS xy{i}")
        select += [f"SUM(c{i} * c{j}) AS xx{i}_{j}" for j in range(i, p)]
    select += ["SUM(cy) AS sy", "SUM(cy * cy) AS yy"]
    return (f"SELECT {', '.join(select)} FROM (SELECT {', '.join(columns)} FROM {relation} "
            f"WHERE {design.where(d)}) centred GROUP BY {', '.join(groups)} ORDER BY {', '.join(groups)}")
