from django.db.models import QuerySet

from safeschool.web.analysis.models import AnalysisRun


def analysis_run_list() -> QuerySet:
    return AnalysisRun.objects.select_related("created_by", "rerun_of")


def analysis_run_get(*, pk: int) -> AnalysisRun:
    return AnalysisRun.objects.select_related("created_by").get(pk=pk)
