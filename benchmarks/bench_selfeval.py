"""Self-evaluation at issue 16's benchmark size: 120 schools x 200 respondents (safeschool.selfeval.simulate) scored
from the command line (`safeschool selfeval score`, a new process: Python start, imports, reading and checking the
CSV, scoring, writing the JSON), and in one process the stored result rows of every campaign, the network summary
and one school's report against its 119 peers. Targets: CLI scoring under 5 s, the network comparison under 2 s,
a school report under 300 ms.

Run: `.venv/bin/python benchmarks/bench_selfeval.py [--schools 120] [--respondents 200] [--repeats 3] [--web]`
(`--web`: also the pages, through Django's test client in a temporary database). Prints one
markdown table; `main()` builds the rows, so more (e.g. the web pages) can be added to the same table.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLI_TARGET, NETWORK_TARGET, REPORT_TARGET = 5.0, 2.0, 0.300
SAFESCHOOL = str(Path(sys.executable).with_name("safeschool"))


def _median_time(action, repeats: int) -> tuple[float, object]:
    """(median seconds over `repeats` runs, the last result)."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _cli(*args: str) -> None:
    done = subprocess.run([SAFESCHOOL, "selfeval", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"safeschool selfeval {args[0]} failed: {done.stderr.strip()}")


def pure_rows(folder: Path, schools: int, respondents: int, repeats: int) -> list[tuple[str, float, float | None]]:
    """[(step, median seconds, target seconds or None)] for the simulator, the CLI and the report core."""
    from safeschool.selfeval import report, simulate
    from safeschool.selfeval.questionnaire import load

    q = load()
    rows: list[tuple[str, float, float | None]] = []
    seconds, frame = _median_time(lambda: simulate.simulate_network(q, schools=schools, respondents=respondents,
                                                                    seed=0), 1)
    rows.append((f"simulate {schools} schools x {respondents} respondents ({len(frame):,} rows)", seconds, None))
    csv = folder / "responses.csv"
    simulate.write_csv(frame, csv)
    seconds, _ = _median_time(lambda: _cli("score", "--responses", str(csv), "--json", str(folder / "s.json")),
                              repeats)
    rows.append(("`safeschool selfeval score` (new process, read + check + score + write)", seconds, CLI_TARGET))
    parts = {code: part for code, part in frame.groupby("school", sort=True)}
    seconds, results = _median_time(lambda: {c: report.results_rows(p, q) for c, p in parts.items()}, 1)
    rows.append((f"results rows of {schools} campaigns (what closing them stores)", seconds, None))
    meta = simulate.network_meta(schools, seed=0)
    seconds, _ = _median_time(lambda: report.network_summary(results, meta), repeats)
    rows.append(("network summary (every code x group x stage and country)", seconds, NETWORK_TARGET))
    first = next(iter(parts))
    peers = [rows_ for code, rows_ in results.items() if code != first]
    seconds, _ = _median_time(lambda: report.school_report(parts[first], q, peers=peers, previous=results[first]),
                              max(repeats, 5))
    rows.append((f"one school report ({len(peers)} peers, a previous campaign)", seconds, REPORT_TARGET))
    seconds, _ = _median_time(lambda: _cli("report", "--responses", str(csv), "--school", first, "--peers", str(csv),
                                           "--json", str(folder / "r.json")), repeats)
    rows.append(("`safeschool selfeval report --peers` (new process, peers scored from the CSV)", seconds, None))
    return rows


def print_table(rows: list[tuple[str, float, float | None]]) -> None:
    print("| step | median s | target |")
    print("|---|---|---|")
    for name, seconds, target in rows:
        verdict = "—" if target is None else f"< {target:g} s, {'met' if seconds < target else 'NOT met'}"
        print(f"| {name} | {seconds:.3f} | {verdict} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=120)
    parser.add_argument("--respondents", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--web", action="store_true",
                        help="also the school report and network comparison pages (benchmarks/_selfeval_web.py)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = pure_rows(Path(tmp), args.schools, args.respondents, args.repeats)
    if args.web:  # a temporary Django installation of its own, after the pure rows
        from _selfeval_web import web_timings

        rows += [(f"web page, median of 5 warm requests: {name}", median, target)
                 for name, _first, median, target in web_timings(args.schools, args.respondents)]
    print_table(rows)


if __name__ == "__main__":
    main()
