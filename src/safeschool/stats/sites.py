"""Per-cluster sufficient statistics computed by SQL where the data lives, and the site files that carry them.

One GROUP BY pass computes, per lowest cluster, n and the sums of every design column, of y, and of their
squares and cross-products. The SQL is plain (CAST ... AS DOUBLE PRECISION, CASE, SUM, GROUP BY) and runs
unchanged on DuckDB (CSV and Parquet files), SQLite and PostgreSQL. A site writes the result as Parquet with
JSON metadata; a coordinator pools the sites' files and fits the exact model (`safeschool fit --sites`).
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
import pandas as pd

from safeschool import __version__
from safeschool.stats.cluster_stats import SCHEMA_VERSION, ClusterStats, nested_levels
from safeschool.stats.formula import ModelSpecError

MIN_CLUSTER = 5
CENTRING_SAMPLE = 10_000
DUCKDB_THREADS = 1
DUCKDB_MEMORY_LIMIT = os.environ.get("SAFESCHOOL_DUCKDB_MEMORY", "128MB")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class SiteFileError(ValueError):
    """Site files that cannot be pooled (different formula, encodings, schema or overlapping clusters)."""


@dataclass
class Source:
    """Where the rows live: a function giving column types and one executing SQL against `relation`."""

    relation: str
    describe: Callable[[], dict[str, str]]
    execute: Callable[[str], pd.DataFrame]


def open_source(path: str | Path, *, table: str | None = None) -> Source:
    """CSV/Parquet through DuckDB; SQLite files and postgres:// URLs through their own engines (`--table`)."""
    text = str(path)
    if text.startswith(("postgres://", "postgresql://")):
        return _postgres(text, table)
    path = Path(text)
    if not path.exists():
        raise ModelSpecError(f"{path}: file does not exist")
    suffix = path.suffix.lower()
    if suffix in (".sqlite", ".sqlite3", ".db"):
        if not table or not _NAME.match(table):
            raise ModelSpecError("an SQLite source needs --table NAME (a table or view of one row per student)")
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)

        def describe():
            rows = con.execute(f'SELECT * FROM "{table}" LIMIT 0').description
            if rows is None:
                raise ModelSpecError(f"table '{table}' not found in {path}")
            types = {r[1]: (r[2] or "").upper() for r in con.execute(f'PRAGMA table_info("{table}")')}
            for column, kind in types.items():
                if not kind:  # a view's column: take SQLite's type of the first value
                    row = con.execute(f'SELECT typeof("{column}") FROM "{table}" WHERE "{column}" IS NOT NULL '
                                      "LIMIT 1").fetchone()
                    types[column] = (row[0] if row else "text").upper()
            return types

        return Source(f'"{table}"', describe, lambda sql: pd.read_sql_query(sql, con))
    import duckdb

    con = duckdb.connect()
    # one thread: on this class of machine a second one saves little time and costs a second scan buffer; a
    # memory limit makes DuckDB release buffers early (peak +150 MB instead of +170-220 MB at 1.8M rows,
    # docs/performance.md). Past the limit it spills to a temporary folder; if it still cannot fit, the query
    # runs again without the limit rather than fail.
    con.execute(f"SET threads = {DUCKDB_THREADS}")
    con.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
    con.execute(f"SET temp_directory = '{_quote(Path(tempfile.gettempdir()) / 'safeschool-duckdb')}'")
    if suffix in (".parquet", ".pq"):
        relation = f"read_parquet('{_quote(path)}')"
    elif suffix in (".csv", ".txt"):
        relation = f"read_csv_auto('{_quote(path)}', header = true)"
    else:
        raise ModelSpecError(f"{path}: unsupported file type '{suffix}' (use .csv, .parquet or an SQLite file)")

    def describe():
        return {r[0]: str(r[1]).upper() for r in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()}

    def execute(sql):
        try:
            return con.execute(sql).df()
        except duckdb.OutOfMemoryException:
            con.execute("RESET memory_limit")
            return con.execute(sql).df()

    return Source(relation, describe, execute)


