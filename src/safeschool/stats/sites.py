"""Per-cluster sufficient statistics computed by SQL where the data lives, and the site files that carry them.

One GROUP BY pass computes, per lowest cluster, n and the sums of every design column, of y, and of their
squares and cross-products. The statements are defined once in `safeschool.stats.sqldialect` and rendered for
the engine holding the rows: DuckDB (CSV and Parquet files), SQLite, PostgreSQL, or Spark SQL
(`safeschool.stats.spark`). A site writes the result as Parquet with JSON metadata; a coordinator pools the sites'
files and fits the exact model (`safeschool fit --sites`). Nothing here imports pandas on the way from a file to
the statistics (writing a site file does).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from safeschool import __version__
from safeschool.stats import sqldialect
from safeschool.stats.cluster_stats import SCHEMA_VERSION, ClusterStats, nested_levels
from safeschool.stats.formula import ModelSpecError
from safeschool.stats.sqldialect import DIALECTS, Column, Design, Dialect

MIN_CLUSTER = 5
MAX_LEVELS = 50
DUCKDB_THREADS = 1
DUCKDB_MEMORY_LIMIT = os.environ.get("SAFESCHOOL_DUCKDB_MEMORY", "128MB")
ENGINES = ("duckdb", "spark")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

Columns = dict[str, np.ndarray]


class SiteFileError(ValueError):
    """Site files that cannot be pooled (different formula, encodings, schema or overlapping clusters)."""


@dataclass
class Source:
    """Where the rows live: the SQL dialect, the relation to select from, a function giving column types and one
    executing SQL (the result as {column: numpy array})."""

    relation: str
    describe: Callable[[], dict[str, str]]
    execute: Callable[[str], Columns]
    dialect: Dialect = DIALECTS["duckdb"]


def open_source(path: str | Path, *, table: str | None = None, engine: str = "duckdb") -> Source:
    """CSV/Parquet through DuckDB (or Spark with engine="spark", which also reads any URI Spark can); SQLite
    files and postgres:// URLs through their own engines (`--table`)."""
    text = str(path)
    if engine == "spark":
        from safeschool.stats.spark import spark_source

        return spark_source(text)
    if engine != "duckdb":
        raise ModelSpecError(f"unknown engine '{engine}' (use {' or '.join(ENGINES)})")
    if text.startswith(("postgres://", "postgresql://")):
        return _postgres(text, table)
    path = Path(text)
    if not path.exists():
        raise ModelSpecError(f"{path}: file does not exist")
    suffix = path.suffix.lower()
    if suffix in (".sqlite", ".sqlite3", ".db"):
        return _sqlite(path, table)
    if suffix not in (".parquet", ".pq", ".csv", ".txt"):
        raise ModelSpecError(f"{path}: unsupported file type '{suffix}' (use .csv, .parquet or an SQLite file)")
    import duckdb

    con = duckdb.connect()
    # one thread: on this class of machine a second one saves little time and costs a second scan buffer; a
    # memory limit makes DuckDB release buffers early (peak +150 MB instead of +170-220 MB at 1.8M rows,
    # docs/performance.md). Past the limit it spills to a temporary folder; if it still cannot fit, the query
    # runs again without the limit rather than fail.
    con.execute(f"SET threads = {DUCKDB_THREADS}")
    con.execute("SET enable_progress_bar = false")  # DuckDB would draw it on stdout, amid the command's output
    con.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
    con.execute(f"SET temp_directory = {_literal(Path(tempfile.gettempdir()) / 'safeschool-duckdb')}")
    if suffix in (".parquet", ".pq"):
        relation = f"read_parquet({_literal(path)})"
    else:
        relation = f"read_csv_auto({_literal(path)}, header = true)"

    def describe():
        return {r[0]: str(r[1]).upper() for r in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()}

    def execute(sql):
        try:
            return con.execute(sql).fetchnumpy()
        except duckdb.OutOfMemoryException:
            con.execute("RESET memory_limit")
            return con.execute(sql).fetchnumpy()

    return Source(relation, describe, execute, DIALECTS["duckdb"])


def _literal(path: Path) -> str:
    return DIALECTS["duckdb"].literal(str(path))


