"""Running the platform: `demo`, `serve`, `worker`, `digest` and `manage`."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from safeschool.cli._shell import console, err, fail, migrate, progress, setup_django

commands = typer.Typer()


@commands.command()
def demo(
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the platform when ready.")] = True,
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
) -> None:
    """Build the database, simulate and load the default cohort (once), create one login per role, and serve."""
    setup_django()
    from django.conf import settings

    from safeschool.web.demo import DEMO_STEPS, demo_seed

    console.print("Preparing the database…")
    migrate()
    with progress() as bar:
        task = bar.add_task("Seeding the demo", total=DEMO_STEPS)
        result = demo_seed(home=Path(settings.HOME),
                           progress=lambda step: bar.update(task, advance=1, description=step))
    for note in result.notes:
        console.print(note)
    table = Table(title="Demo logins (one per role)")
    for col in ("username", "password", "role", "sees"):
        table.add_column(col)
    for a in result.accounts:
        table.add_row(a["username"], a["password"], a["role"], a["what"])
    console.print(table)
    if serve_after:
        _serve("127.0.0.1", port)


@commands.command()
def serve(
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    with_worker: Annotated[bool, typer.Option("--worker/--no-worker",
                                              help="Run the background worker beside the server.")] = True,
) -> None:
    """Serve the platform (the database must exist: run `safeschool demo --no-serve` or `safeschool load` first)."""
    setup_django()
    migrate()
    _serve(host, port, with_worker)


def _serve(host: str, port: int, with_worker: bool = True) -> None:
    """Serve the web app; a background worker runs beside it for analyses (stopped with the server)."""
    import subprocess

    from django.core.management import call_command

    worker = None
    if with_worker:
        worker = subprocess.Popen([sys.executable, "-m", "safeschool.cli", "worker", "--quiet"], env=os.environ.copy())
    console.print(f"Serving safeschool on [bold]http://{host}:{port}[/] — press Ctrl+C to stop.")
    try:
        call_command("runserver", f"{host}:{port}", use_reloader=False, insecure_serving=True, skip_checks=True)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=10)


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

    from safeschool.web.hub.tasks import digest_scheduler_start

    if not batch:
        digest_scheduler_start(on_error=lambda exc: err.print(f"[yellow]Digest scheduler:[/] {exc}"))
    call_command("db_worker", batch=batch, reload=False, startup_delay=not batch, verbosity=0 if quiet else 1)


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