def _postgres(url: str, table: str | None) -> Source:
    if not table or not _NAME.match(table):
        raise ModelSpecError("a PostgreSQL source needs --table NAME")
    try:
        import psycopg
    except ImportError as exc:
        raise ModelSpecError("PostgreSQL sources need psycopg: pip install -e '.[postgres]'") from exc
    con = psycopg.connect(url)

    def describe():
        rows = con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s",
                           (table,)).fetchall()
        if not rows:
            raise ModelSpecError(f"table '{table}' not found")
        return {name: kind.upper() for name, kind in rows}

    def execute(sql):
        cur = con.execute(sql)
        return pd.DataFrame(cur.fetchall(), columns=[d.name for d in cur.description])

    return Source(f'"{table}"', describe, execute)


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")


def _design(formula: str, source: Source) -> tuple[str, list[str], list[str], list[tuple[str, str]], dict]:
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
    design: list[tuple[str, str]] = [("(Intercept)", "1.0")]
    encodings: dict = {}
    where = " AND ".join(f'"{c}" IS NOT NULL' for c in [response, *levels, *terms])
    for t in terms:
        kind = types[t]
        if "BOOL" in kind:
            design.append((f"{t}TRUE", f'CASE WHEN "{t}" THEN 1.0 ELSE 0.0 END'))
            encodings[t] = {"type": "boolean", "reference": "FALSE"}
        elif _numeric(kind):
            design.append((t, f'CAST("{t}" AS DOUBLE PRECISION)'))
            encodings[t] = {"type": "numeric"}
        else:
            levels_found = [str(v) for v in source.execute(
                f'SELECT DISTINCT "{t}" AS v FROM {source.relation} WHERE {where} ORDER BY 1')["v"]]
            if len(levels_found) > 50:
                raise ModelSpecError(f"column '{t}' has {len(levels_found)} categories: too many for a factor")
            for level in levels_found[1:]:
                design.append((f"{t}{level}", f"""CASE WHEN "{t}" = '{level.replace("'", "''")}' THEN 1.0 ELSE 0.0 END"""))
            encodings[t] = {"type": "factor", "levels": levels_found, "reference": levels_found[0]}
    return response, levels, terms, design, {"encodings": encodings, "where": where}


def _numeric(kind: str) -> bool:
    return any(k in kind for k in ("INT", "DOUBLE", "FLOAT", "REAL", "NUMERIC", "DECIMAL", "BIGINT"))


def aggregation_sql(formula: str, source: Source) -> tuple[str, dict]:
    """The GROUP BY statement and what it encodes. Numeric columns and the outcome are centred on constants
    (the means of the first rows, a cheap query): uncentred sums of squares would cost the fit its last digits."""
    response, levels, _terms, design, info = _design(formula, source)
    numeric = [i for i, (name, expr) in enumerate(design) if expr.startswith("CAST(")]
    averages = ", ".join([f'AVG(CAST("{response}" AS DOUBLE PRECISION)) AS cy']
                         + [f"AVG({design[i][1]}) AS c{i}" for i in numeric])
    # centring constants only need to be near the means: the first rows give them without a second full pass
    row = source.execute(f"SELECT {averages} FROM (SELECT * FROM {source.relation} WHERE {info['where']} "
                         f"LIMIT {CENTRING_SAMPLE}) AS first_rows").iloc[0]
    center_y = float(row["cy"]) if pd.notna(row["cy"]) else 0.0
    center_x = np.zeros(len(design))
    for i in numeric:
        center_x[i] = float(row[f"c{i}"]) if pd.notna(row[f"c{i}"]) else 0.0
    # every design column once per row in an inner projection (centred, or a 0/1 indicator), then only sums
    # and products of those columns; the intercept's sums are n, the other columns' sums and sy, filled in after
    columns = [f'"{g}" AS "g{i}"' for i, g in enumerate(levels)]  # grouped as stored, in the stored type
    for i, (_name, expr) in enumerate(design[1:], start=1):
        columns.append(f"({expr} - {float(center_x[i])!r}) AS c{i}" if i in numeric else f"{expr} AS c{i}")
    columns.append(f'(CAST("{response}" AS DOUBLE PRECISION) - {center_y!r}) AS cy')
    select = [f'"g{i}"' for i in range(len(levels))] + ["COUNT(*) AS n"]
    p = len(design)
    for i in range(1, p):
        select.append(f"SUM(c{i}) AS sx{i}")
        select.append(f"SUM(c{i} * cy) AS xy{i}")
        select += [f"SUM(c{i} * c{j}) AS xx{i}_{j}" for j in range(i, p)]
    select += ["SUM(cy) AS sy", "SUM(cy * cy) AS yy"]
    group = ", ".join(f'"g{i}"' for i in range(len(levels)))
    sql = (f"SELECT {', '.join(select)} FROM (SELECT {', '.join(columns)} FROM {source.relation} "
           f"WHERE {info['where']}) AS centred GROUP BY {group}")
    return sql, {"response": response, "levels": levels, "terms": [name for name, _ in design],
                 "encodings": info["encodings"], "center_x": center_x.tolist(), "center_y": center_y}