def _sqlite(path: Path, table: str | None) -> Source:
    if not table or not _NAME.match(table):
        raise ModelSpecError("an SQLite source needs --table NAME (a table or view of one row per student)")
    d = DIALECTS["sqlite"]
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)

    def describe():
        try:
            con.execute(f"SELECT * FROM {d.ident(table)} LIMIT 0")
        except sqlite3.OperationalError as exc:
            raise ModelSpecError(f"table '{table}' not found in {path}") from exc
        types = {r[1]: (r[2] or "").upper() for r in con.execute(f"PRAGMA table_info({d.ident(table)})")}
        for column, kind in types.items():
            if not kind:  # a view's column: take SQLite's type of the first value
                row = con.execute(f"SELECT typeof({d.ident(column)}) FROM {d.ident(table)} "
                                  f"WHERE {d.ident(column)} IS NOT NULL LIMIT 1").fetchone()
                types[column] = (row[0] if row else "text").upper()
        return types

    return Source(d.ident(table), describe, lambda sql: _fetch(con.execute(sql)), d)


def _postgres(url: str, table: str | None) -> Source:
    if not table or not _NAME.match(table):
        raise ModelSpecError("a PostgreSQL source needs --table NAME")
    try:
        import psycopg
    except ImportError as exc:
        raise ModelSpecError("PostgreSQL sources need psycopg: pip install -e '.[postgres]'") from exc
    try:
        con = psycopg.connect(url, connect_timeout=10)
    except psycopg.Error as exc:  # refused, unknown host, bad password: one line, the password left out
        where = re.sub(r"//[^@/]*@", "//", url)
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise ModelSpecError(f"cannot connect to {where}: {reason}") from exc

    def describe():
        rows = con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s "
                           "ORDER BY ordinal_position", (table,)).fetchall()
        if not rows:
            raise ModelSpecError(f"table '{table}' not found")
        return {name: kind.upper() for name, kind in rows}

    return Source(DIALECTS["postgresql"].ident(table), describe, lambda sql: _fetch(con.execute(sql)),
                  DIALECTS["postgresql"])


def _fetch(cursor) -> Columns:
    """A DB-API cursor's result as columns (numbers as numbers; anything else kept as Python objects)."""
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    return {name: _array([row[i] for row in rows]) for i, name in enumerate(names)}


def _array(values: list) -> np.ndarray:
    if values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return np.asarray(values)
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _design(formula: str, source: Source) -> tuple[Design, dict]:
    response, levels, fixed = nested_levels(formula)
    types = source.describe()
    terms = [t.strip() for t in fixed.split("+")] if fixed.strip() != "1" else []
    for t in terms:
        if t in ("0", "-1") or not _NAME.match(t):
            raise ModelSpecError(f"term '{t}': the SQL aggregation takes plain column names; compute "
                                 "transformations and interactions as columns first (or use --engine mixedlm)")
    for col in [response, *levels, *terms]:
        if col not in types:
            raise ModelSpecError(f"unknown column '{col}' in formula (the data has: {', '.join(list(types)[:12])})")
    if not _numeric(types[response]):
        raise ModelSpecError(f"outcome '{response}' must be numeric")
    needed = tuple(dict.fromkeys([response, *levels, *terms]))
    columns = [Column("(Intercept)", "intercept")]
    encodings: dict = {}
    for t in terms:
        kind = types[t]
        if "BOOL" in kind:
            columns.append(Column(f"{t}TRUE", "boolean", t))
            encodings[t] = {"type": "boolean", "reference": "FALSE"}
        elif _numeric(kind):
            columns.append(Column(t, "numeric", t))
            encodings[t] = {"type": "numeric"}
        else:
            d = source.dialect
            found = source.execute(sqldialect.levels_sql(d, source.relation, Design(response, (), (), needed), t))
            # sorted here, not by the engine: collations differ, the reference category must not
            levels_found = sorted({str(v) for v in found["v"]})
            if len(levels_found) > MAX_LEVELS:
                raise ModelSpecError(f"column '{t}' has {len(levels_found)} categories: too many for a factor")
            columns += [Column(f"{t}{level}", "level", t, level) for level in levels_found[1:]]
            encodings[t] = {"type": "factor", "levels": levels_found, "reference": levels_found[0]}
    return Design(response, tuple(levels), tuple(columns), needed), encodings


def _numeric(kind: str) -> bool:
    base = kind.split("(")[0].strip()
    return base not in ("INTERVAL", "POINT") and any(
        k in base for k in ("INT", "DOUBLE", "FLOAT", "REAL", "NUMERIC", "DECIMAL"))


