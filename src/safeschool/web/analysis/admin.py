from django.contrib import admin

from safeschool.web.analysis.models import AnalysisRun


@admin.register(AnalysisRun)
class AnalysisRunAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "status", "created_by", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    readonly_fields = ["kind", "parameters", "status", "error", "result", "charts", "provenance", "task_id",
                       "rerun_of", "created_by", "created_at", "started_at", "finished_at"]
