"""Fault script (too slow for the test suite: a PostgreSQL cluster and a migration): the database stopped for a few
seconds under a running server, on PostgreSQL.

    .venv/bin/python benchmarks/faults_postgres.py [--port 5445] [--outage 5]

Starts a throwaway cluster (tools/pg-throwaway, on 127.0.0.1:PORT), `safeschool serve` (gunicorn, 2 processes) on a
free loopback port against it, asks for pages, stops the cluster (fast shutdown: the server's kept connections are
cut), asks for pages during the outage (each must be the 503 page: Retry-After, "try again in a minute", no
traceback), starts the cluster again and measures how long until the same server answers 200 again (no restart:
CONN_HEALTH_CHECKS replaces the dead connections). Stops everything it started; prints the outcome as Markdown."""

from __future__ import annotations

import argparse
import contextlib
import glob
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.faults.faultkit import answering, free_port, get, kill_group  # noqa: E402


def as_owner(*argv: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else list(argv)


def pg_ctl(cluster: Path, *args: str) -> None:
    binary = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))[-1]
    subprocess.run(as_owner(binary, "-D", str(cluster / "data"), "-l", str(cluster / "server.log"), "-w", "-t", "60",
                            *args), check=True, capture_output=True, timeout=90)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=5445)
    parser.add_argument("--outage", type=float, default=5.0, help="seconds the database stays down")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="faults-pg-"))
    work.chmod(0o755)  # the cluster runs as an unprivileged user, who must reach its folder
    cluster, home = work / "pg", work / "home"
    home.mkdir()
    url = subprocess.run([str(ROOT / "tools" / "pg-throwaway"), "start", str(cluster), str(args.port)], check=True,
                         capture_output=True, text=True, timeout=120).stdout.strip()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFESCHOOL_")}
    env.update(DATABASE_URL=url, SAFESCHOOL_HOME=str(home), SAFESCHOOL_SECRET_KEY="faults-postgres-0123456789abcdef")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = None
    outcome: dict = {}
    try:
        started = time.perf_counter()
        with open(work / "serve.log", "wb") as log:
            server = subprocess.Popen([sys.executable, "-m", "safeschool.cli", "serve", "--no-worker", "--workers", "2",
                                       "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT,
                                      start_new_session=True)
        deadline = time.monotonic() + 600
        while not answering(f"{base}/healthz"):
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"the server did not start; see {work / 'serve.log'}")
            time.sleep(0.5)
        outcome["server ready (migrated) s"] = round(time.perf_counter() - started, 1)
        outcome["before: GET / x4"] = [get(f"{base}/", timeout=30)[0] for _ in range(4)]  # both processes connected

        pg_ctl(cluster, "-m", "fast", "stop")
        down = time.monotonic()
        during = []
        while time.monotonic() - down < args.outage:
            status, headers, body = get(f"{base}/", timeout=30)
            during.append(status)
            if status != 503 or headers.get("Retry-After") != "60" \
                    or "The database is unavailable; try again in a minute" not in body or "Traceback" in body:
                outcome.setdefault("unexpected during the outage", f"{status} {body[:200]!r}")
            time.sleep(0.25)
        outcome["during the outage: GET / statuses"] = f"{len(during)} requests, " + ", ".join(
            f"{s}×{during.count(s)}" for s in sorted(set(during)))
        outcome["during the outage: /healthz"] = get(f"{base}/healthz", timeout=30)[0]

        pg_ctl(cluster, "start")
        back = time.monotonic()
        after = []
        while time.monotonic() - back < 30:
            after.append(get(f"{base}/", timeout=30)[0])
            if after[-4:] == [200] * 4:
                break
            time.sleep(0.1)
        outcome["after restart: GET / statuses until 4×200"] = after
        outcome["after restart: s to the first 200"] = round(time.monotonic() - back, 2) if 200 in after else None
        outcome["server restarted"] = "no" if server.poll() is None else f"it exited ({server.returncode})"
    finally:
        if server is not None:
            kill_group(server, signal.SIGTERM)
        with contextlib.suppress(Exception):
            subprocess.run([str(ROOT / "tools" / "pg-throwaway"), "stop", str(cluster)], timeout=120,
                           capture_output=True)
    print(f"| PostgreSQL outage ({args.outage:g} s) | value |\n|---|---|")
    for key, value in outcome.items():
        print(f"| {key} | {value} |")
    ok = ("unexpected during the outage" not in outcome and outcome.get("server restarted") == "no"
          and outcome["after restart: GET / statuses until 4×200"][-1:] == [200])
    print("\nOK" if ok else "\nFAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