def aggregation_sql(formula: str, source: Source) -> tuple[str, dict]:
    """The GROUP BY statement in the source's dialect and what it encodes. Numeric columns and the outcome are
    centred on constants (the means of the first rows, a cheap query): uncentred sums of squares would cost the
    fit its last digits."""
    design, encodings = _design(formula, source)
    row = source.execute(sqldialect.centring_sql(source.dialect, source.relation, design))
    center_y = _first(row, "cy")
    center_x = np.zeros(len(design.columns))
    for i in design.numeric():
        center_x[i] = _first(row, f"c{i}")
    sql = sqldialect.sums_sql(source.dialect, source.relation, design, center_x.tolist(), center_y)
    return sql, {"response": design.response, "levels": list(design.levels),
                 "terms": [c.name for c in design.columns], "encodings": encodings,
                 "center_x": center_x.tolist(), "center_y": center_y}


def _first(columns: Columns, name: str) -> float:
    value = columns[name][0] if len(columns[name]) else None
    return 0.0 if value is None or np.ma.is_masked(value) or not np.isfinite(float(value)) else float(value)


def stats_from_source(formula: str, source: Source) -> ClusterStats:
    sql, meta = aggregation_sql(formula, source)
    stats = _stats_from_table(source.execute(sql), meta)
    # the SQL centred on the first rows' means; the sums give the exact means, and recentring on them is exact
    # algebra (a better-conditioned deviance: fewer optimiser steps)
    total = stats.n.sum()
    if total > 0:
        numeric = np.array([e.get("type") == "numeric" for e in _column_types(stats, meta)])
        shift = np.where(numeric, stats.sx.sum(axis=0) / total, 0.0)
        stats = stats.recentered(stats.center_x + shift, stats.center_y + stats.sy.sum() / total)
    return stats


def _column_types(stats: ClusterStats, meta: dict) -> list[dict]:
    """Per design column: {'type': 'numeric'} for numeric predictors, else their encoding (intercept: constant)."""
    out = []
    for name in stats.terms:
        if name == "(Intercept)":
            out.append({"type": "constant"})
            continue
        out.append(meta["encodings"].get(name, {"type": "indicator"}))
    return out


def _stats_from_table(df: Columns, meta: dict) -> ClusterStats:
    """ClusterStats from the query's result or a site file's columns (cluster ids in the type they have there)."""
    levels, terms = meta["levels"], meta["terms"]
    p = len(terms)
    K = len(df["n"])
    # straight from the SQL, the intercept's sums are not columns: they are sums the query already has
    same = {"sx0": "n", "xy0": "sy", "xx0_0": "n", **{f"xx0_{j}": f"sx{j}" for j in range(1, p)}}

    def column(name: str) -> np.ndarray:
        values = df[name if name in df else same[name]]
        return np.ma.filled(values, np.nan).astype(float) if np.ma.isMaskedArray(values) else np.asarray(
            values, dtype=float)

    xtx = np.empty((K, p, p))
    for i in range(p):
        for j in range(i, p):
            xtx[:, i, j] = xtx[:, j, i] = column(f"xx{i}_{j}")
    return ClusterStats(
        meta["response"], terms, levels, _ids_frame(df, levels), column("n"),
        np.stack([column(f"sx{i}") for i in range(p)], axis=1), column("sy"), xtx,
        np.stack([column(f"xy{i}") for i in range(p)], axis=1), column("yy"),
        meta["encodings"], np.asarray(meta.get("center_x") or np.zeros(p), dtype=float),
        float(meta.get("center_y") or 0.0))


def _ids_frame(df: Columns, levels: list[str]) -> dict[str, np.ndarray]:
    """`ClusterStats.ids` (one numpy array per grouping level) from the result's g0, g1, ..."""
    return {g: np.asarray(df[f"g{i}"]) for i, g in enumerate(levels)}


