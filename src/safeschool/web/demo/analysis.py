"""The demo's analysis: one ecological decomposition of achievement, queued for the demo researcher through the
same service as the analysis page."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from safeschool.web.analysis.models import AnalysisRun
from safeschool.web.analysis.selectors import analysis_run_list
from safeschool.web.analysis.services import analysis_run_create


def demo_analysis_ensure() -> AnalysisRun | None:
    """Queue the run if no analysis exists yet (the worker started by `safeschool demo` runs it)."""
    if analysis_run_list().exists():
        return None
    researcher = get_user_model().objects.filter(username="researcher").first()
    if researcher is None:
        return None
    return analysis_run_create(user=researcher, kind="ecological", parameters={"outcome": "achievement"})
