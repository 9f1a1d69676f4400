"""`report brief`: a policy brief as a file (a tagged PDF, or an HTML file with its chart scripts in assets/ beside
it), the same document /reports/briefs/<slug>/ shows, in the brief's own language. Drafts too: the command is the
operator's, who may read every brief."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from safeschool.cli._shell import console, fail, progress, setup_django
from safeschool.cli.reports import out_file, report_app, write_document


@report_app.command("brief")
def brief(
    reference: Annotated[str, typer.Option("--brief", help="The brief's number or its slug (the last part of its "
                                                           "address, /reports/briefs/<slug>/).")],
    out: Annotated[Path, typer.Option("--out", help="The file to write: its suffix, .pdf or .html, decides the "
                                                    "format (.pdf when it has none).")],
) -> None:
    """Write a policy brief: key messages, the evidence and its uncertainty, the official indicator, the
    recommendations the Delphi panel agreed on, the strongest programmes, limitations and provenance."""
    out, suffix = out_file(out)
    setup_django()
    from safeschool.web.reports import briefs
    from safeschool.web.reports.selectors_briefs import brief_by_reference

    found = brief_by_reference(reference)
    if found is None:
        raise fail(f"--brief: no brief '{reference}' (give its number or its slug)")
    with progress(transient=True) as bar:
        task = bar.add_task(f"Brief {found.slug}", total=2)
        report = briefs.build(found)
        bar.advance(task)
        write_document(report, out, suffix)
        bar.advance(task)
    console.print(f"Wrote {out}")
