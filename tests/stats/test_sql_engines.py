"""One SQL definition of a site's sums (stats.sqldialect), four engines: DuckDB (CSV and Parquet), SQLite,
PostgreSQL (when DATABASE_URL is postgres://…) and Spark SQL (local, and Spark Connect on the same JVM) give the same
per-cluster sums on the same rows, to 1e-9 relative (the order of floating-point additions differs between
engines, nothing else may); a Spark site file pools with a DuckDB one through `safeschool fit --sites` into the
fit of the pooled rows; hostile column names and categories are quoted, not executed.

Spark costs a JVM start (seconds): ONE session for the whole test session, and every Spark check in one test so
that pytest-xdist never starts a second JVM on the other worker."""

from __future__ import annotations

import json
import os
import socket
import sqlite3

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from safeschool.stats.formula import ModelSpecError
from safeschool.stats.sites import Source, open_source, stats_from_source
from safeschool.stats.sqldialect import DIALECTS, Column

FORMULA = "y ~ x1 + flag + g + (1|country/school/class)"
HOSTILE_LEVELS = ["O'Brien \\ x", 'say "hi"', "plain"]
HOSTILE_COLUMN = 'we"ird`col\'s \\'
RTOL, ATOL = 1e-9, 1e-8


@pytest.fixture(scope="module")
def rows(tmp_path_factory):
    """3,000 rows, 36 classes in 12 schools in 2 countries; a numeric, a boolean and a factor with hostile
    categories; some outcomes and predictors missing (rows every engine must leave out alike)."""
    rng = np.random.default_rng(20)
    n = 3000
    cls = rng.integers(0, 36, n)
    frame = pd.DataFrame({"country": cls // 18, "school": cls // 3, "class": cls, "x1": rng.normal(2, 1, n),
                          "flag": rng.random(n) < 0.3, "g": rng.choice(HOSTILE_LEVELS, n)})
    frame["y"] = 500 + 20 * frame.x1 - 10 * frame.flag + rng.normal(0, 15, 36)[cls] + rng.normal(0, 40, n)
    frame.loc[rng.choice(n, 40, replace=False), "x1"] = np.nan
    frame.loc[rng.choice(n, 40, replace=False), "y"] = np.nan
    d = tmp_path_factory.mktemp("engines")
    frame.to_parquet(d / "rows.parquet", index=False)
    frame.to_csv(d / "rows.csv", index=False)
    with sqlite3.connect(d / "rows.sqlite") as con:
        frame.to_sql("students", con, index=False, dtype={"flag": "BOOLEAN"})
    return frame, d


def _by_cluster(stats) -> dict[str, np.ndarray]:
    keys = [":".join(map(str, k)) for k in zip(*(stats.ids[g] for g in stats.levels), strict=True)]
    order = np.argsort(keys)
    return {"ids": np.asarray(keys)[order], "n": stats.n[order], "sx": stats.sx[order], "sy": stats.sy[order],
            "xtx": stats.xtx[order], "xty": stats.xty[order], "yty": stats.yty[order]}


def _same_sums(got, ref, engine):
    assert got.terms == ref.terms, engine
    assert got.encodings == ref.encodings, engine
    a, b = _by_cluster(got), _by_cluster(ref)
    assert list(a["ids"]) == list(b["ids"]), engine
    for key in ("n", "sx", "sy", "xtx", "xty", "yty"):
        np.testing.assert_allclose(a[key], b[key], rtol=RTOL, atol=ATOL, err_msg=f"{engine}: {key}")
    np.testing.assert_allclose(got.center_x, ref.center_x, rtol=RTOL, atol=ATOL, err_msg=engine)
    assert got.center_y == pytest.approx(ref.center_y, rel=RTOL)


@pytest.fixture(scope="module")
def reference(rows):
    frame, d = rows
    stats = stats_from_source(FORMULA, open_source(d / "rows.parquet"))
    used = frame.dropna(subset=["x1", "y"])
    # the reference itself against the rows, computed by hand: counts and the y sums around the mean
    assert stats.n_obs == len(used)
    assert stats.terms == ["(Intercept)", "x1", "flagTRUE", "gplain", 'gsay "hi"']
    assert stats.encodings["g"] == {"type": "factor", "levels": sorted(HOSTILE_LEVELS),
                                    "reference": "O'Brien \\ x"}
    counts = used.groupby("class").size()
    assert sorted(stats.n.astype(int)) == sorted(counts.to_list())
    np.testing.assert_allclose(stats.yty.sum(), ((used.y - used.y.mean()) ** 2).sum(), rtol=1e-9)
    return stats