# ----------------------------------------------------------------------------------------------- site files
def write_site(stats: ClusterStats, formula: str, out: Path, *, min_cluster: int = MIN_CLUSTER,
               allow_small: bool = False) -> tuple[Path, Path]:
    """Write a site's statistics (Parquet) and metadata (JSON beside it, same stem)."""
    small = int((stats.n < min_cluster).sum())
    if small and not allow_small:
        raise ModelSpecError(f"{small} of {len(stats.n)} clusters have fewer than {min_cluster} rows; sums over so "
                             "few students come close to individual records — merge them, or pass --allow-small")
    p = len(stats.terms)
    table = {f"g{i}": np.asarray(stats.ids[g]) for i, g in enumerate(stats.levels)}
    table["n"] = stats.n
    for i in range(p):
        table[f"sx{i}"] = stats.sx[:, i]
        table[f"xy{i}"] = stats.xty[:, i]
        for j in range(i, p):
            table[f"xx{i}_{j}"] = stats.xtx[:, i, j]
    table["sy"] = stats.sy
    table["yy"] = stats.yty
    import pandas as pd

    frame = pd.DataFrame(table)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(out, index=False)
    meta = {
        "schema_version": SCHEMA_VERSION,
        "formula": formula,
        "response": stats.response,
        "terms": stats.terms,
        "levels": stats.levels,
        "encodings": stats.encodings,
        "centring": {"x": stats.center_x.tolist(), "y": stats.center_y},
        "n_obs": stats.n_obs,
        "clusters": {g: len(set(zip(*(stats.ids[c] for c in stats.levels[: i + 1]), strict=True)))
                     for i, g in enumerate(stats.levels)},
        "min_cluster_size": int(stats.n.min()) if len(stats.n) else 0,
        "small_clusters_allowed": bool(allow_small),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "generator": f"safeschool {__version__}",
        "what_this_file_reveals": (
            f"For each of the {len(stats.n)} {stats.levels[-1]} groups (identified by "
            f"{', '.join(stats.levels)}): the number of students, and the sums over its students of each model "
            f"variable ({', '.join(stats.terms[1:]) or 'none'} and {stats.response}), of their squares and of their "
            "pairwise products. It holds no row for any student and no student identifier. Group means, variances "
            "and correlations of these variables can be computed from it; for a group of n students, the sums are "
            "those of n people. The sums are taken around the site-wide means of the numeric variables, which "
            f"the metadata records. Groups smaller than {min_cluster} students were "
            + ("kept (--allow-small)." if allow_small else "refused.")),
    }
    meta_path = out.with_suffix(".json")
    meta_path.write_text(json.dumps(meta, indent=2))
    return out, meta_path


def read_sites(paths: list[Path], *, formula: str | None = None) -> tuple[ClusterStats, str]:
    """Pool site files after checking they describe the same model with the same encodings."""
    pooled, first, seen = None, None, set()
    for path in paths:
        path = Path(path)
        meta_path = path.with_suffix(".json")
        if not path.exists() or not meta_path.exists():
            raise SiteFileError(f"{path}: site file or its metadata {meta_path.name} is missing")
        meta = json.loads(meta_path.read_text())
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise SiteFileError(f"{path}: schema version {meta.get('schema_version')} (this safeschool reads "
                                f"{SCHEMA_VERSION})")
        if first is None:
            first = meta
            if formula and _norm(formula) != _norm(meta["formula"]):
                raise SiteFileError(f"{path}: made for '{meta['formula']}', not '{formula}'")
        else:
            for key in ("formula", "terms", "levels", "response"):
                if (_norm(meta[key]) if key == "formula" else meta[key]) != (
                        _norm(first[key]) if key == "formula" else first[key]):
                    raise SiteFileError(f"{path}: different {key} from {paths[0]} ({meta[key]} vs {first[key]})")
            if meta["encodings"] != first["encodings"]:
                differing = [c for c in first["encodings"] if meta["encodings"].get(c) != first["encodings"][c]]
                raise SiteFileError(f"{path}: column encodings differ from {paths[0]} (e.g. '{differing[0]}'): "
                                    "agree the categories before aggregating")
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        df = {name: table.column(name).to_numpy() for name in table.column_names}
        centring = meta.get("centring", {})
        stats = _stats_from_table(df, {"response": meta["response"], "levels": meta["levels"],
                                       "terms": meta["terms"], "encodings": meta["encodings"],
                                       "center_x": centring.get("x"), "center_y": centring.get("y")})
        # ids as text: one site's class 7 (a number) and another's "7" are the same label, and must not meet
        stats.ids = {g: np.asarray(v).astype(str).astype(object) for g, v in stats.ids.items()}
        keys = set(map(":".join, zip(*stats.ids.values(), strict=True)))
        overlap = keys & seen
        if overlap:
            raise SiteFileError(f"{path}: cluster '{sorted(overlap)[0]}' also appears in another site file "
                                f"({len(overlap)} overlapping): each cluster must come from one site")
        seen |= keys
        pooled = stats if pooled is None else pooled.concat(stats)
    if pooled is None:
        raise SiteFileError("no site files given")
    return pooled, first["formula"]


def _norm(formula: str) -> str:
    return re.sub(r"\s+", "", formula)
