from django.contrib import admin

from safeschool.web.core.admin import ResearchDataAdmin
from safeschool.web.imports.models import ImportBatch, ImportChange, ItemText, SurveyResponse


@admin.register(ImportBatch)
class ImportBatchAdmin(ResearchDataAdmin):
    list_display = ("pk", "file_name", "target", "status", "created_by", "created_at")
    list_filter = ("target", "status")
    readonly_fields = [f.name for f in ImportBatch._meta.fields]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ResearchDataAdmin):
    list_display = ("pk", "instrument", "wave", "student", "teacher", "language")
    list_filter = ("instrument", "wave", "language")
    raw_id_fields = ("student", "teacher", "batch")


@admin.register(ImportChange)
class ImportChangeAdmin(ResearchDataAdmin):
    list_display = ("pk", "batch", "table")
    raw_id_fields = ("batch",)


@admin.register(ItemText)
class ItemTextAdmin(admin.ModelAdmin):
    list_display = ("item", "instrument", "language")
    list_filter = ("instrument", "language")
    search_fields = ("item", "text")