def test_renderer_quotes_hostile_names_and_categories():
    duck, spark, pg, lite = (DIALECTS[k] for k in ("duckdb", "spark", "postgresql", "sqlite"))
    assert duck.ident('a"b') == '"a""b"' and spark.ident("a`b") == "`a``b`" and spark.ident('a"b') == '`a"b`'
    assert duck.literal("O'Brien \\") == "'O''Brien \\'"  # standard SQL: a backslash is a character
    assert spark.literal("O'Brien \\") == "'O\\'Brien \\\\'"  # Spark SQL reads backslash escapes
    assert (pg.double, lite.double, spark.double) == ("DOUBLE PRECISION", "REAL", "DOUBLE")
    level = Column("g'); DROP TABLE students; --", "level", "g", "'); DROP TABLE students; --")
    assert level.render(duck) == "CAST(CASE WHEN \"g\" = '''); DROP TABLE students; --' THEN 1 ELSE 0 END AS DOUBLE)"
    assert DIALECTS["spark"].limit("SELECT 1", 5) == "SELECT 1 LIMIT 5"


def _hostile_sums(source: Source) -> tuple[float, float]:
    d = source.dialect
    numeric = Column("w", "numeric", HOSTILE_COLUMN).render(d)
    level = Column("l", "level", "g", HOSTILE_LEVELS[0]).render(d)
    out = source.execute(f"SELECT SUM({numeric}) AS s, SUM({level}) AS k FROM {source.relation}")
    return float(out["s"][0]), float(out["k"][0])


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile")
    frame = pd.DataFrame({HOSTILE_COLUMN: [1.5, 2.0, 4.0, 8.0], "g": [HOSTILE_LEVELS[0], "x", HOSTILE_LEVELS[0],
                                                                        HOSTILE_LEVELS[1]]})
    frame.to_parquet(d / "h.parquet", index=False)
    with sqlite3.connect(d / "h.sqlite") as con:
        frame.to_sql("t", con, index=False)
    return d, (15.5, 2.0)


def test_hostile_column_and_category_run_as_data_on_duckdb_and_sqlite(hostile):
    d, expected = hostile
    assert _hostile_sums(open_source(d / "h.parquet")) == expected
    assert _hostile_sums(open_source(d / "h.sqlite", table="t")) == expected


def test_duckdb_csv_and_sqlite_give_the_parquet_sums(rows, reference):
    _frame, d = rows
    _same_sums(stats_from_source(FORMULA, open_source(d / "rows.csv")), reference, "duckdb csv")
    _same_sums(stats_from_source(FORMULA, open_source(d / "rows.sqlite", table="students")), reference, "sqlite")


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                    reason="needs DATABASE_URL=postgres://… (make test's PostgreSQL pass sets it)")
def test_postgresql_gives_the_parquet_sums(rows, reference):
    import psycopg

    frame, _d = rows
    url, table = os.environ["DATABASE_URL"], f"sql_engines_rows_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(f"DROP TABLE IF EXISTS {table}")
        con.execute(f'CREATE TABLE {table} (country bigint, school bigint, "class" bigint, x1 double precision, '
                    "flag boolean, g text, y double precision)")
        try:
            with con.cursor().copy(f"COPY {table} FROM STDIN") as copy:
                for row in frame.itertuples(index=False):
                    copy.write_row([None if pd.isna(v) else v.item() if hasattr(v, "item") else v for v in row])
            got = stats_from_source(FORMULA, open_source(url, table=table))
        finally:
            con.execute(f"DROP TABLE {table}")
    _same_sums(got, reference, "postgresql")


def test_spark_errors_are_one_line_and_need_no_jvm(rows, monkeypatch, tmp_path):
    from safeschool.stats import spark

    monkeypatch.delenv(spark.REMOTE_ENV, raising=False)
    with pytest.raises(ModelSpecError, match="does not exist"):
        open_source(tmp_path / "missing.parquet", engine="spark")
    with pytest.raises(ModelSpecError, match="reads CSV and Parquet"):
        open_source(rows[1] / "rows.sqlite", engine="spark")
    assert spark.java_version(str(tmp_path / "no-java")) is None
    monkeypatch.setenv(spark.REMOTE_ENV, "http://spark:15002")
    with pytest.raises(ModelSpecError, match="must be a Spark Connect URL sc://host:port"):
        spark.spark_session()
    monkeypatch.delenv(spark.REMOTE_ENV)
    pyspark_sql = pytest.importorskip("pyspark.sql")
    monkeypatch.setattr(pyspark_sql.SparkSession, "getActiveSession", classmethod(lambda cls: None))
    monkeypatch.setattr(spark, "java_version", lambda java=None: None)
    with pytest.raises(ModelSpecError, match=r"^Spark needs Java 17\+: install Debian's default-jre-headless$"):
        spark.spark_session()
    monkeypatch.setattr(spark, "java_version", lambda java=None: 11)
    with pytest.raises(ModelSpecError, match=r"\(found Java 11\)"):
        spark.spark_session()
    monkeypatch.setitem(__import__("sys").modules, "pyspark.sql", None)
    with pytest.raises(ModelSpecError, match=r"needs pyspark: pip install -e '\.\[spark\]'"):
        spark.spark_session()
    result = CliRunner().invoke(_app(), ["aggregate", "--engine", "spark", "--data", str(tmp_path / "no.csv"),
                                         "--formula", FORMULA, "--out", str(tmp_path / "s.parquet")])
    assert result.exit_code != 0 and "no.csv: file does not exist" in result.output


def _app():
    from safeschool.cli import app

    return app


