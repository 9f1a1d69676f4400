"""`backup` and `restore`: the whole installation (database, media files) in one file and back, the
pseudonymisation key kept apart (services in safeschool.web.core.backup; docs/backup.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from safeschool.cli._shell import console, err, fail, progress, setup_django

commands = typer.Typer()


def _reporter(bar):
    task = bar.add_task("Starting", total=None)

    def report(step: str, done: int, total: int) -> None:
        bar.update(task, description=step, completed=done, total=total or None)
    return report


def _counts(manifest: dict) -> tuple[int, int, int]:
    """Tables, rows and media files a backup's manifest lists (its files are the database and the media)."""
    return (len(manifest["tables"]), sum(t["rows"] for t in manifest["tables"].values()),
            len(manifest["files"]) - 1)


@commands.command()
def backup(
    out: Annotated[Path, typer.Option("--out", help="The backup file to write (a .tar.gz; see docs/backup.md).")],
    key_out: Annotated[Path | None, typer.Option(
        "--key-out", help="Where to write the pseudonymisation key (mode 600); default: OUT.pseudonym-key. "
                          "Keep it apart from the backup.")] = None,
) -> None:
    """Back up the database (online: SQLite's backup API, or pg_dump) and the media files into one file; the
    pseudonymisation key goes to a separate file."""
    setup_django()
    from safeschool.web.core.backup import KEY_WARNING, BackupError
    from safeschool.web.core.backup import backup as run_backup

    try:
        with progress(transient=True) as bar:
            result = run_backup(out, key_out=key_out, progress=_reporter(bar))
    except BackupError as exc:
        raise fail(str(exc)) from exc
    except OSError as exc:
        raise fail(f"--out: cannot write {out} ({exc.strerror})") from exc
    manifest = result.manifest
    tables, rows, media = _counts(manifest)
    console.print(f"Wrote {result.out}: {manifest['database']['vendor']} database ({tables} tables, "
                  f"{rows:,} rows), {media} media files")
    if result.key_out:
        console.print(f"Wrote the pseudonymisation key to {result.key_out} (mode 600)")
        err.print(f"[bold yellow]Warning:[/] {KEY_WARNING}", highlight=False, soft_wrap=True)
    else:
        err.print("[bold yellow]Warning:[/] this installation has no pseudonymisation key yet (nothing imported); "
                  "no key file written", highlight=False, soft_wrap=True)


@commands.command()
def restore(
    file: Annotated[Path, typer.Argument(help="A backup file written by `safeschool backup`.")],
    key: Annotated[Path | None, typer.Option(
        "--key", help="The pseudonymisation key file written beside the backup; put back if it is the backup's.")] = None,
) -> None:
    """Restore a backup into an empty installation: checked member by member, every table's row count and
    checksum compared after restoring (undone if any differs)."""
    setup_django()
    from safeschool.web.core.backup import BackupError
    from safeschool.web.core.backup import restore as run_restore

    try:
        with progress(transient=True) as bar:
            result = run_restore(file, key=key, progress=_reporter(bar))
    except BackupError as exc:
        raise fail(str(exc)) from exc
    manifest = result.manifest
    tables, rows, media = _counts(manifest)
    console.print(f"Restored {file} (made {manifest['created']} by safeschool {manifest['safeschool_version']}): "
                  f"{tables} tables, {rows:,} rows, every checksum matches; {media} media files")
    if result.key_installed:
        console.print(f"Put the pseudonymisation key at {result.key_installed} (mode 600)")
    for warning in result.warnings:
        err.print(f"[bold yellow]Warning:[/] {warning}", highlight=False, soft_wrap=True)
