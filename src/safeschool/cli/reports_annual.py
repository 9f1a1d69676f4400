"""`report annual`: the network's annual report of one year as a file (a tagged PDF, or an HTML file with its chart
scripts in assets/ beside it), the same document /reports/annual/<year>/ shows."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from safeschool.cli._shell import console, fail, progress, setup_django
from safeschool.cli.reports import report_app


@report_app.command("annual")
def annual(
    year: Annotated[int, typer.Option("--year", help="The year reported on (2000 to next year).")],
    out: Annotated[Path, typer.Option("--out", help="The file to write: its suffix, .pdf or .html, decides the "
                                                    "format (.pdf when it has none).")],
    language: Annotated[str, typer.Option("--language", help="A language of the interface (en, es, it, pt, el, ro, "
                                                             "pl); default: the site's.")] = "",
) -> None:
    """Write the network's annual report: members, schools, label awards, trials and their results, outputs."""
    suffix = out.suffix.lower()
    if suffix not in ("", ".pdf", ".html"):
        raise fail(f"--out: '{out.name}' must end in .pdf or .html")
    if not suffix:
        out, suffix = out.with_suffix(".pdf"), ".pdf"
    setup_django()
    from django.conf import settings

    from safeschool.web.reports import annual as annual_report
    from safeschool.web.reports import render_html, render_pdf
    from safeschool.web.reports.selectors_annual import year_valid

    languages = [code for code, _name in settings.LANGUAGES]
    if language and language not in languages:
        raise fail(f"--language: '{language}' is not one of {', '.join(languages)}")
    if not year_valid(year):
        raise fail(f"--year: {year} is outside 2000 to next year")
    with progress(transient=True) as bar:
        task = bar.add_task(f"Annual report {year}", total=2)
        report = annual_report.build(year, language=language or settings.LANGUAGE_CODE)
        bar.advance(task)
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            if suffix == ".pdf":
                out.write_bytes(render_pdf.pdf(report))
            else:
                render_html.write_assets(out.parent / "assets")
                out.write_text(render_html.standalone(report, assets="assets"), encoding="utf-8")
        except OSError as exc:
            raise fail(f"--out: cannot write {out} ({exc.strerror})") from exc
        bar.advance(task)
    console.print(f"Wrote {out}")
