"""The web at ten times the network (issue 20, item 6): 10 countries, 250 schools, 40,000 students.

1. `safeschool simulate` the cohort into a fresh SAFESCHOOL_HOME, migrate the new database, and time `safeschool
   load` as a new process (wall and CPU seconds). Target: under 60 s.
2. Seed the demo's other steps on that cohort (`safeschool demo`'s steps, each timed), queue the tour's MAIHDA and
   run the first queued analysis of each kind the tour shows as the worker would (the other within-country analyses
   stay queued: the country report page then shows them as queued, as while `safeschool demo`'s worker runs them).
3. Start `safeschool serve` (gunicorn, loopback, no worker) and request every page of the tour
   (safeschool.web.demo.tour) as each role that visits it, one request at a time, `--repeats` times each after
   `--warm` unmeasured rounds of the tour (the server's processes start cold): the first measured request, the median
   and the p95 of the others per page, and whether the median is under 300 ms (the target).

Run: `.venv/bin/python benchmarks/bench_web_scale.py [--keep /tmp/scalehome] [--repeats 10]`; with `--keep` the
prepared installation is reused when run again (steps 1-2 are skipped). `--roles staff,member` and
`--pages school-profile,country` (the tour's step names) measure only those.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from bench_web import Server
from safeschool.cli._shell import ensure_secret_key

SIZES = {"countries": 10, "schools": 250, "classes": 1600, "teachers": 5000, "students": 40000}
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TARGET_MS = 300


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _command(*args: str) -> tuple[float, float]:
    """Run `safeschool ARGS` as a new process; its wall and CPU seconds."""
    cpu, start = _cpu_children(), time.perf_counter()
    subprocess.run([sys.executable, "-m", "safeschool.cli", *args], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start, _cpu_children() - cpu


def load(folder: Path, sizes: dict[str, int]) -> None:
    """Simulate the cohort into `folder`/cohort and load it into a new home, `folder`/home, timing the load."""
    home = folder / "home"
    home.mkdir(parents=True)
    os.environ["SAFESCHOOL_HOME"] = str(home)
    os.environ.pop("SAFESCHOOL_SECRET_KEY_FILE", None)
    ensure_secret_key()
    options = [f"--{name}={value}" for name, value in sizes.items()]
    wall, _ = _command("simulate", "--out", str(folder / "cohort"), *options)
    print(f"simulate ({', '.join(f'{v:,} {k}' for k, v in sizes.items())}): {wall:.1f} s")
    wall, cpu = _command("manage", "migrate", "--verbosity=0")
    print(f"safeschool manage migrate (the new, empty database): {wall:.1f} s wall, {cpu:.1f} s CPU")
    wall, cpu = _command("load", str(folder / "cohort"))
    verdict = "met" if wall < 60 else "NOT met"
    print(f"safeschool load (new process): {wall:.1f} s wall, {cpu:.1f} s CPU (target < 60 s: {verdict})")


def seed(home: Path) -> list:
    """The demo's other steps on the loaded cohort, each timed; then the tour's analyses; the tour's steps."""
    os.environ["SAFESCHOOL_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeschool.web.settings")
    ensure_secret_key()
    import django

    django.setup()
    from django.db import connections

    from safeschool.web.analysis.execution import analysis_run_execute
    from safeschool.web.analysis.models import AnalysisRun
    from safeschool.web.demo import demo_seed
    from safeschool.web.demo.tour import tour_prepare, tour_steps

    last = [time.perf_counter(), time.process_time()]
    timings: list[tuple[str, float, float]] = []

    def tick(step: str) -> None:
        now = [time.perf_counter(), time.process_time()]
        timings.append((step, now[0] - last[0], now[1] - last[1]))
        last[:] = now

    start = time.perf_counter()
    demo_seed(home=home, progress=tick)
    for step, wall, cpu in timings:
        if wall >= 0.05:
            print(f"  demo step {step:40} {wall:6.2f} s wall {cpu:6.2f} s CPU")
    print(f"demo seeded: {time.perf_counter() - start:.1f} s")
    tour_prepare()
    for kind in ("ecological", "maihda"):  # the tour shows the first of each that succeeded; the rest stay queued
        run = AnalysisRun.objects.filter(kind=kind, status="queued").order_by("pk").first()
        if run is None or AnalysisRun.objects.filter(kind=kind, status="succeeded").exists():
            continue
        start = time.perf_counter()
        run = analysis_run_execute(run_id=run.pk)  # what the worker runs
        print(f"  analysis {run.kind} {run.parameters}: {run.status}, {time.perf_counter() - start:.1f} s")
    steps = tour_steps(upload=home.parent / "cohort" / "student_items.csv")
    connections.close_all()
    return steps


