"""The server (gunicorn, `safeschool serve`) killed with SIGKILL while it stores an import upload: nothing partial
is left counted (no job, no batch, no upload that can be imported), the restarted server serves again and sweeps
the cut-off upload away; and the database unavailable for a few seconds (another process holds SQLite's exclusive
lock): requests get the 503 page and the same server answers normally once the lock is gone, without a restart."""

from __future__ import annotations

import contextlib
import http.client
import http.cookiejar
import re
import signal
import sqlite3
import sys
import time
import urllib.parse
import urllib.request
import uuid

import pytest

from .faultkit import answering, free_port, get, kill_group, query, start, wait_for

IMPORTS = "/schools/imports/"  # reverse("imports:list")

pytestmark = [pytest.mark.faults, pytest.mark.fault_users(("a", "pw-admin-1234", "admin"))]


def _serve(home, port, log, **env):
    server = start(home, [sys.executable, "-m", "safeschool.cli", "serve", "--no-worker", "--workers", "1",
                          "--port", str(port)], log, **env)
    try:
        wait_for(lambda: answering(f"http://127.0.0.1:{port}/healthz"), timeout=90, every=0.2,
                 what="the server to answer")
    except BaseException:
        kill_group(server)
        raise
    return server


def _login(base: str):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base}/accounts/login/", timeout=20).read()
    token = next(c.value for c in jar if c.name == "csrftoken")
    data = urllib.parse.urlencode({"username": "a", "password": "pw-admin-1234", "csrfmiddlewaretoken": token})
    opener.open(f"{base}/accounts/login/", data.encode(), timeout=20).read()
    assert any(c.name == "sessionid" for c in jar), "login failed"
    return opener, jar


def _post_upload(port: int, jar, content: bytes, timeout: float = 30) -> http.client.HTTPResponse:
    """POST a CSV to the imports page (multipart, the real form) and return the response."""
    cookies = {c.name: c.value for c in jar}
    boundary = uuid.uuid4().hex
    parts = [f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n"
             f"{cookies['csrftoken']}\r\n".encode(),
             f"--{boundary}\r\nContent-Disposition: form-data; name=\"target\"\r\n\r\nstudent_survey\r\n".encode(),
             f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"survey.csv\"\r\n"
             "Content-Type: text/csv\r\n\r\n".encode(), content, f"\r\n--{boundary}--\r\n".encode()]
    body = b"".join(parts)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request("POST", IMPORTS, body=body, headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}", "Accept-Language": "en",
        "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())})
    return conn


def _csv(rows: int) -> bytes:
    lines = ["student_id,wave,language,pssm_1,pssm_2,pssm_3"]
    lines += [f"S{i:07d},1,en,{i % 5 + 1},{i % 3 + 1},{i % 4 + 1}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def test_a_server_killed_while_storing_an_upload_leaves_nothing_and_serves_again(fault_home, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    staging = fault_home / "imports"
    server = _serve(fault_home, port, tmp_path / "serve.log")
    try:
        _, jar = _login(base)
        conn = _post_upload(port, jar, _csv(600_000))  # about 20 MB: seconds to read and store
        folder = wait_for(lambda: next(iter(staging.glob("*")), None) if staging.exists() else None,
                          timeout=60, every=0.01, what="the upload to be stored")
        kill_group(server, signal.SIGKILL)  # the whole group: gunicorn's master and its worker
        conn.close()
    finally:
        kill_group(server)
    assert not (folder / "meta.json").exists(), "killed too late: the upload was already stored whole"
    assert query(fault_home, "SELECT count(*) FROM imports_importjob") == [(0,)]
    assert query(fault_home, "SELECT count(*) FROM imports_importbatch") == [(0,)]

    # restarted (cut-off uploads older than a second are swept when the next one arrives): it serves again
    server = _serve(fault_home, port, tmp_path / "serve-again.log", SAFESCHOOL_STAGING_MAX_AGE_HOURS="0.0003")
    try:
        opener, jar = _login(base)
        assert get(f"{base}{IMPORTS}", opener=opener)[0] == 200
        wait_for(lambda: time.time() - folder.stat().st_mtime > 1.2, timeout=5, what="a second")
        response = _post_upload(port, jar, _csv(50)).getresponse()
        assert response.status == 302 and f"{IMPORTS}staged/" in response.getheader("Location")
        assert not folder.exists()  # the cut-off upload was swept
        token = response.getheader("Location").rstrip("/").rsplit("/", 1)[1]
        assert (staging / token / "meta.json").exists()
    finally:
        kill_group(server, signal.SIGTERM)
    assert query(fault_home, "SELECT count(*) FROM imports_importbatch") == [(0,)]


@contextlib.contextmanager
def _database_locked(home):
    """Another process's hold on the whole SQLite file (exclusive locking mode): readers and writers wait."""
    holder = sqlite3.connect(home / "safeschool.sqlite3", isolation_level=None, timeout=10)
    try:
        holder.execute("PRAGMA locking_mode=EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("SELECT count(*) FROM django_migrations").fetchall()
        yield
    finally:
        holder.close()


def test_the_database_locked_for_a_few_seconds_gives_503_then_the_same_server_answers(fault_home, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(fault_home, port, tmp_path / "serve.log", SAFESCHOOL_SQLITE_TIMEOUT="0.5")
    try:
        assert get(f"{base}/", timeout=20)[0] == 200
        pid = server.pid
        with _database_locked(fault_home):
            status, headers, body = get(f"{base}/", timeout=20, opener=None)
            health = get(f"{base}/healthz", timeout=20)
        assert status == 503, body[:500]
        assert headers["Retry-After"] == "60"
        assert "The database is unavailable; try again in a minute" in body
        assert "Traceback" not in body and "OperationalError" not in body
        assert re.search(r'<html lang="en">', body) and 'class="site-header"' in body
        assert health[0] == 503
        # the lock gone, the same server (no restart) answers again
        assert get(f"{base}/", timeout=20)[0] == 200
        assert server.pid == pid and server.poll() is None
    finally:
        kill_group(server, signal.SIGTERM)
    log = (tmp_path / "serve.log").read_text()
    assert "database unavailable during GET /" in log
