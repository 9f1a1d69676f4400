"""A `Source` on Spark SQL: the per-cluster sums of `safeschool.stats.sqldialect`, run where big data already live.

Without configuration it starts a local Spark (`local[2]`, a small driver, no UI, quiet logs) through pyspark and
Debian's Java (17 or later). With `SAFESCHOOL_SPARK_REMOTE=sc://host:port` it connects to that Spark Connect
server instead, and the cluster reads the data: the path is then any URI the cluster can read (hdfs://, s3a://,
abfss://, a table's files). Under `spark-submit` the session that job already has is used (docs/federated.md,
"On a Spark cluster"). Only the per-cluster sums come back to this process.

pyspark is imported only here, and only when the spark engine is asked for.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import uuid
import warnings
from pathlib import Path

import numpy as np

from safeschool.stats.formula import ModelSpecError
from safeschool.stats.sqldialect import DIALECTS

REMOTE_ENV = "SAFESCHOOL_SPARK_REMOTE"
MIN_JAVA = 17
LOCAL_CONF = {
    "spark.master": "local[2]",
    "spark.app.name": "safeschool aggregate",
    "spark.driver.memory": os.environ.get("SAFESCHOOL_SPARK_DRIVER_MEMORY", "768m"),
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "2",  # the default 200 shuffle partitions are for clusters, not two cores
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}
_LOG4J = """rootLogger.level = error
rootLogger.appenderRef.stderr.ref = stderr
appender.stderr.type = Console
appender.stderr.name = stderr
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def java_version(java: str | None = None) -> int | None:
    """The major version of `java` on PATH (or under JAVA_HOME), or None when there is none."""
    home = os.environ.get("JAVA_HOME")
    java = java or (str(Path(home) / "bin" / "java") if home and (Path(home) / "bin" / "java").exists()
                    else shutil.which("java"))
    if not java:
        return None
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60).stderr
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not found:
        return None
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major  # "1.8.0" is Java 8


def spark_session(extra_conf: dict[str, str] | None = None):
    """The SparkSession to run on: Spark Connect when SAFESCHOOL_SPARK_REMOTE is set, the active session when
    running under spark-submit, else a local one. Raises ModelSpecError with a one-line reason when it cannot."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise ModelSpecError("the spark engine needs pyspark: pip install -e '.[spark]'") from exc
    remote = os.environ.get(REMOTE_ENV, "").strip()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyspark's FutureWarning about the pandas version, on every start
        if remote:
            if not remote.startswith("sc://"):
                raise ModelSpecError(f"{REMOTE_ENV} must be a Spark Connect URL sc://host:port, not '{remote}'")
            try:
                # the Connect builder itself: the generic one refuses when a local session runs in this process
                from pyspark.sql.connect.session import SparkSession as RemoteSession

                return RemoteSession.builder.remote(remote).getOrCreate()
            except ImportError as exc:
                raise ModelSpecError("Spark Connect needs pyspark's connect extras: pip install -e '.[spark]'") \
                    from exc
            except Exception as exc:  # noqa: BLE001 -- gRPC and Spark errors alike: one line for the user
                raise ModelSpecError(f"cannot reach Spark Connect at {remote}: {_first_line(exc)}") from exc
        active = SparkSession.getActiveSession()
        if active is not None:  # spark-submit, a notebook, or a test's session
            return active
        version = java_version()
        if version is None or version < MIN_JAVA:
            raise ModelSpecError(f"Spark needs Java {MIN_JAVA}+: install Debian's default-jre-headless"
                                 + (f" (found Java {version})" if version else ""))
        builder = SparkSession.builder
        conf = {**LOCAL_CONF, **(extra_conf or {})}
        options = [conf.pop("spark.driver.extraJavaOptions", ""), f"-Dlog4j2.configurationFile=file:{_log4j()}",
                   "-XX:+UseSerialGC"]  # one GC thread: two cores, and a short job
        conf["spark.driver.extraJavaOptions"] = " ".join(o for o in options if o)
        for key, value in conf.items():
            builder = builder.config(key, value)
        try:
            session = builder.getOrCreate()
        except Exception as exc:  # noqa: BLE001 -- the JVM's failure to start, in one line
            raise ModelSpecError(f"Spark did not start: {_first_line(exc)}") from exc
        session.sparkContext.setLogLevel("ERROR")
        return session


def _log4j() -> Path:
    path = Path(tempfile.gettempdir()) / "safeschool-spark-log4j2.properties"
    if not path.exists() or path.read_text() != _LOG4J:
        path.write_text(_LOG4J)
    return path


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


def spark_source(path: str, session=None):
    """A Source on a CSV file (header row, types inferred) or Parquet file or folder, as a temporary view. A path
    without a scheme is a local file for a local Spark, and a path on the cluster's file system otherwise."""
    from safeschool.stats.sites import Source

    name = path.rstrip("/").lower()
    if name.endswith((".sqlite", ".sqlite3", ".db")) or path.startswith(("postgres://", "postgresql://")):
        raise ModelSpecError(f"{path}: the spark engine reads CSV and Parquet; aggregate SQLite and PostgreSQL "
                             "sources with --engine duckdb (they run in their own database)")
    remote = bool(os.environ.get(REMOTE_ENV, "").strip())
    plain = not _SCHEME.match(path)
    if plain and not remote and session is None and not Path(path).exists():  # before a JVM starts, not after
        raise ModelSpecError(f"{path}: file does not exist")
    spark = session or spark_session()
    if plain and not remote and _local(spark):
        if not Path(path).exists():
            raise ModelSpecError(f"{path}: file does not exist")
        path = Path(path).resolve().as_uri()
    reader = spark.read
    view = f"safeschool_rows_{uuid.uuid4().hex[:12]}"
    try:
        if name.endswith((".csv", ".txt", ".csv.gz")):
            # RFC 4180 quoting ("" inside quotes), as DuckDB, pandas and spreadsheets write it; not Spark's \"
            frame = reader.option("header", True).option("inferSchema", True).option("escape", '"').csv(path)
        else:  # Parquet files, and the folders of part files that Spark and Hive write
            frame = reader.parquet(path)
        frame.createOrReplaceTempView(view)
    except Exception as exc:  # noqa: BLE001 -- AnalysisException (path not found, not Parquet), in one line
        raise ModelSpecError(f"{path}: Spark cannot read it: {_first_line(exc)}") from exc
    d = DIALECTS["spark"]

    def describe():
        return {name: kind.upper() for name, kind in frame.dtypes}

    def execute(sql):
        return _columns(spark.sql(sql))

    return Source(d.ident(view), describe, execute, d)