def stats_from_source(formula: str, source: Source) -> ClusterStats:
    sql, meta = aggregation_sql(formula, source)
    df = source.execute(sql)
    stats = _stats_from_table(df, meta)
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


def _stats_from_table(df: pd.DataFrame, meta: dict) -> ClusterStats:
    """ClusterStats from the query's result or a site file (cluster ids in the type they have there)."""
    levels, terms = meta["levels"], meta["terms"]
    p = len(terms)
    K = len(df)
    # straight from the SQL, the intercept's sums are not columns: they are sums the query already has
    same = {"sx0": "n", "xy0": "sy", "xx0_0": "n", **{f"xx0_{j}": f"sx{j}" for j in range(1, p)}}

    def column(name: str) -> np.ndarray:
        return df[name if name in df else same[name]].to_numpy(dtype=float)

    xtx = np.empty((K, p, p))
    for i in range(p):
        for j in range(i, p):
            xtx[:, i, j] = xtx[:, j, i] = column(f"xx{i}_{j}")
    ids = pd.DataFrame({g: df[f"g{i}"].to_numpy() for i, g in enumerate(levels)})
    return ClusterStats(
        meta["response"], terms, levels, ids, column("n"), np.stack([column(f"sx{i}") for i in range(p)], axis=1),
        column("sy"), xtx, np.stack([column(f"xy{i}") for i in range(p)], axis=1), column("yy"),
        meta["encodings"], np.asarray(meta.get("center_x") or np.zeros(p), dtype=float),
        float(meta.get("center_y") or 0.0))


# ----------------------------------------------------------------------------------------------- site files
def write_site(stats: ClusterStats, formula: str, out: Path, *, min_cluster: int = MIN_CLUSTER,
               allow_small: bool = False) -> tuple[Path, Path]:
    """Write a site's statistics (Parquet) and metadata (JSON beside it, same stem)."""
    small = int((stats.n < min_cluster).sum())
    if small and not allow_small:
        raise ModelSpecError(f"{small} of {len(stats.n)} clusters have fewer than {min_cluster} rows; sums over so "
                             "few students come close to individual records — merge them, or pass --allow-small")
    p = len(stats.terms)
    table = {f"g{i}": stats.ids[g].to_numpy() for i, g in enumerate(stats.levels)}
    table["n"] = stats.n
    for i in range(p):
        table[f"sx{i}"] = stats.sx[:, i]
        table[f"xy{i}"] = stats.xty[:, i]
        for j in range(i, p):
            table[f"xx{i}_{j}"] = stats.xtx[:, i, j]
    table["sy"] = stats.sy
    table["yy"] = stats.yty
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
        "clusters": {g: int(stats.ids[stats.levels[: i + 1]].drop_duplicates().shape[0])
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
        df = pd.read_parquet(path)
        centring = meta.get("centring", {})
        stats = _stats_from_table(df, {"response": meta["response"], "levels": meta["levels"],
                                       "terms": meta["terms"], "encodings": meta["encodings"],
                                       "center_x": centring.get("x"), "center_y": centring.get("y")})
        # ids as text: one site's class 7 (a number) and another's "7" are the same label, and must not meet
        stats.ids = stats.ids.astype(str)
        keys = set(stats.ids.agg(":".join, axis=1))
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
