"""Writes for country reports: the analyses a country's report rests on (analysis.services stores them with their
parameters, analysis.execution runs them and keeps their provenance). The web asks for them and shows them as
being computed while the background worker runs them; the command line runs them at once."""

from __future__ import annotations

from collections.abc import Callable

from safeschool.web.analysis.execution import analysis_run_execute
from safeschool.web.analysis.models import AnalysisRun
from safeschool.web.analysis.services import analysis_run_store
from safeschool.web.reports import selectors_country
from safeschool.web.research.models import Country


def ensure_country_analyses(country: Country, *, user=None, run_now: bool = True,
                            progress: Callable[[str, AnalysisRun], None] | None = None) -> dict[str, AnalysisRun]:
    """Every analysis of the country's report, created when missing (one run each, reused afterwards).

    run_now: execute the unfinished ones here and now (the command line), calling `progress(key, run)` before
    each; otherwise a new run is queued for the background worker (the web page) and returned as it is."""
    runs = selectors_country.country_runs(country)
    for key, run in runs.items():
        if run is None:
            kind, parameters = selectors_country.analysis_request(country, key)
            run = analysis_run_store(kind=kind, parameters=parameters, user=user, enqueue=not run_now)
        if run_now and not run.finished:
            if progress is not None:
                progress(key, run)
            run = analysis_run_execute(run_id=run.pk)
        runs[key] = run
    return runs