def _local(spark) -> bool:
    try:
        return spark.sparkContext.master.startswith("local")
    except Exception:  # noqa: BLE001 -- a Spark Connect session has no SparkContext: never local files
        return False


def _columns(frame) -> dict[str, np.ndarray]:
    """A (small) result as numpy columns, through Arrow: the per-cluster sums, never the rows."""
    table = frame.toArrow()
    out = {}
    for name in table.column_names:
        column = table.column(name)
        out[name] = column.to_numpy() if column.null_count == 0 or not _is_number(column.type) else np.asarray(
            column.to_pylist(), dtype=float)
    return out


def _is_number(kind) -> bool:
    import pyarrow.types as t

    return t.is_integer(kind) or t.is_floating(kind) or t.is_decimal(kind)


def main(argv: list[str] | None = None) -> int:
    """`spark-submit .../safeschool/stats/spark.py --data URI --formula F --out site.parquet`: `safeschool aggregate`
    on the session spark-submit gives (its master, executors and memory). The site file is written on the driver."""
    import argparse
    import sys

    from pyspark.sql import SparkSession

    from safeschool.stats.sites import MIN_CLUSTER, stats_from_source, write_site

    parser = argparse.ArgumentParser(prog="spark-submit safeschool/stats/spark.py",
                                     description="A site's per-cluster sums on a Spark cluster (safeschool aggregate)")
    parser.add_argument("--data", required=True, help="CSV or Parquet: a path on the cluster's file system or a URI")
    parser.add_argument("--formula", required=True)
    parser.add_argument("--out", required=True, type=Path, help="site file to write on the driver (.parquet)")
    parser.add_argument("--min-cluster", type=int, default=MIN_CLUSTER)
    parser.add_argument("--allow-small", action="store_true")
    args = parser.parse_args(argv)
    session = SparkSession.builder.appName("safeschool aggregate").getOrCreate()
    try:
        stats = stats_from_source(args.formula, spark_source(args.data, session))
        parquet, meta = write_site(stats, args.formula, args.out, min_cluster=args.min_cluster,
                                   allow_small=args.allow_small)
    except ModelSpecError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    print(f"Wrote {parquet} and {meta}: {len(stats.n):,} clusters, {stats.n_obs:,} rows summarised.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
