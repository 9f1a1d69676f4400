"""Running the platform: `demo`, `serve`, `worker`, `digest` and `manage`."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from safeschool.cli._shell import console, err, fail, migrate, progress, setup_django

commands = typer.Typer()


@commands.command()
def demo(
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the platform when ready.")] = True,
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
    countries: Annotated[int, typer.Option(help="Number of countries.")] = 6,
    schools: Annotated[int, typer.Option(help="Number of schools (spread evenly over countries).")] = 120,
    classes: Annotated[int, typer.Option(help="Number of classes (spread evenly over schools).")] = 720,
    teachers: Annotated[int, typer.Option(help="Number of teachers (at least one per class).")] = 2400,
    students: Annotated[int, typer.Option(help="Number of students (spread evenly over classes).")] = 18000,
) -> None:
    """Build the database, simulate and load a cohort (once; the sizes as `safeschool simulate` takes them, used
    only while the database holds no students), create one login per role, and serve."""
    from safeschool.cohort import Sizes

    sizes = Sizes(countries=countries, schools=schools, classes=classes, teachers=teachers, students=students)
    problems = sizes.problems()
    if problems:
        raise fail(problems[0])
    setup_django()
    from django.conf import settings

    from safeschool.web.demo import DEMO_STEPS, demo_seed

    console.print("Preparing the database…")
    migrate()
    with progress() as bar:
        task = bar.add_task("Seeding the demo", total=DEMO_STEPS)
        result = demo_seed(home=Path(settings.HOME), sizes=sizes,
                           progress=lambda step: bar.update(task, advance=1, description=step))
    for note in result.notes:
        console.print(note)
    from rich.table import Table

    table = Table(title="Demo logins (one per role)")
    for col in ("username", "password", "role", "sees"):
        table.add_column(col)
    for a in result.accounts:
        table.add_row(a["username"], a["password"], str(a["role"]), str(a["what"]))
    console.print(table)
    if serve_after:
        _serve("127.0.0.1", port, workers=default_workers())


def default_workers() -> int:
    """SAFESCHOOL_WORKERS, else gunicorn's rule of thumb 2 × cores + 1, capped at 12 (each process holds the app)."""
    if os.environ.get("SAFESCHOOL_WORKERS"):
        return max(1, int(os.environ["SAFESCHOOL_WORKERS"]))
    return min(2 * (os.cpu_count() or 1) + 1, 12)


@commands.command()
def serve(
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    with_worker: Annotated[bool, typer.Option("--worker/--no-worker",
                                              help="Run the background worker beside the server.")] = True,
    workers: Annotated[int | None, typer.Option(
        help="Server processes (default: SAFESCHOOL_WORKERS, else 2 × cores + 1, at most 12).")] = None,
    dev: Annotated[bool, typer.Option("--dev", help="Django's development server instead, reloading on code "
                                                    "changes (one process: never in production).")] = False,
) -> None:
    """Serve the platform with gunicorn and WhiteNoise (the database must exist: run `safeschool demo --no-serve`
    or `safeschool load` first)."""
    setup_django()
    if os.environ.get("RUN_MAIN") != "true":  # the dev server's reloaded child: the parent did all this
        migrate()
    _serve(host, port, with_worker, workers=workers or default_workers(), dev=dev)


def _serve(host: str, port: int, with_worker: bool = True, workers: int = 1, dev: bool = False) -> None:
    """Collect the static files, start the background worker (analyses, imports, e-mails; stopped with the
    server) and serve: gunicorn, or Django's autoreloading server with `dev`."""
    import subprocess

    from django.core.management import call_command
    from django.db import connections

    reloaded_child = os.environ.get("RUN_MAIN") == "true"
    worker = None
    if not reloaded_child:
        call_command("collectstatic", interactive=False, verbosity=0)
        if with_worker:
            worker = subprocess.Popen([sys.executable, "-m", "safeschool.cli", "worker", "--quiet"],
                                      env=os.environ.copy())
        console.print(f"Serving safeschool on [bold]http://{host}:{port}[/]"
                      f" ({'development server' if dev else f'gunicorn, {workers} processes'}) — press Ctrl+C to stop.")
    try:
        if dev:
            call_command("runserver", f"{host}:{port}", use_reloader=True, skip_checks=True)
        else:
            connections.close_all()  # the server's processes are forked from this one: none may share a connection
            _gunicorn({"bind": f"{host}:{port}", "workers": workers, "preload_app": True, "timeout": 120,
                       "graceful_timeout": 10, "accesslog": "-", "errorlog": "-", "proc_name": "safeschool",
                       "control_socket_disable": True}).run()
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=10)


def _gunicorn(options: dict):
    """gunicorn run inside this process with the options given (its own command line is not read); imported here,
    not by every command."""
    from gunicorn.app.base import BaseApplication

    class Gunicorn(BaseApplication):
        def __init__(self, options: dict):
            self.options = options
            super().__init__()

        def load_config(self):
            for key, value in self.options.items():
                self.cfg.set(key, value)

        def load(self):
            from django.core.wsgi import get_wsgi_application
            from django.urls import get_resolver

            application = get_wsgi_application()
            # Import every view (pandas, Altair, …) here, before the server forks, so the processes share these
            # modules instead of each importing them on its first request.
            get_resolver().url_patterns  # noqa: B018
            return application

    return Gunicorn(options)


@commands.command()
def worker(
    batch: Annotated[bool, typer.Option("--batch", help="Process the queued tasks, then exit.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="Log only errors.")] = False,
) -> None:
    """Run the background worker that executes queued analyses, imports and network e-mails, and queues the
    daily and weekly digests when they are due (`serve` and `demo` start one for you)."""
    setup_django()
    migrate()
    from django.core.management import call_command

    from safeschool.web.core.worker import tasks_recover, worker_id_make
    from safeschool.web.hub.tasks import digest_scheduler_start

    for lost in tasks_recover():  # left running by a worker killed on this machine: failed, with the reason
        err.print(f"[yellow]Worker:[/] task {lost.task_name} ({lost.pk}) was left running by a worker that is gone: "
                  "marked failed")
    if not batch:
        digest_scheduler_start(on_error=lambda exc: err.print(f"[yellow]Digest scheduler:[/] {exc}"))
    call_command("db_worker", batch=batch, reload=False, startup_delay=not batch, verbosity=0 if quiet else 1,
                 worker_id=worker_id_make())


@commands.command()
def digest(
    frequency: Annotated[str, typer.Argument(help="daily or weekly")],
    force: Annotated[bool, typer.Option("--force", help="Send even if the period has not passed.")] = False,
) -> None:
    """Send the daily or weekly network digest now (the worker's scheduler does this by itself)."""
    setup_django()
    migrate()
    from safeschool.web.hub.notifications import send_digests

    if frequency not in ("daily", "weekly"):
        raise fail(f"frequency must be daily or weekly, not '{frequency}'")
    sent = send_digests(frequency=frequency, force=force)
    console.print(f"Sent {sent} {frequency} digest e-mail(s).")


@commands.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def manage(ctx: typer.Context) -> None:
    """Run a Django management command, e.g. `safeschool manage createsuperuser`."""
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["safeschool manage", *ctx.args])
