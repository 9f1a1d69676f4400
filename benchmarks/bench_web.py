"""The web server under load, on the loopback: `safeschool serve` (gunicorn + WhiteNoise) and `serve --dev`.

A fresh installation with a small simulated cohort and the demo seeded; virtual users log in with the demo logins
and walk the tour's pages (home, /schools/, a school profile, a country page, /network/, /hub/), each page with
the stylesheets it names (fetched once per user, as a browser's cache would).

1. Steady load on `serve`: 50 users, 1 s think time between pages, 60 s: p50, p95, errors. Targets: p95 < 300 ms,
   no errors.
2. Saturation, no think time (20 clients for 20 s), `serve` and then `serve --dev` on the same database: pages per
   second of each and the ratio. Target: `serve` at least 3x the development server.

Run: `.venv/bin/python benchmarks/bench_web.py [--users 50 --think 1 --duration 60 --clients 20 --saturation 20]`
(`--duration 10 --saturation 5` for a quick look).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from _installation import fresh_installation
from safeschool.cli._shell import ensure_secret_key
from safeschool.cohort import CohortConfig, Sizes, simulate

COHORT = Sizes(countries=3, schools=12, classes=48, teachers=120, students=1200, waves=2)
STYLESHEETS = re.compile(r'<link rel="stylesheet" href="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(folder: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """A fresh home with the cohort loaded and the demo seeded (or the one prepared there before, with --keep):
    the tour's paths and the demo logins."""
    fresh = not (folder / "home").exists()
    if fresh:
        fresh_installation(folder)
    else:
        os.environ["SAFESCHOOL_HOME"] = str(folder / "home")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeschool.web.settings")
        ensure_secret_key()
        import django

        django.setup()
    from safeschool.web.demo import demo_seed
    from safeschool.web.research.models import Country, School
    from safeschool.web.research.services import cohort_load

    if fresh:
        simulate(CohortConfig(sizes=COHORT, seed=11)).write(folder / "cohort")
        cohort_load(directory=folder / "cohort")  # the demo then keeps this cohort instead of simulating its own
    result = demo_seed(home=Path(os.environ["SAFESCHOOL_HOME"]))
    logins = [(a["username"], a["password"]) for a in result.accounts if a["role"] != "admin"]
    school = School.objects.order_by("pk").first()
    tour = ["/", "/schools/", f"/schools/{school.pk}/", f"/schools/countries/{Country.objects.first().code}/",
            "/network/", "/hub/"]
    from django.db import connections

    connections.close_all()
    return tour, logins


class Server:
    """`safeschool serve` (or `serve --dev`) in a subprocess on a free port, stopped on exit."""

    def __init__(self, *options: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = Path(os.environ["SAFESCHOOL_HOME"]) / f"server-{self.port}.log"  # its access log and errors
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "safeschool.cli", "serve", "--port", str(self.port), "--no-worker", *options],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def __enter__(self):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=2).read()
                return self
            except OSError:
                if self.process.poll() is not None:
                    raise SystemExit("the server stopped while starting") from None
                time.sleep(0.3)
        raise SystemExit("the server did not start within 120 s")

    def __exit__(self, kind, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)  # the dev server's reloader runs the server in a child
        self.process.wait(timeout=30)
        if kind is not None:
            print("".join(self.log.read_text().splitlines(keepends=True)[-40:]), file=sys.stderr)


class User:
    """One visitor: own cookies, logged in with a demo login, stylesheets fetched once."""

    def __init__(self, base: str, login: tuple[str, str]):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.seen: set[str] = set()
        page = self.opener.open(base + "/accounts/login/", timeout=30).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"username": login[0], "password": login[1],
                                       "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(base + "/accounts/login/", data=data, headers={"Referer": base + "/"})
        if "/accounts/login/" in self.opener.open(request, timeout=30).geturl():
            raise SystemExit(f"could not log in as {login[0]}")

    def visit(self, path: str) -> float:
        """Load a page and any stylesheet not fetched yet; the seconds it took (raises on any error)."""
        start = time.perf_counter()
        with self.opener.open(self.base + path, timeout=30) as response:
            body = response.read().decode()
        for sheet in STYLESHEETS.findall(body):
            if sheet not in self.seen:
                self.opener.open(self.base + sheet, timeout=30).read()
                self.seen.add(sheet)
        return time.perf_counter() - start