@pytest.fixture(scope="session")
def spark_session():
    """ONE local Spark for the test session, tuned to start fast (C1 compiler only, no whole-stage code
    generation, no adaptive planning: tiny queries), with the Spark Connect server plugin on a free loopback
    port so that the Connect path runs on the same JVM."""
    pytest.importorskip("pyspark")
    from safeschool.stats import spark

    version = spark.java_version()
    if version is None or version < spark.MIN_JAVA:
        pytest.skip("needs Java 17+ (make java)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    session = spark.spark_session({
        "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1",
        "spark.sql.codegen.wholeStage": "false",
        "spark.sql.adaptive.enabled": "false",
        "spark.plugins": "org.apache.spark.sql.connect.SparkConnectPlugin",
        "spark.connect.grpc.binding.address": "127.0.0.1",
        "spark.connect.grpc.binding.port": str(port),
    })
    yield session, f"sc://127.0.0.1:{port}"
    from pyspark.sql.connect.session import SparkSession as RemoteSession

    remote = RemoteSession.getActiveSession()
    if remote is not None:  # the Connect client first, or it retries against a server that has gone
        remote.stop()
    session.stop()


def test_spark_gives_the_same_sums_and_site_file(spark_session, rows, reference, hostile, tmp_path, monkeypatch):
    from safeschool.stats import spark

    session, connect_url = spark_session
    monkeypatch.delenv(spark.REMOTE_ENV, raising=False)
    frame, d = rows
    # the same sums from Parquet (from CSV, types inferred by Spark, in the site files below)
    _same_sums(stats_from_source(FORMULA, open_source(d / "rows.parquet", engine="spark")), reference, "spark")
    # a hostile column name and category are data to Spark too (backticks, backslash escapes)
    assert _hostile_sums(spark.spark_source(str(hostile[0] / "h.parquet"), session)) == hostile[1]
    (tmp_path / "junk.parquet").write_bytes(b"not a parquet file")
    with pytest.raises(ModelSpecError, match=r"junk\.parquet: Spark cannot read it"):
        open_source(tmp_path / "junk.parquet", engine="spark")

    # a site aggregated on Spark pools with a site aggregated on DuckDB into the fit of all the rows
    first = frame[frame.country == 0]
    first.to_csv(tmp_path / "one.csv", index=False)
    frame[frame.country == 1].to_parquet(tmp_path / "two.parquet", index=False)
    runner, app = CliRunner(), _app()
    for engine, src, out in (("spark", "one.csv", "one_site.parquet"), ("duckdb", "two.parquet", "two_site.parquet")):
        result = runner.invoke(app, ["aggregate", "--engine", engine, "--data", str(tmp_path / src),
                                     "--formula", FORMULA, "--out", str(tmp_path / out)])
        assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["aggregate", "--data", str(tmp_path / "one.csv"), "--formula", FORMULA,
                                 "--out", str(tmp_path / "one_duck.parquet")])
    assert result.exit_code == 0, result.output
    spark_meta = json.loads((tmp_path / "one_site.json").read_text())
    duck_meta = json.loads((tmp_path / "one_duck.json").read_text())
    for key in ("terms", "levels", "encodings", "n_obs", "clusters"):
        assert spark_meta[key] == duck_meta[key], key
    np.testing.assert_allclose(spark_meta["centring"]["x"], duck_meta["centring"]["x"], rtol=RTOL)
    a, b = pd.read_parquet(tmp_path / "one_site.parquet"), pd.read_parquet(tmp_path / "one_duck.parquet")
    assert list(a.columns) == list(b.columns) and len(a) == len(b) == first["class"].nunique()
    np.testing.assert_allclose(a.to_numpy(float), b.to_numpy(float), rtol=RTOL, atol=ATOL)

    pooled = runner.invoke(app, ["fit", "--sites", str(tmp_path / "one_site.parquet"),
                                 str(tmp_path / "two_site.parquet"), "--ml", "--json", str(tmp_path / "p.json")])
    assert pooled.exit_code == 0, pooled.output
    whole = runner.invoke(app, ["fit", "--engine", "aggregates", "--data", str(d / "rows.parquet"), "--formula",
                                FORMULA, "--ml", "--json", str(tmp_path / "w.json")])
    assert whole.exit_code == 0, whole.output
    p, w = json.loads((tmp_path / "p.json").read_text()), json.loads((tmp_path / "w.json").read_text())
    assert p["n_obs"] == w["n_obs"] == reference.n_obs
    assert p["loglik"] == pytest.approx(w["loglik"], abs=1e-6)
    np.testing.assert_allclose([c["estimate"] for c in p["fixed_effects"]],
                               [c["estimate"] for c in w["fixed_effects"]], rtol=1e-7)

    # Spark Connect (SAFESCHOOL_SPARK_REMOTE), served by the same JVM's Connect plugin
    monkeypatch.setenv(spark.REMOTE_ENV, connect_url)
    _same_sums(stats_from_source(FORMULA, open_source(str(d / "rows.parquet"), engine="spark")), reference,
               "spark connect")
