"""`report country`: a country's profile report as a file (a tagged PDF, or an HTML file with its chart scripts in
assets/ beside it), the same document /reports/countries/<code>/ shows. The analyses it rests on are run here when
they have not been yet (progress on stderr), stored with their provenance and reused afterwards."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from safeschool.cli._shell import console, fail, progress, setup_django
from safeschool.cli.reports import language_checked, out_file, report_app, write_document

STEPS = {"variance_achievement": "Decomposing the variance of achievement",
         "variance_dropout": "Decomposing the variance of early leaving",
         "strata_dropout": "Comparing strata (MAIHDA) on early leaving"}


@report_app.command("country")
def country(
    code: Annotated[str, typer.Option("--country", help="The country's code in the registry, e.g. IT, EL.")],
    out: Annotated[Path, typer.Option("--out", help="The file to write: its suffix, .pdf or .html, decides the "
                                                    "format (.pdf when it has none).")],
    language: Annotated[str, typer.Option("--language", help="A language of the interface (en, es, it, pt, el, ro, "
                                                             "pl); default: the country's.")] = "",
) -> None:
    """Write a country's profile report: policies, early leaving against the EU target, the network's schools,
    where the variance sits and who is left behind."""
    out, suffix = out_file(out)
    setup_django()

    from safeschool.web.reports import country as country_report
    from safeschool.web.reports import services_country
    from safeschool.web.research.models import Country

    language_checked(language)
    found = Country.objects.filter(code=code.strip().upper()).first()
    if found is None:
        known = ", ".join(Country.objects.order_by("code").values_list("code", flat=True)) or "none loaded"
        raise fail(f"--country: no country '{code}' in the registry (known: {known})")
    with progress(transient=True) as bar:
        task = bar.add_task(f"Country report {found.code}", total=len(STEPS) + 2)

        def step(key, _run) -> None:
            bar.update(task, description=f"{STEPS.get(key, key)} ({found.code})")

        runs = services_country.ensure_country_analyses(found, run_now=True, progress=step)
        bar.update(task, completed=len(STEPS), description=f"Writing the report ({found.code})")
        report = country_report.build(found, language=language or None)
        bar.advance(task)
        write_document(report, out, suffix)
        bar.advance(task)
    failed = [STEPS[key] for key, run in runs.items() if run.status == "failed"]
    if failed:
        console.print(f"[yellow]Not computed:[/] {'; '.join(failed)} (the report says so; see the analysis pages)")
    console.print(f"Wrote {out}")
