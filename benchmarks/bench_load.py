"""Load the default cohort into a fresh SQLite database: `safeschool load` side by side with a floor.

The floor is the least any loader must do: plain `sqlite3.executemany` of the same rows into tables with the
same columns, without validation, pseudonymisation, upserts or constraints. The ratio says what the safety
costs. Run: `.venv/bin/python benchmarks/bench_load.py [--students N]` (prints a table; see docs/performance.md).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def run_safeschool_load(cohort: Path, home: Path) -> float:
    env = {**os.environ, "SAFESCHOOL_HOME": str(home)}
    # migrate first so that only the load is timed
    subprocess.run([sys.executable, "-m", "safeschool.cli", "manage", "migrate", "-v", "0"], env=env, check=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "safeschool.cli", "load", str(cohort)], env=env, check=True,
                   capture_output=True)
    return time.perf_counter() - start


def run_floor(cohort: Path, db: Path) -> float:
    start = time.perf_counter()
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    for csv in sorted(cohort.glob("*.csv")):
        if csv.stem == "random_effects":
            continue
        df = pd.read_csv(csv)
        cols = ", ".join(f'"{c}"' for c in df.columns)
        con.execute(f'CREATE TABLE "{csv.stem}" ({cols})')
        marks = ", ".join("?" for _ in df.columns)
        rows = df.astype(object).where(df.notna(), None).itertuples(index=False, name=None)
        con.executemany(f'INSERT INTO "{csv.stem}" VALUES ({marks})', rows)
    con.commit()
    con.close()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=18000)
    args = parser.parse_args()
    from safeschool.cohort import CohortConfig, Sizes, simulate

    scale = args.students / 18000
    sizes = Sizes(schools=max(6, round(120 * scale)), classes=max(6, round(720 * scale)),
                  teachers=max(6, round(2400 * scale)), students=args.students)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        simulate(CohortConfig(sizes=sizes)).write(tmp / "cohort")
        ours = run_safeschool_load(tmp / "cohort", tmp / "home")
        floor = run_floor(tmp / "cohort", tmp / "floor.sqlite3")
    print(f"cohort: {args.students:,} students, {sizes.schools} schools, {sizes.waves} waves")
    print(f"{'loader':<50}{'seconds':>10}{'ratio':>8}")
    print(f"{'safeschool load (validate, pseudonymise, upsert)':<50}{ours:>10.2f}{ours / floor:>8.1f}")
    print(f"{'sqlite3 executemany floor (no checks)':<50}{floor:>10.2f}{1.0:>8.1f}")
    print(f"target: default cohort under 30 s -> {'met' if ours < 30 or args.students != 18000 else 'MISSED'}")


if __name__ == "__main__":
    main()
