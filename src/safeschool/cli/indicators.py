"""`indicators`: official statistics from Eurostat's published files (early leavers from education and training:
sdg_04_10, edat_lfse_14, edat_lfse_16), imported all-or-nothing with row-level errors like the other importers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from safeschool.cli._shell import console, err, fail, setup_django

indicators_app = typer.Typer(help="Official indicators: import Eurostat's early-leaving files.", no_args_is_help=True)


@indicators_app.command("import")
def import_file(
    file: Annotated[Path, typer.Option("--file", help="Eurostat's file: bulk TSV (.tsv or .tsv.gz) or SDMX-CSV.")],
    dataset: Annotated[str, typer.Option(
        "--dataset", help="sdg_04_10, edat_lfse_14 or edat_lfse_16; needed only when neither the file's name nor "
                          "its contents say it.")] = "",
) -> None:
    """Import one Eurostat file of early leavers from education and training, all or nothing: every problem in its
    rows is printed (line, column, reason) and nothing is stored; the same file twice is refused."""
    from safeschool.indicators.records import MAX_BYTES

    try:
        if file.stat().st_size > MAX_BYTES:  # not read into memory: Eurostat's files are a few MB
            raise fail(f"--file: {file} is over {MAX_BYTES // (1024 * 1024)} MB; is it a file from Eurostat?")
        data = file.read_bytes()
    except OSError as exc:
        raise fail(f"--file: cannot read {file} ({exc.strerror or exc})") from exc
    setup_django()
    from safeschool.web.indicators.services import ImportRefused, release_import

    try:
        release = release_import(data=data, name=file.name, dataset=dataset)
    except ImportRefused as refusal:
        for error in refusal.row_errors:
            where = f"line {error.row}, " if error.row else ""
            err.print(f"{where}column {error.field}: {error.message}", highlight=False, soft_wrap=True, markup=False)
        raise fail(refusal.reason) from None
    console.print(f"Imported {release.n_observations} observations of {release.dataset} ({file.name})",
                  highlight=False, soft_wrap=True, markup=False)
