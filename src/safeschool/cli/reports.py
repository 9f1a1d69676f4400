"""`report`: the documents a network is judged by, written as files — a school's profile report (one school, or
every school of a country, with a progress bar), a country's profile report, a policy brief and the network's
annual report; each in HTML and as a tagged PDF, from the same services the web's /reports/ pages use."""

from __future__ import annotations

from pathlib import Path

import typer

from safeschool.cli._shell import fail

report_app = typer.Typer(help="Write reports as files: school and country profiles, policy briefs, the annual "
                              "report (PDF and HTML).", no_args_is_help=True)



def out_file(out: Path) -> tuple[Path, str]:
    """`--out` and the format its suffix says (.pdf or .html; none: .pdf); anything else is refused."""
    suffix = out.suffix.lower()
    if suffix not in ("", ".pdf", ".html"):
        raise fail(f"--out: '{out.name}' must end in .pdf or .html")
    return (out.with_suffix(".pdf"), ".pdf") if not suffix else (out, suffix)


def language_checked(language: str) -> str:
    """`--language` when it is one of the interface's ("" stays ""); otherwise a one-line refusal. Django set up."""
    from django.conf import settings

    languages = [code for code, _name in settings.LANGUAGES]
    if language and language not in languages:
        raise fail(f"--language: '{language}' is not one of {', '.join(languages)}")
    return language


def write_document(report, out: Path, suffix: str) -> None:
    """The report as a tagged PDF, or as an HTML file with its chart scripts in assets/ beside it."""
    from safeschool.files import write_atomic
    from safeschool.web.reports import render_html, render_pdf

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".pdf":  # written under a temporary name, then renamed: a full disk leaves no truncated file
            write_atomic(out, render_pdf.pdf(report))
        else:
            render_html.write_assets(out.parent / "assets")
            write_atomic(out, render_html.standalone(report, assets="assets"))
    except OSError as exc:
        raise fail(f"--out: cannot write {out} ({exc.strerror})") from exc


# each command's module registers it on report_app
from safeschool.cli import reports_annual, reports_brief, reports_country, reports_school  # noqa: E402,F401