def run(base: str, tour: list[str], logins: list[tuple[str, str]], *, users: int, think: float,
        duration: float) -> dict:
    """`users` visitors walking the tour (each starting at a different page) for `duration` seconds."""
    visitors = [User(base, logins[i % len(logins)]) for i in range(users)]
    times: list[float] = []
    by_page: dict[str, list[float]] = {path: [] for path in tour}
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + duration

    def walk(index: int, visitor: User) -> None:
        step = index
        while time.monotonic() < stop:
            path = tour[step % len(tour)]
            step += 1
            try:
                elapsed = visitor.visit(path)
                with lock:
                    times.append(elapsed)
                    by_page[path].append(elapsed)
            except Exception as exc:  # every failure counts, whatever it is
                with lock:
                    errors.append(f"{path}: {exc}")
            if think:
                time.sleep(think)

    threads = [threading.Thread(target=walk, args=(i, v)) for i, v in enumerate(visitors)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    ordered = sorted(times)
    return {"pages": len(times), "errors": len(errors), "first_error": errors[0] if errors else "",
            "by_page": {path: statistics.median(t) * 1000 for path, t in by_page.items() if t},
            "per_second": len(times) / elapsed,
            "p50": statistics.median(ordered) * 1000 if ordered else float("nan"),
            "p95": statistics.quantiles(ordered, n=20, method="inclusive")[18] * 1000 if len(ordered) > 1
            else float("nan")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--think", type=float, default=1.0, help="seconds between a user's pages")
    parser.add_argument("--duration", type=float, default=60, help="seconds of steady load")
    parser.add_argument("--clients", type=int, default=20, help="clients at saturation (no think time)")
    parser.add_argument("--saturation", type=float, default=20, help="seconds at saturation, per server")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn processes (default: serve's own)")
    parser.add_argument("--pages", default="", help="comma-separated paths to walk instead of the tour")
    parser.add_argument("--keep", type=Path, default=None,
                        help="prepare the installation in this folder and keep it (reused when run again)")
    args = parser.parse_args()
    workers = ["--workers", str(args.workers)] if args.workers else []
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        tour, logins = prepare(folder)
        tour = args.pages.split(",") if args.pages else tour
        print(f"Installation, {COHORT.students:,} students, demo seeded: {time.perf_counter() - start:.0f} s; "
              f"{os.cpu_count()} cores; tour {' '.join(tour)}")
        with Server(*workers) as server:
            steady = run(server.base, tour, logins, users=args.users, think=args.think, duration=args.duration)
            print(f"serve, {args.users} users, {args.think:g} s think time, {args.duration:g} s: "
                  f"{steady['pages']} pages, p50 {steady['p50']:.0f} ms, p95 {steady['p95']:.0f} ms, "
                  f"{steady['errors']} errors {steady['first_error']}")
            print("  median per page: " + ", ".join(f"{path} {ms:.0f} ms" for path, ms in steady["by_page"].items()))
            fast = run(server.base, tour, logins, users=args.clients, think=0, duration=args.saturation)
        with Server("--dev") as server:
            slow = run(server.base, tour, logins, users=args.clients, think=0, duration=args.saturation)
        for name, r in (("serve", fast), ("serve --dev", slow)):
            print(f"{name:12} saturation, {args.clients} clients, {args.saturation:g} s: {r['per_second']:6.1f} "
                  f"pages/s, p50 {r['p50']:.0f} ms, p95 {r['p95']:.0f} ms, {r['errors']} errors {r['first_error']}")
        print(f"serve / serve --dev throughput: {fast['per_second'] / slow['per_second']:.1f}x")
        ok = steady["p95"] < 300 and steady["errors"] == 0 and fast["per_second"] >= 3 * slow["per_second"]
        print("targets (p95 < 300 ms, 0 errors, >= 3x the dev server):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
