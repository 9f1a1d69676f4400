"""How fast the `safeschool` command answers, as a user at a shell sees it (issue 20): `safeschool --help`
(target under 0.3 s), `safeschool fit --help`, and the whole `safeschool fit --engine aggregates` process on
1.8 million rows (target under 1 s), beside the floors no command can go below: the interpreter alone
(`python -c pass`) and importing typer.

Each command runs in a fresh process, N rounds, every command once per round (a busy moment of a shared machine
then slows them all alike); the median of the rounds is reported, with the fastest run and the median CPU time
(user + system, which other processes' load disturbs less than the wall clock). The data file is made as
benchmarks/bench_aggregates.py makes it (25 students per class, 6 classes per school, 6 countries).

Run: `.venv/bin/python benchmarks/bench_cli_startup.py [--runs 15] [--rows 1800000] [--compare DIR]`; with
`--compare DIR` (a source tree, e.g. `git archive <commit> src | tar -x -C DIR`) every command also runs
against DIR/src, for a before/after table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_aggregates import FORMULA, make_data  # noqa: E402

TARGETS = {"safeschool --help": 0.3, "safeschool fit --engine aggregates": 1.0}


def commands(data: Path) -> dict[str, list[str]]:
    python = sys.executable
    safeschool = str(Path(python).parent / "safeschool")
    return {
        "python -c pass": [python, "-c", "pass"],
        "python -c 'import typer'": [python, "-c", "import typer"],
        "safeschool --help": [safeschool, "--help"],
        "safeschool fit --help": [safeschool, "fit", "--help"],
        "safeschool fit --engine aggregates": [safeschool, "fit", "--engine", "aggregates", "--data", str(data),
                                               "--formula", FORMULA],
    }


def timed(argv: list[str], env: dict) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run, which must succeed."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    stderr = proc.stderr.read().decode()
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {stderr.strip().splitlines()[-1:]}")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--rows", type=int, default=1_800_000)
    parser.add_argument("--compare", type=Path, help="another source tree (its src/ is put first on PYTHONPATH)")
    args = parser.parse_args()
    env = {**os.environ, "COLUMNS": "100"}
    trees = {"now": env}
    if args.compare:
        trees["compare"] = {**env, "PYTHONPATH": str((args.compare / "src").resolve())}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / f"d{args.rows}.parquet"
        make_data(args.rows, data)
        cmds = commands(data)
        runs = {(tree, name): [] for tree in trees for name in cmds}
        load_before = os.getloadavg()
        for _ in range(args.runs):
            for tree, tree_env in trees.items():
                for name, argv in cmds.items():
                    runs[tree, name].append(timed(argv, tree_env))
        load_after = os.getloadavg()
    print(f"{args.runs} rounds, {args.rows:,} rows; load average {load_before[0]:.1f} before, {load_after[0]:.1f} after")
    floor = statistics.median(w for w, _ in runs["now", "python -c pass"])
    typer_floor = statistics.median(w for w, _ in runs["now", "python -c 'import typer'"])
    print(f"{'command':<38}{'tree':<9}{'median s':>9}{'min s':>8}{'CPU s':>8}{'/python':>9}{'/typer':>8}  target")
    verdicts = []
    for (tree, name), values in runs.items():
        median = statistics.median(w for w, _ in values)
        cpu = statistics.median(c for _, c in values)
        target = TARGETS.get(name)
        verdict = ""
        if target is not None:
            verdict = f"< {target:g} s: {'met' if median < target else 'NOT met'}"
            if tree == "now":
                verdicts.append(f"{name}: {median:.2f} s ({verdict})")
        print(f"{name:<38}{tree:<9}{median:9.3f}{min(w for w, _ in values):8.3f}{cpu:8.3f}{median / floor:8.1f}x"
              f"{median / typer_floor:7.1f}x  {verdict}")
    print("targets: " + "; ".join(verdicts))


if __name__ == "__main__":
    main()
