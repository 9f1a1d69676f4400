"""Exact aggregate engine vs mixedlm vs statsmodels MixedLM: 3-level random intercepts (country/school/class)
with 3 covariates at 18k, 180k and 1.8M students (and 18M: the same design with ten times the classes), side by
side on the same Parquet file.

Each competitor runs in its own process (so peak memory is its own) and reads the same file. Ours includes
the aggregation pass (DuckDB, one GROUP BY over the Parquet file, within DuckDB's memory limit and spilling to
its temporary folder past it: SAFESCHOOL_DUCKDB_MEMORY, default 128MB) and the fit. Prints seconds, peak resident
memory above the interpreter's baseline, and ratios. The Parquet file is written in chunks (pyarrow), so that
generating 18M rows stays within the same memory budget as analysing them. mixedlm needs every row in memory and
is not run above --mixedlm-max rows (the output says so); `--spark` also times the spark engine (local Spark SQL,
the JVM's own peak memory reported beside the Python process's) at the sizes up to --spark-max.
Run: `.venv/bin/python benchmarks/bench_aggregates.py [--sizes 18000 180000 1800000 18000000]
[--statsmodels-max 18000] [--mixedlm-max 1800000] [--spark [--spark-max 1800000]]`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

FORMULA = "y ~ x1 + x2 + x3 + (1|country/school/class)"

RUNNER = r'''
import json, sys, time, warnings


def hwm_mb():  # this process's peak resident memory (VmHWM resets at exec, unlike ru_maxrss)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

warnings.simplefilter("ignore")
import numpy as np, pandas as pd
which, path = sys.argv[1], sys.argv[2]
formula = "y ~ x1 + x2 + x3 + (1|country/school/class)"
if which == "aggregates":
    from safeschool.stats.aggregates import AggregateModel
    import duckdb  # noqa: F401 -- imported lazily by open_source; counted with the imports, as for the others
    from safeschool.stats.sites import open_source, stats_from_source
elif which == "spark":
    from safeschool.stats.aggregates import AggregateModel
    from safeschool.stats.sites import open_source, stats_from_source
    from safeschool.stats.spark import spark_session
    t0 = time.perf_counter()
    spark_session()  # the JVM's start is timed apart: it is paid once per command, whatever the data
    jvm_start = time.perf_counter() - t0
elif which == "mixedlm":
    import mixedlm
else:
    import statsmodels.formula.api as smf
base = hwm_mb()
start = time.perf_counter()
if which in ("aggregates", "spark"):
    stats = stats_from_source(formula, open_source(path, engine="spark" if which == "spark" else "duckdb"))
    model = AggregateModel(formula, reml=False).fit(stats)
    beta, ll = model.params_.tolist(), model.loglik_
elif which == "mixedlm":
    df = pd.read_parquet(path)
    fit = mixedlm.lmer(formula, df, REML=False)
    beta, ll = [float(v) for v in fit.fixef().values()], float(fit.logLik().value)
else:
    df = pd.read_parquet(path)
    fit = smf.mixedlm("y ~ x1 + x2 + x3", df, groups=df["country"], re_formula="1",
                      vc_formula={"school": "0 + C(school)", "cls": "0 + C(cls)"}).fit(reml=False)
    beta, ll = fit.fe_params.tolist(), float(fit.llf)
seconds = time.perf_counter() - start
extra = {}
if which == "spark":
    extra["jvm_start_s"] = jvm_start  # the JVM is a child process: its own peak, read before it stops
    import os
    for pid in os.listdir("/proc"):
        try:
            status = open(f"/proc/{pid}/status").read()
        except OSError:
            continue
        if pid.isdigit() and f"\nPPid:\t{os.getpid()}\n" in status and "VmHWM" in status:
            extra["jvm_mb"] = max(extra.get("jvm_mb", 0), int(status.split("VmHWM:")[1].split()[0]) / 1024)
print(json.dumps({"seconds": seconds, "base_mb": base, "total_mb": hwm_mb(), "beta": beta, "loglik": ll, **extra}))
if which == "spark":
    spark_session().stop()
'''


def make_data(n: int, path: Path, seed: int = 1, chunk: int = 1_000_000) -> float:
    """n students, 25 per class, 6 classes per school, 6 countries, written in chunks of rows (the random
    effects per class are drawn once; the rows' covariates and noise chunk by chunk); returns the input columns'
    size in MB."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    n_class = max(n // 25, 12)
    n_school = max(n_class // 6, 6)
    per_class = int(np.ceil(n / n_class))
    u_country, u_school, u_class = rng.normal(0, 20, 6), rng.normal(0, 30, n_school), rng.normal(0, 20, n_class)
    beta = np.array([25.0, 20.0, -10.0])
    writer = None
    try:
        for start in range(0, n, chunk):
            cls = np.arange(start, min(start + chunk, n)) // per_class
            school = cls // 6 % n_school
            country = school % 6
            x = rng.normal(size=(len(cls), 3))
            y = 500 + x @ beta + u_country[country] + u_school[school] + u_class[cls] + rng.normal(0, 60, len(cls))
            table = pa.table({"country": country, "school": school, "class": cls, "x1": x[:, 0], "x2": x[:, 1],
                              "x3": x[:, 2], "y": y})
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    return n * 7 * 8 / 1e6


def _hwm_mb() -> float:
    """This (parent) process's peak resident memory: the data generation's."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run(which: str, path: Path) -> dict:
    script = RUNNER.replace('"cls": "0 + C(cls)"', '"cls": "0 + C(Q(\'class\'))"')
    proc = subprocess.run([sys.executable, "-c", script, which, str(path)], capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1]}
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else {"error": proc.stdout.strip()[-300:] or "no output"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[18_000, 180_000, 1_800_000])
    parser.add_argument("--statsmodels-max", type=int, default=18_000,
                        help="largest size at which statsmodels is run (at 180,000 rows it had not finished after "
                             "12 minutes and 5.5 GB)")
    parser.add_argument("--mixedlm-max", type=int, default=1_800_000,
                        help="largest size at which mixedlm is run: it holds every row in memory (about 1.6 GB "
                             "peak at 1.8M rows), so at 18M it would need over 15 GB, far past the 1 GB budget")
    parser.add_argument("--spark", action="store_true", help="also time the spark engine (local Spark SQL)")
    parser.add_argument("--spark-max", type=int, default=1_800_000, help="largest size for --spark")
    args = parser.parse_args()
    print("peak MB: the process's peak resident memory; base MB: the same right after its imports")
    print(f"{'students':>10} {'engine':<12}{'seconds':>9}{'peak MB':>9}{'base MB':>9}{'input MB':>9}{'vs ours':>9}"
          "  max |d beta|  d loglik")
    targets: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            path = Path(tmp) / f"d{n}.parquet"
            size_mb = make_data(n, path)
            results = {"aggregates": run("aggregates", path)}
            if args.spark and n <= args.spark_max:
                results["spark"] = run("spark", path)
            results["mixedlm"] = run("mixedlm", path) if n <= args.mixedlm_max else {
                "skipped": f"not run above --mixedlm-max {args.mixedlm_max:,} rows: it holds every row in memory "
                           f"(~{1.57 * n / 1.8e6:.0f} GB at this size by its 1.8M peak, docs/performance.md), past the 1 GB budget"}
            if n <= args.statsmodels_max:
                results["statsmodels"] = run("statsmodels", path)
            ours = results["aggregates"]
            for name, r in results.items():
                if "error" in r or "skipped" in r:
                    print(f"{n:>10} {name:<12} {'failed: ' + r['error'] if 'error' in r else r['skipped']}")
                    continue
                ratio = r["seconds"] / ours["seconds"]
                dbeta = max(abs(a - b) for a, b in zip(r["beta"], ours["beta"], strict=True))
                print(f"{n:>10} {name:<12}{r['seconds']:9.2f}{r['total_mb']:9.0f}{r['base_mb']:9.0f}{size_mb:9.0f}"
                      f"{ratio:8.1f}x"
                      f"  {dbeta:12.2e}  {r['loglik'] - ours['loglik']:9.2e}"
                      + (f"  (+ JVM start {r['jvm_start_s']:.1f} s, JVM peak {r['jvm_mb']:.0f} MB)" if "jvm_mb" in r else ""))
            if n > 1_800_000 and "error" not in ours:
                print(f"{n:>10} budget: peak resident memory {ours['total_mb']:.0f} MB for the whole process "
                      f"(< 1024 MB: {'met' if ours['total_mb'] < 1024 else 'NOT met'}), DuckDB memory_limit "
                      f"{os.environ.get('SAFESCHOOL_DUCKDB_MEMORY', '128MB')}; generation peak "
                      f"{_hwm_mb():.0f} MB")
            if n == 1_800_000 and "error" not in ours and "seconds" in results["mixedlm"]:
                targets.append(_targets(ours, results["mixedlm"], size_mb))
    for line in targets:
        print(line)


def _targets(ours: dict, mixedlm: dict, size_mb: float) -> str:
    """The issue's three targets at 1.8M rows, each with its figure."""
    ratio = mixedlm["seconds"] / ours["seconds"]
    memory = ours["total_mb"] - ours["base_mb"]
    verdict = {True: "met", False: "NOT met"}
    return (f"targets at 1.8M rows: {ratio:.1f}x faster than mixedlm (>= 10x: {verdict[ratio >= 10]}); "
            f"{ours['seconds']:.2f} s (< 1 s: {verdict[ours['seconds'] < 1]}); peak memory +{memory:.0f} MB "
            f"(< 2x input = {2 * size_mb:.0f} MB: {verdict[memory < 2 * size_mb]})")


if __name__ == "__main__":
    main()
