"""What every report builder and report view shares: the language a report is written in (a school's own, or one
the reader chose), when it was generated, the file a download answers with, and the tables of the document model
(publishing.document) with rows whose figures are hidden by the disclosure rule (the value left out, the reason
kept, so no renderer can show it)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone

from safeschool.publishing.document import Column, Report, Table
from safeschool.stats.disclosure import BELOW_MIN
from safeschool.web.reports import render_html, render_pdf

# a network country's code -> the site language its schools read (Cyprus reads Greek)
COUNTRY_LANGUAGE = {"IT": "it", "ES": "es", "PT": "pt", "EL": "el", "CY": "el", "RO": "ro", "PL": "pl"}
CONTENT_TYPES = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}


def site_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def language_of_school(school) -> str:
    """The language a school's report is written in: its country's, else the site's default."""
    country = getattr(school, "country", None)
    code = str(getattr(country, "code", country) or "").upper()
    return COUNTRY_LANGUAGE.get(code, settings.LANGUAGE_CODE)


def chosen_language(value: str | None, default: str) -> str:
    """`value` when it names one of the site's languages (any case, "pt-br" reads "pt"), else `default` (or the
    site's default when that is not one either). Never raises: a bad ?language= falls back quietly."""
    languages = site_languages()
    code = str(value or "").strip().lower().replace("_", "-").split("-")[0]
    if code in languages:
        return code
    return default if default in languages else settings.LANGUAGE_CODE


def document_links(report: Report, *, page: str, file: str, args: list) -> dict:
    """The page's download buttons (PDF, HTML file, in the report's language) and its "also in" links to the
    same page in every other language of the site: `page` and `file` are URL names taking `args` (then the
    format)."""
    from django.urls import reverse
    from django.utils.translation import gettext

    query = f"?language={report.language}"
    return {"downloads": [(gettext("PDF"), reverse(file, args=[*args, "pdf"]) + query),
                          (gettext("HTML file"), reverse(file, args=[*args, "html"]) + query)],
            "languages": [(code, reverse(page, args=args) + f"?language={code}") for code in site_languages()
                          if code != report.language]}


def generated_now() -> dt.datetime:
    """The generation time written on a report (aware, to the second)."""
    return timezone.now().replace(microsecond=0)


def file_response(report: Report, fmt: str, *, request=None) -> HttpResponse:
    """The report as a download: a tagged PDF or a self-contained HTML file named `<slug>.<fmt>`; with the
    `request`, the document's relative links are made absolute (the file is read away from the site)."""
    base = request.build_absolute_uri("/") if request is not None else ""
    if fmt == "pdf":
        body: bytes | str = render_pdf.pdf(report, base_url=base)
    elif fmt == "html":
        body = render_html.standalone(report, assets=None, base_url=base)  # one file that draws its charts offline
    else:
        raise ValueError(f"unknown report format {fmt!r}")
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{report.slug or report.kind}.{fmt}"'
    response["Content-Language"] = report.language
    return response


def table(caption: str, columns: list[tuple[str, str, str]], rows: list[dict], note: str = "") -> Table:
    """A document table from (field, title, format) triples — format as in core.charts: text, label:<kind>,
    count, percent[:digits], number[:digits]."""
    return Table(caption=caption, columns=[Column(f, t, fmt or "text") for f, t, fmt in columns], rows=list(rows),
                 note=note)


def suppressed_row(labels: dict, figures: tuple[str, ...] | list[str] = (), *, reason: str | None = BELOW_MIN
                   ) -> dict:
    """A row whose figures are hidden (disclosure): its labels (e.g. the group's name) kept, each of `figures` set
    to None, `suppressed` true and the `reason` (stats.disclosure: "small", "protects", "empty") that renderers
    show instead of a number."""
    return {**labels, **{f: None for f in figures}, "suppressed": True, "reason": reason or BELOW_MIN}


def hide(row: dict, *fields: str, reason: str | None = BELOW_MIN) -> dict:
    """`row` with single figures hidden (their values removed, listed in `hidden`), the rest of the row shown."""
    hidden = [*(row.get("hidden") or ()), *fields]
    return {**row, **{f: None for f in fields}, "hidden": hidden, "reason": row.get("reason") or reason}