class Client:
    """One signed-in browser without a browser: its own cookies; requests one at a time."""

    def __init__(self, base: str, role: str):
        from safeschool.web.demo.accounts import demo_password

        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        if role != "visitor":
            landed = self.post("/accounts/login/", {"username": role, "password": demo_password(role)})
            if "/accounts/login/" in landed:
                raise SystemExit(f"could not log in as {role}")

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            exc.read()
            return exc.code, ""

    def post(self, path: str, fields: dict[str, str], files: dict[str, Path] | None = None) -> str:
        """Submit the form at `path` (its CSRF token read first); the address it lands on."""
        token = TOKEN.search(self.get(path)[1]).group(1)
        fields = {**fields, "csrfmiddlewaretoken": token}
        headers = {"Referer": self.base + path}
        if files:
            boundary = uuid.uuid4().hex
            parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                     for k, v in fields.items()]
            for name, file in files.items():
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                             f'filename="{file.name}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
                             + file.read_bytes() + b"\r\n")
            data = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        else:
            data = urllib.parse.urlencode(fields).encode()
        request = urllib.request.Request(self.base + path, data=data, headers=headers)
        with self.opener.open(request, timeout=300) as response:
            response.read()
            return response.geturl()[len(self.base):]

    def timed(self, path: str) -> tuple[float, int]:
        start = time.perf_counter()
        status, _ = self.get(path)
        return (time.perf_counter() - start) * 1000, status


def warm(base: str, steps: list, rounds: int) -> None:
    """Request every plain page of the tour `rounds` times unmeasured, so that each server process has imported
    what its pages use (gunicorn's processes start cold, and a tour of one request per page reaches each few)."""
    clients: dict[str, Client] = {}
    for step in [s for s in steps if s.upload is None and s.code is None] * rounds:
        client = clients.get(step.role) or clients.setdefault(step.role, Client(base, step.role))
        client.get(step.path)


def measure(base: str, steps: list, repeats: int) -> list[dict]:
    rows = []
    clients: dict[str, Client] = {}
    for step in steps:
        client = clients.get(step.role) or clients.setdefault(step.role, Client(base, step.role))
        path = step.path
        if step.upload is not None:  # the import preview: upload once, then request the preview's address
            path = client.post(step.path, {"target": "student_survey"}, files={"file": step.upload})
        elif step.code is not None:  # a respondent: the code's form, then its questions
            path = client.post(step.path, {"code": step.code})
        times, statuses = zip(*(client.timed(path) for _ in range(repeats)), strict=True)
        warm = sorted(times[1:]) or list(times)
        row = {"role": step.role, "name": step.name, "path": path, "first": times[0],
               "median": statistics.median(warm),
               "p95": statistics.quantiles(warm, n=20, method="inclusive")[18] if len(warm) > 1 else warm[0],
               "status": "ok" if set(statuses) == {step.status} else f"status {sorted(set(statuses))}"}
        rows.append(row)
        print(f"{row['role']:10} {row['name']:26} {row['first']:7.0f} {row['median']:7.0f} {row['p95']:7.0f}  "
              f"{'yes' if row['median'] < TARGET_MS else 'NO ':3}  {row['status']:6} {path}", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, value in SIZES.items():
        parser.add_argument(f"--{name}", type=int, default=value)
    parser.add_argument("--repeats", type=int, default=10, help="requests per page (the first is reported apart)")
    parser.add_argument("--warm", type=int, default=2, help="unmeasured rounds of the tour first (0: none)")
    parser.add_argument("--roles", default="", help="comma-separated roles to measure (default: every role)")
    parser.add_argument("--pages", default="", help="comma-separated step names to measure (default: every page)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="prepare the installation in this folder and keep it (reused when run again)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = (args.keep or Path(tmp)).resolve()
        if not (folder / "home").exists():
            load(folder, {name: getattr(args, name) for name in SIZES})
        steps = seed(folder / "home")
        steps = [s for s in steps if (not args.roles or s.role in args.roles.split(","))
                 and (not args.pages or s.name in args.pages.split(","))]
        with Server() as server:
            warm(server.base, steps, args.warm)
            print(f"{'role':10} {'page':26} {'first':>7} {'median':>7} {'p95':>7}  <{TARGET_MS} ms (median)")
            rows = measure(server.base, steps, args.repeats)
        over = [f"{r['role']} {r['name']} ({r['median']:.0f} ms)" for r in rows if r["median"] >= TARGET_MS]
        bad = [f"{r['role']} {r['name']} ({r['status']})" for r in rows if r["status"] != "ok"]
        print(f"{len(rows)} pages, {args.repeats} requests each; median under {TARGET_MS} ms: "
              f"{len(rows) - len(over)} of {len(rows)}" + (f"; over: {', '.join(over)}" if over else ""))
        if bad:
            print("unexpected answers: " + ", ".join(bad))
        print(f"target (every tour page's median < {TARGET_MS} ms):", "met" if not over and not bad else "NOT met")


if __name__ == "__main__":
    main()
