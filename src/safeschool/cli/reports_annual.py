"""`report annual`: the network's annual report of one year as a file (a tagged PDF, or an HTML file with its chart
scripts in assets/ beside it), the same document /reports/annual/<year>/ shows."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from safeschool.cli._shell import console, fail, progress, setup_django
from safeschool.cli.reports import language_checked, out_file, report_app, write_document


@report_app.command("annual")
def annual(
    year: Annotated[int, typer.Option("--year", help="The year reported on (2000 to next year).")],
    out: Annotated[Path, typer.Option("--out", help="The file to write: its suffix, .pdf or .html, decides the "
                                                    "format (.pdf when it has none).")],
    language: Annotated[str, typer.Option("--language", help="A language of the interface (en, es, it, pt, el, ro, "
                                                             "pl); default: the site's.")] = "",
) -> None:
    """Write the network's annual report: members, schools, label awards, trials and their results, outputs."""
    out, suffix = out_file(out)
    setup_django()
    from django.conf import settings

    from safeschool.web.reports import annual as annual_report
    from safeschool.web.reports.selectors_annual import year_valid

    language_checked(language)
    if not year_valid(year):
        raise fail(f"--year: {year} is outside 2000 to next year")
    with progress(transient=True) as bar:
        task = bar.add_task(f"Annual report {year}", total=2)
        report = annual_report.build(year, language=language or settings.LANGUAGE_CODE)
        bar.advance(task)
        write_document(report, out, suffix)
        bar.advance(task)
    console.print(f"Wrote {out}")
