"""What the fault tests share: a migrated SAFESCHOOL_HOME (SQLite) copied per test, the environment of its
processes, a child process started in its own process group and always stopped, and waits that give up.

The processes are real (`python -m safeschool.cli ...`); tests read the database file with sqlite3 directly."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "fault_script.py"


def env_for(home: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("SAFESCHOOL_")}
    env.update(SAFESCHOOL_HOME=str(home), SAFESCHOOL_SECRET_KEY="faults-only-secret-key-0123456789abcdefghijkl",
               SAFESCHOOL_PSEUDONYM_KEY="faults-key-0123456789abcdef0123456789abcdef",
               DJANGO_SETTINGS_MODULE="safeschool.web.settings", PYTHONUNBUFFERED="1", **extra)
    return env


def start(home: Path, argv: list[str], log: Path, **extra: str) -> subprocess.Popen:
    """A child in its own session (process group), its output in `log`."""
    with open(log, "ab") as out:
        return subprocess.Popen(argv, env=env_for(home, **extra), stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def kill_group(proc: subprocess.Popen, sig: int = signal.SIGKILL, timeout: float = 10) -> None:
    """Send `sig` to the child's whole process group (gunicorn's master and workers) and reap the child."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=timeout)


def group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def wait_for(predicate, *, timeout: float, every: float = 0.05, what: str = "the condition"):
    """Poll `predicate` until it returns something true; AssertionError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"gave up waiting for {what} after {timeout} s")


def query(home: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Rows from the home's database, read like any other reader (WAL: never blocked by a writer)."""
    with contextlib.closing(sqlite3.connect(home / "safeschool.sqlite3", timeout=10)) as db:
        return db.execute(sql, params).fetchall()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 10, opener=None) -> tuple[int, dict, str]:
    """(status, headers, body) of a GET, errors included."""
    try:
        with (opener or urllib.request.build_opener()).open(url, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def answering(url: str) -> bool:
    try:
        return get(url, timeout=2)[0] == 200
    except OSError:
        return False


FULL_LIMIT = 64 * 1024  # RLIMIT_FSIZE of the fallback: a write past 64 KB fails with EFBIG


@contextlib.contextmanager
def full_disk(folder: Path):
    """`folder` on a full filesystem while the block runs; yields how: "tmpfs" (a 1 MB tmpfs mounted there and
    filled up: ENOSPC, as on a real full disk; needs the right to mount, e.g. root) or "rlimit" (RLIMIT_FSIZE on
    this process: writes past FULL_LIMIT fail with EFBIG, SIGXFSZ ignored; used where mounting is not allowed)."""
    import resource

    folder.mkdir(parents=True, exist_ok=True)
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0777", "tmpfs", str(folder)], capture_output=True,
        timeout=10).returncode == 0
    if mounted:
        try:
            with contextlib.suppress(OSError), open(folder / ".filler", "wb") as fh:
                while True:
                    fh.write(b"\0" * 65536)
            yield "tmpfs"
        finally:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True, timeout=10)
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (FULL_LIMIT, hard))
    try:
        yield "rlimit"
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


def listing(folder: Path) -> list[str]:
    """What a reader sees in the folder (the tmpfs filler aside)."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.name != ".filler")
