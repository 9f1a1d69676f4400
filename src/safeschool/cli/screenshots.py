"""`make screenshots` (python -m safeschool.cli.screenshots): the tour of README (safeschool.web.demo.tour) as
each role at 1366 and 390 px, one full-page PNG per page in var/screenshots/<width>/<role>-<page>.png and a contact
sheet, var/screenshots/index.html, for people to review the pages side by side.

The platform runs from a throw-away home, var/screenshots-home (its own SQLite database, never DATABASE_URL): seeded
as `safeschool demo` seeds it (the whole demo, kept between runs: delete the folder to start over), the tour's MAIHDA
queued and every analysis run by the worker in batch mode, then served by `safeschool serve` on a free port while
Chromium (Playwright, a development dependency) walks the tour. Not a `safeschool` command: it needs the
development extras."""

from __future__ import annotations

import argparse
import html
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from safeschool.cli._shell import migrate, progress, setup_django

CHROMIUM = os.environ.get("SAFESCHOOL_CHROMIUM", "/usr/bin/chromium")
# Settings that would point the throw-away platform at a real database, cache or mail server.
NOT_PASSED_ON = ("DATABASE_URL", "SAFESCHOOL_CACHE_URL", "SAFESCHOOL_EMAIL_URL", "EMAIL_HOST", "SAFESCHOOL_HTTPS",
                 "SAFESCHOOL_SECRET_KEY", "SAFESCHOOL_SECRET_KEY_FILE", "SAFESCHOOL_PSEUDONYM_KEY",
                 "SAFESCHOOL_PSEUDONYM_KEY_FILE")


def contact_sheet(shots: list[tuple[int, str, str, str]]) -> str:
    """The index page: per width, each screenshot (width, role, page name, file relative to the index) as a
    thumbnail linking to the full image, captioned with role and page."""
    sections = []
    for width in sorted({s[0] for s in shots}, reverse=True):
        cells = "".join(
            f'<figure><a href="{html.escape(f)}"><img src="{html.escape(f)}" alt="{html.escape(role)}: '
            f'{html.escape(name)} at {width} px" loading="lazy"></a><figcaption>{html.escape(role)} · '
            f"{html.escape(name)}</figcaption></figure>"
            for w, role, name, f in shots if w == width)
        sections.append(f"<section><h2>{width} px</h2><div class=grid>{cells}</div></section>")
    return ("<!doctype html><html lang=en><meta charset=utf-8><title>safeschool tour screenshots</title>"
            "<style>body{font-family:system-ui,sans-serif;margin:1rem;color:#1b2733}.grid{display:grid;"
            "grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:1rem}figure{margin:0}img{width:100%;"
            "height:320px;object-fit:cover;object-position:top;border:1px solid #d5dbe3}figcaption{font-size:.9rem;"
            "color:#4a5868}</style><main><h1>safeschool tour screenshots</h1>" + "".join(sections) + "</main></html>")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, server: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped (exit code {server.returncode})")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer on {url} within {seconds:.0f} s")


def _prepare(home: Path) -> list:
    """Seed the demo in `home` as `safeschool demo` does, queue the tour's MAIHDA, run every queued task (the
    analyses); return the tour's steps."""
    setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    from safeschool.web.demo import DEMO_STEPS, demo_seed
    from safeschool.web.demo.tour import tour_prepare, tour_steps

    if Path(settings.HOME) != home or not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        raise SystemExit(f"the screenshots need their own SQLite database in {home}")
    migrate()
    with progress() as bar:
        task = bar.add_task("Seeding the demo", total=DEMO_STEPS)
        demo_seed(home=home, progress=lambda step: bar.update(task, advance=1, description=step))
        tour_prepare()
        running = bar.add_task("Running the analyses", total=1)
        call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
        bar.update(running, completed=1)
    steps = tour_steps(upload=home / "demo-cohort" / "student_items.csv")
    connections.close_all()
    return steps


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, default=Path("var/screenshots-home"))
    parser.add_argument("--out", type=Path, default=Path("var/screenshots"))
    args = parser.parse_args(argv)
    home, out = args.home.resolve(), args.out.resolve()
    home.mkdir(parents=True, exist_ok=True)
    for name in NOT_PASSED_ON:
        os.environ.pop(name, None)
    os.environ["SAFESCHOOL_HOME"] = str(home)
    steps = _prepare(home)
    env = os.environ.copy()  # with the secret key file setup_django made in the home

    from playwright.sync_api import sync_playwright

    from safeschool.web.demo.tour import HEIGHT, ROLES, WIDTHS, tour_log_in, tour_visit

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = (home / "server.log").open("w")  # gunicorn's access log and any traceback, for when a page fails
    server = subprocess.Popen([sys.executable, "-m", "safeschool.cli", "serve", "--port", str(port), "--no-worker",
                               "--workers", "2"], env=env, stdout=log, stderr=subprocess.STDOUT)
    shots: list[tuple[int, str, str, str]] = []
    try:
        _wait_until_up(url, server)
        with sync_playwright() as p, progress() as bar:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            task = bar.add_task("Screenshots", total=len(steps) * len(WIDTHS))
            uploaded: dict = {}
            for role in ROLES:
                context = browser.new_context(viewport={"width": WIDTHS[0], "height": HEIGHT})
                page = context.new_page()
                tour_log_in(page, url, role)
                for width in WIDTHS:
                    page.set_viewport_size({"width": width, "height": HEIGHT})
                    (out / str(width)).mkdir(parents=True, exist_ok=True)
                    for step in (s for s in steps if s.role == role):
                        bar.update(task, description=f"{width} px · {role} · {step.name}")
                        tour_visit(page, url, step, uploaded)
                        name = f"{width}/{role}-{step.name}.png"
                        page.screenshot(path=out / name, full_page=True)
                        shots.append((width, role, step.name, name))
                        bar.advance(task)
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
    (out / "index.html").write_text(contact_sheet(shots), encoding="utf-8")
    print(f"Wrote {len(shots)} screenshots to {out} (contact sheet: {out / 'index.html'})")
    return out


if __name__ == "__main__":
    main()
