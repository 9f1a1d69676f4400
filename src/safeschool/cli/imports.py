"""`import`: a survey export or school records through a mapping, with --dry-run, --history and --undo-last."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from safeschool.cli._shell import console, err, fail, migrate, progress, setup_django

commands = typer.Typer()


@commands.command("import")
def import_(
    file: Annotated[Path | None, typer.Option("--file", help="The file: .csv, .xlsx, .sav or .dta.")] = None,
    mapping: Annotated[Path | None, typer.Option("--mapping", help="The mapping (YAML): target, id, wave, columns "
                                                 "(docs/import.md); the web step can save one.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every row and report; write nothing.")] = False,
    errors: Annotated[Path | None, typer.Option("--errors", help="Write the row-level error report here (CSV).")] = None,
    undo: Annotated[bool, typer.Option("--undo-last", help="Undo the most recent import instead.")] = False,
    history: Annotated[bool, typer.Option("--history", help="List past imports instead.")] = False,
) -> None:
    """Import a survey export or school records through a mapping: validated first, all-or-nothing, idempotent,
    ids pseudonymised; `--undo-last` reverts the last import."""
    setup_django()
    migrate()
    if undo:
        _undo_last()
    elif history:
        _history()
    elif file is None or mapping is None:
        raise fail("give --file and --mapping (or --history / --undo-last)")
    else:
        _import(file, mapping, dry_run=dry_run, errors=errors)


def _undo_last() -> None:
    from django.core.exceptions import ValidationError

    from safeschool.web.imports.selectors import import_batch_latest_applied
    from safeschool.web.imports.services import import_undo

    latest = import_batch_latest_applied()
    if latest is None:
        raise fail("there is no import to undo")
    try:
        import_undo(batch=latest)
    except ValidationError as exc:
        raise fail(" ".join(exc.messages)) from exc
    console.print(f"Undid import #{latest.pk} ({latest.file_name}): the data are as they were before it.")


def _history() -> None:
    from rich.table import Table

    from safeschool.web.imports.selectors import import_batch_list

    table = Table(title="Imports")
    for col in ("#", "file", "holds", "rows", "created", "updated", "status", "when"):
        table.add_column(col)
    for b in import_batch_list(limit=30):
        table.add_row(str(b.pk), b.file_name, b.target, str(b.counts.get("rows", "")),
                      str(b.counts.get("created", "")), str(b.counts.get("updated", "")), b.status,
                      f"{b.created_at:%Y-%m-%d %H:%M}")
    console.print(table)


def _import(file: Path, mapping: Path, *, dry_run: bool, errors: Path | None) -> None:
    from safeschool.ingest.mapping import MappingError, read_mapping
    from safeschool.ingest.readers import FileProblem
    from safeschool.ingest.validation import write_report
    from safeschool.web.imports.services import import_file

    try:
        parsed = read_mapping(mapping)
        with progress(transient=True) as bar:
            bar.add_task(f"Checking {file.name}", total=None)
            prepared, outcome = import_file(path=file, mapping=parsed, dry_run=dry_run)
    except (FileProblem, MappingError) as exc:
        raise fail(f"{exc} — nothing was imported") from exc
    for w in prepared.warnings:
        err.print(f"[yellow]Warning:[/] {w}", highlight=False, soft_wrap=True)
    if errors is not None:
        write_report(prepared.problems, errors)
    if not prepared.ok:
        for p in prepared.problems[:10]:
            err.print(f"{file.name}: {p}", highlight=False, soft_wrap=True)
        more = f" (first 10 shown{'; all in ' + str(errors) if errors else '; --errors FILE writes them all'})"
        raise fail(f"{len(prepared.problems)} problem(s){more if len(prepared.problems) > 10 else ''} — nothing was "
                   "imported")
    if outcome is None:
        console.print(f"Dry run: {len(prepared.rows):,} rows checked, no problems; nothing written.")
        return
    if outcome.already:
        console.print(f"Already imported as #{outcome.batch.pk} (same file and mapping): nothing changed.")
        return
    c = outcome.counts
    console.print(f"Imported #{outcome.batch.pk}: {c['rows']:,} rows — {c['created']:,} created, {c['updated']:,} "
                  f"updated, {c['unchanged']:,} unchanged. Undo with `safeschool import --undo-last`.")
