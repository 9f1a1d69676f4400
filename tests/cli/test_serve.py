"""Serving in production: `safeschool serve` runs gunicorn with hashed, compressed, long-cached static files;
the settings refuse the built-in secret key and pass `check --deploy` with the production variables."""

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

SAFESCHOOL = [sys.executable, "-m", "safeschool.cli"]


def _environment(home: Path, **extra: str) -> dict:
    """A clean environment: no secret key (unless given), debug off, its own home."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SAFESCHOOL_", "DJANGO_", "DATABASE_URL", "EMAIL_"))}
    return env | {"SAFESCHOOL_HOME": str(home), "SAFESCHOOL_DEBUG": "false"} | extra


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, **headers: str):
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
        return response.status, dict(response.headers), response.read()


def test_serve_runs_gunicorn_with_hashed_compressed_long_cached_static_files(tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([*SAFESCHOOL, "serve", "--port", str(port), "--no-worker", "--workers", "2"],
                              env=_environment(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                status, headers, body = _get(f"{base}/healthz")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    server.kill()  # still running past the deadline: reading its output would wait for ever
                    raise AssertionError(f"the server did not start:\n{server.communicate()[0]}") from None
                time.sleep(0.5)
        assert status == 200 and b'"ok"' in body
        assert headers["Server"] == "gunicorn"
        key = tmp_path / "keys" / "secret.key"  # made on first use, readable by its owner only
        assert key.stat().st_mode & 0o777 == 0o600 and len(key.read_text()) >= 50

        _, _, page = _get(f"{base}/")
        css = re.search(r'href="(/static/core/site\.[0-9a-f]{12}\.css)"', page.decode())
        assert css, "the stylesheet is named by its hash"
        status, headers, body = _get(base + css.group(1), **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers.get("Content-Encoding") == "gzip"
        assert "immutable" in headers["Cache-Control"]
        assert int(re.search(r"max-age=(\d+)", headers["Cache-Control"]).group(1)) >= 365 * 24 * 3600
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_the_built_in_secret_key_is_refused_with_debug_off(tmp_path):
    result = subprocess.run([sys.executable, "-c", "import safeschool.web.wsgi"], env=_environment(tmp_path),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("django.core.exceptions.ImproperlyConfigured: no secret key: set SAFESCHOOL_SECRET_KEY")


def test_check_deploy_reports_nothing_with_the_production_variables(tmp_path):
    production = {"SAFESCHOOL_SECRET_KEY": secrets.token_urlsafe(50), "SAFESCHOOL_HTTPS": "true",
                  "SAFESCHOOL_HSTS_PRELOAD": "true", "SAFESCHOOL_ALLOWED_HOSTS": "safeschool.example.org,127.0.0.1"}
    result = subprocess.run([*SAFESCHOOL, "manage", "check", "--deploy", "--fail-level", "WARNING"],
                            env=_environment(tmp_path, **production), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
