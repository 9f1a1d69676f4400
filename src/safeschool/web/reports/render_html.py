"""A document (publishing.document.Report) as HTML: the site's page (core/base.html, the site's Vega-Lite charts
with their data tables) and a complete file for `--out` or a download (the same body, the site's CSS inlined,
print rules, the chart scripts beside it in an assets directory or inlined). Every figure in a table is written by
core.formatting through the column's format (core.charts.formatted): a hidden cell shows why, never a number."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from safeschool.publishing.document import Facts, Figure, Links, Notice, Paragraph, Report, Table
from safeschool.web.core import charts, vega
from safeschool.web.core.languages import language_name
from safeschool.web.core.templatetags.safeschool import uses_charts

SCRIPTS = ("vendor/vega.min.js", "vendor/vega-lite.min.js", "vendor/vega-embed.min.js", "core/charts.js")
STYLES = ("vendor/pico.min.css", "core/site.css", "reports/document.css")
FIGURES = charts.FIGURES


def _static(path: str) -> Path:
    found = finders.find(path)
    if not found:
        raise FileNotFoundError(path)
    return Path(found)


def table_html(table: Table, uid: str) -> SafeString:
    """A visible table (its caption its name) that scrolls sideways in its own focusable box on a phone."""
    numeric = [c.format.split(":")[0] in FIGURES for c in table.columns]
    head = format_html_join("", '<th scope="col"{}>{}</th>', (
        (mark_safe(' class="num"') if num else "", c.title) for c, num in zip(table.columns, numeric, strict=True)))
    body = []
    for row in table.rows:
        cells = format_html_join("", '<td{} data-label="{}">{}</td>', (
            (mark_safe(' class="num"') if num else "", c.title, charts.formatted(row.get(c.field), c.format, row,
                                                                                 c.field))
            for c, num in zip(table.columns, numeric, strict=True)))
        body.append(format_html("<tr{}>{}</tr>", mark_safe(' class="suppressed-row"') if row.get("suppressed")
                                else "", cells))
    note = format_html('<p class="table-note"><small>{}</small></p>', table.note) if table.note else ""
    return format_html(
        '<div class="table-scroll" tabindex="0" role="region" aria-labelledby="{uid}">'
        '<table class="report-table table-cards"><caption id="{uid}">{caption}</caption><thead><tr>{head}</tr></thead>'
        '<tbody>{body}</tbody></table></div>{note}',
        uid=uid, caption=table.caption, head=head, body=mark_safe("".join(body)), note=note)


LINK_SCHEMES = ("", "http", "https", "mailto")


def absolute(url: str, base: str) -> str:
    """`url` resolved against the site's address `base` (a relative link in a file read away from the site); ""
    for an address that is not a web or mail address (javascript:, data:, file:), which no report links to."""
    if url and urlsplit(url.strip()).scheme.lower() not in LINK_SCHEMES:
        return ""
    return urljoin(base, url) if base and url else url


def _block(block, section_index: int, block_index: int, base: str = "") -> dict:
    uid = f"t{section_index}-{block_index}"
    if isinstance(block, Figure):
        return {"kind": "figure", "html": charts.figure_html(vega.spec(block), block.name),
                "note": block.note, "flags": vega.flag_notes(block)}
    if isinstance(block, Table):
        return {"kind": "table", "html": table_html(block, uid)}
    if isinstance(block, Paragraph):
        return {"kind": "paragraph", "text": block.text}
    if isinstance(block, Facts):
        return {"kind": "facts", "items": block.items}
    if isinstance(block, Links):
        return {"kind": "links", "items": [(text, absolute(url, base)) for text, url in block.items]}
    if isinstance(block, Notice):
        return {"kind": "notice", "text": block.text}
    raise TypeError(f"unknown block {type(block).__name__}")


def context(report: Report, *, downloads=(), languages=(), base_url: str = "") -> dict:
    """What reports/_document_body.html reads, built with the report's language active; relative links resolved
    against `base_url` when given."""
    with translation.override(report.language):
        sections = []
        for i, section in enumerate(report.sections, 1):
            anchor = section.anchor or slugify(section.title) or f"section-{i}"
            sections.append({"title": section.title, "anchor": f"s-{anchor}" if anchor[0].isdigit() else anchor,
                             "blocks": [_block(b, i, j, base_url) for j, b in enumerate(section.blocks, 1)]})
        generated = formats.date_format(report.generated_at, "DATE_FORMAT")
    provenance = [{"label": p.label, "detail": p.detail, "url": absolute(p.url, base_url)} for p in report.provenance]
    return {"report": report, "sections": sections, "provenance": provenance, "generated": generated, "downloads": list(downloads),
            "languages": [(code, language_name(code), url) for code, url in languages],
            "language_name": language_name(report.language)}


def page(request, report: Report, *, downloads=(), languages=(), template: str = "reports/document.html",
         extra: dict | None = None) -> HttpResponse:
    """The report as a page of the site: `downloads` (label, url) buttons, `languages` (code, url) links; a page
    that adds to the document (e.g. a brief's actions) names its own `template` (extending reports/document.html)
    and its `extra` context."""
    ctx = context(report, downloads=downloads, languages=languages) | (extra or {})
    with translation.override(report.language):  # the document in its language, the site around it in the reader's
        ctx["body"] = render_to_string("reports/_document_body.html", ctx)
    if report.figures():
        uses_charts({"request": request})
    html = render_to_string(template, ctx, request=request)
    response = HttpResponse(html)
    response["Content-Language"] = report.language
    return response


def _css() -> str:
    return "\n".join(_static(p).read_text(encoding="utf-8") for p in STYLES)


def _scripts(assets: str | None) -> SafeString:
    if assets is None:  # everything in the one file (a download from the site)
        return mark_safe("".join("<script>" + _static(p).read_text(encoding="utf-8").replace("</script", "<\\/script")
                                 + "</script>\n" for p in SCRIPTS))
    return mark_safe("".join(f'<script src="{assets.rstrip("/")}/{Path(p).name}"></script>\n' for p in SCRIPTS))


def standalone(report: Report, *, assets: str | None = "assets", base_url: str = "") -> str:
    """A complete HTML file: `<assets>/vega*.js` and charts.js beside it (write_assets), or every script inlined
    when `assets` is None; relative links resolved against `base_url` (the site's address) when given. Nothing
    is loaded from another site."""
    ctx = context(report, base_url=base_url) | {"css": mark_safe(_css().replace("</style", "<\\/style")),
                             "scripts": _scripts(assets), "standalone": True}
    with translation.override(report.language):
        return render_to_string("reports/standalone.html", ctx)


def write_assets(directory: Path) -> None:
    """Copy the chart scripts a standalone file loads into `directory` (made when missing; copied once)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for path in SCRIPTS:
        source, target = _static(path), directory / Path(path).name
        if not target.exists() or target.stat().st_size != source.stat().st_size:
            shutil.copyfile(source, target)
