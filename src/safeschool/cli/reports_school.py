"""`report school`: the profile report of one school, or of every school of a country, written into a folder as
<slug>.pdf and <slug>.html (the chart scripts once, in assets/), each in its school's language unless --language
says otherwise; the same document /reports/schools/<id>/ shows, with a progress bar over the schools. The reports
of several schools are written by one worker process per core."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import Annotated

import typer

from safeschool.cli._shell import console, fail, progress, setup_django
from safeschool.cli.reports import report_app

FORMATS = ("pdf", "html")
WORKERS = 4  # at most this many processes write reports side by side (one per core)
_JOB: dict = {}  # what every worker reads, set before they are forked: formats, folder, language, Hub catalogues


def _formats(text: str) -> list[str]:
    chosen = [f.strip().lower() for f in text.split(",") if f.strip()]
    wrong = [f for f in chosen if f not in FORMATS]
    if wrong or not chosen:
        raise fail(f"--format: '{text}' must list pdf, html or both (e.g. pdf,html)")
    return list(dict.fromkeys(chosen))


def _schools(school: str, country: str):
    from safeschool.web.research.models import Country, School

    found = School.objects.select_related("country", "rec")
    if school:
        one = found.filter(pk=int(school)) if school.isdigit() and len(school) < 10 else found.filter(code=school)
        if not one.exists():
            raise fail(f"--school: no school with the id or code '{school}'")
        return list(one)
    code = country.strip().upper()
    if not Country.objects.filter(code=code).exists():
        raise fail(f"--country: no country with the code '{country}'")
    schools = list(found.filter(country__code=code).order_by("code"))
    if not schools:
        raise fail(f"--country: {code} has no schools")
    return schools


def _write(pk: int) -> str:
    """Build one school's report and write its files (in a worker process, or in this one)."""
    from safeschool.files import write_atomic
    from safeschool.web.reports import render_html, render_pdf
    from safeschool.web.reports import school as school_report
    from safeschool.web.research.models import School

    one = School.objects.select_related("country", "rec").get(pk=pk)
    report = school_report.build(one, language=_JOB["language"], catalogue=_JOB["catalogues"][one.stage])
    # each file under a temporary name, then renamed: a full disk or a kill leaves no truncated report
    if "pdf" in _JOB["formats"]:
        write_atomic(_JOB["out"] / f"{report.slug}.pdf", render_pdf.pdf(report))
    if "html" in _JOB["formats"]:
        write_atomic(_JOB["out"] / f"{report.slug}.html", render_html.standalone(report, assets="assets"))
    return one.code


def _warm_up() -> None:
    """Read once, before the workers fork, what every report reads: the questionnaire and the site's addresses."""
    from django.urls import reverse

    from safeschool.web.selfeval.selectors_plans import questionnaire

    questionnaire()
    reverse("reports:school", args=[1])


@report_app.command("school")
def school(
    out: Annotated[Path, typer.Option("--out", help="The folder to write into: <slug>.pdf and <slug>.html per "
                                                    "school (e.g. school-IT-S001-it.pdf), the chart scripts in "
                                                    "assets/.")],
    school_id: Annotated[str, typer.Option("--school", help="One school: its id (as in /schools/<id>/) or its "
                                                            "code.")] = "",
    country: Annotated[str, typer.Option("--country", help="Every school of a country: its code, e.g. IT.")] = "",
    language: Annotated[str, typer.Option("--language", help="A language of the interface (en, es, it, pt, el, ro, "
                                                             "pl); default: each school's own.")] = "",
    formats: Annotated[str, typer.Option("--format", help="Which files: pdf, html or pdf,html.")] = "pdf,html",
) -> None:
    """Write school profile reports: security, belonging, engagement and outcomes by wave and group (small groups
    hidden), self-evaluation, label, action plan and recommended practices. Give exactly one of --school and
    --country."""
    if bool(school_id.strip()) == bool(country.strip()):
        raise fail("give exactly one of --school ID and --country CODE")
    chosen = _formats(formats)
    setup_django()
    from django.conf import settings
    from django.db import connections

    from safeschool.web.reports import render_html
    from safeschool.web.selfeval.selectors_reports import catalogue

    languages = [code for code, _name in settings.LANGUAGES]
    if language and language not in languages:
        raise fail(f"--language: '{language}' is not one of {', '.join(languages)}")
    schools = _schools(school_id.strip(), country)
    started = time.perf_counter()
    _JOB.update(formats=chosen, out=out, language=language or None,
                catalogues={stage: catalogue(stage) for stage in sorted({s.stage for s in schools})})
    workers = min(WORKERS, os.cpu_count() or 1, len(schools))
    pks = [s.pk for s in schools]
    try:
        out.mkdir(parents=True, exist_ok=True)
        if "html" in chosen:
            render_html.write_assets(out / "assets")
        _warm_up()
        with contextlib.ExitStack() as stack:
            if workers > 1:
                import multiprocessing

                connections.close_all()  # each worker opens its own
                pool = stack.enter_context(multiprocessing.get_context("fork").Pool(workers))
                written = pool.imap_unordered(_write, pks)
            else:
                written = map(_write, pks)
            bar = stack.enter_context(progress())
            task = bar.add_task("School reports", total=len(pks))
            for code in written:
                bar.update(task, advance=1, description=f"School report {code}")
    except OSError as exc:
        raise fail(f"--out: cannot write into {out} ({exc.strerror})") from exc
    seconds = time.perf_counter() - started
    console.print(f"Wrote {len(pks)} school report{'s' if len(pks) != 1 else ''} ({', '.join(chosen)}) to {out} "
                  f"in {seconds:.1f} s.")
