"""What every command shares: the two consoles, one-line failures, progress bars, Django set-up and JSON output."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from rich.progress import Progress

console = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print a one-line reason to stderr and return the Exit to raise."""
    err.print(f"[bold red]Error:[/] {escape(message)}", highlight=False, soft_wrap=True)  # a path like x[/b]
    return typer.Exit(code)


def progress(transient: bool = False) -> Progress:
    """A progress bar on stderr (stdout keeps only the results)."""
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                    TimeElapsedColumn(), console=err, transient=transient)


def setup_django() -> None:
    """Configure Django for commands that touch the database (the pure commands never import it)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeschool.web.settings")
    ensure_secret_key()
    import django

    django.setup()
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        Path(settings.DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)


def ensure_secret_key() -> None:
    """When no secret key is given (SAFESCHOOL_SECRET_KEY or SAFESCHOOL_SECRET_KEY_FILE), make a random one in
    $SAFESCHOOL_HOME/keys/secret.key on first use (mode 600) and keep it, so sessions survive restarts; the
    settings refuse to run on the built-in key with debug off."""
    if os.environ.get("SAFESCHOOL_SECRET_KEY") or os.environ.get("SAFESCHOOL_SECRET_KEY_FILE"):
        return
    home = Path(os.environ.get("SAFESCHOOL_HOME", Path.cwd() / "var")).resolve()
    path = home / "keys" / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
            file.write(secrets.token_urlsafe(50))
    os.environ["SAFESCHOOL_SECRET_KEY_FILE"] = str(path)  # the worker and gunicorn processes read the same file


def migrate() -> None:
    """Migrate (core's post_migrate handler makes the cache table)."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def write_json(path: Path, payload: dict) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(payload, indent=2, default=_json_default))
    except OSError as exc:
        raise fail(f"--json: cannot write {path} ({exc.strerror})") from exc
    console.print(f"Wrote {path}")


def _json_default(value):
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot serialise {type(value).__name__}")
