"""Profile reports at the demo's size: every school's report (`safeschool report school --country CODE`, for every
country: all 120 schools, PDF and HTML) and each country's report (`safeschool report country --country CODE`),
each command timed as a user runs it (its own process, start-up included).

Targets (issue 19): all 120 school reports in under 2 minutes; one country report in under 10 s.

The installation: the one in $SAFESCHOOL_HOME when it holds a database (e.g. after `safeschool demo`), else a fresh
one in a temporary folder with the demo seeded (the default cohort of 120 schools, self-evaluations, labels and
plans; about 2 minutes, not timed).

Run: `.venv/bin/python benchmarks/bench_reports.py [--keep DIR] [--only schools|countries]` (`SAFESCHOOL_HOME=var .venv/bin/python
benchmarks/bench_reports.py` to reuse an installation).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _installation import fresh_installation
from safeschool.cli._shell import ensure_secret_key

SCHOOLS_TARGET = 120.0  # seconds for all school reports
COUNTRY_TARGET = 10.0   # seconds for one country report


def prepare(folder: Path) -> None:
    """Use $SAFESCHOOL_HOME's database when there is one, else seed the demo into a fresh installation."""
    home = os.environ.get("SAFESCHOOL_HOME")
    if home and (Path(home) / "safeschool.sqlite3").exists():
        print(f"Reusing the installation in {home}")
        return
    print(f"Seeding the demo into {folder / 'home'} (not timed) ...", flush=True)
    fresh_installation(folder)
    from safeschool.web.demo import demo_seed

    demo_seed(home=Path(os.environ["SAFESCHOOL_HOME"]))
    from django.db import connections

    connections.close_all()


def countries() -> list[tuple[str, int]]:
    """(code, number of schools) of every country, read in a child process (this one may not have Django set up)."""
    code = ("import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'safeschool.web.settings'); "
            "django.setup(); from django.db.models import Count; "
            "from safeschool.web.research.models import Country; "
            "print('\\n'.join(f'{c.code} {c.n}' for c in Country.objects.annotate(n=Count('schools')).order_by('code')))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return [(line.split()[0], int(line.split()[1])) for line in out.splitlines() if line.strip()]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # every finished child, the commands' workers included
    return usage.ru_utime + usage.ru_stime


def timed(*args: str) -> tuple[float, float, str]:
    """Wall-clock and CPU seconds of one command (its workers included), and its last error line if it failed."""
    started, cpu = time.perf_counter(), _cpu()
    done = subprocess.run([sys.executable, "-m", "safeschool.cli", *args], capture_output=True, text=True)
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    if done.returncode != 0:
        return seconds, cpu, (done.stderr.strip().splitlines() or ["failed"])[-1]
    return seconds, cpu, ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="seed into this folder and keep it (reused by a later run)")
    parser.add_argument("--only", choices=("schools", "countries"), help="time only these reports")
    options = parser.parse_args()
    folder = options.keep or Path(tempfile.mkdtemp(prefix="bench-reports-"))
    if options.keep and (folder / "home" / "safeschool.sqlite3").exists():
        os.environ["SAFESCHOOL_HOME"] = str(folder / "home")
    folder.mkdir(parents=True, exist_ok=True)
    prepare(folder)
    ensure_secret_key()  # the commands below read the same key
    found = countries()
    out = folder / "out"
    print(f"\n{sum(n for _, n in found)} schools in {len(found)} countries; {os.cpu_count()} cores; load average "
          f"before the run {os.getloadavg()[0]:.1f} (other work on the machine lengthens the wall-clock times)\n")

    print("| command | schools | seconds | CPU seconds |")
    print("|---|---|---|---|")
    school_total = school_cpu = 0.0
    for code, n in (found if options.only != "countries" else []):
        seconds, cpu, error = timed("report", "school", "--country", code, "--out", str(out / "schools"))
        school_total, school_cpu = school_total + seconds, school_cpu + cpu
        print(f"| report school --country {code} | {n} | {seconds:.1f} | {cpu:.1f} |{' ' + error if error else ''}")
    country_times = []
    for code, _n in (found if options.only != "schools" else []):
        seconds, cpu, error = timed("report", "country", "--country", code, "--out",
                                    str(out / f"country-{code}.pdf"))
        country_times.append(seconds)
        print(f"| report country --country {code} | – | {seconds:.1f} | {cpu:.1f} |{' ' + error if error else ''}")

    slowest = max(country_times) if country_times else float("nan")
    print("\n| measure | seconds | target | ratio to target |")
    print("|---|---|---|---|")
    print(f"| all {sum(n for _, n in found)} school reports | {school_total:.1f} (CPU {school_cpu:.1f}) | "
          f"{SCHOOLS_TARGET:.0f} | {school_total / SCHOOLS_TARGET:.2f} |")
    print(f"| slowest country report | {slowest:.1f} | {COUNTRY_TARGET:.0f} | {slowest / COUNTRY_TARGET:.2f} |")
    print(f"\nFiles in {out}")


if __name__ == "__main__":
    main()
