from django.contrib import admin

from safeschool.web.imports.models import ImportBatch, ItemText, SurveyResponse


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("pk", "file_name", "target", "status", "created_by", "created_at")
    list_filter = ("target", "status")
    readonly_fields = [f.name for f in ImportBatch._meta.fields]

    def has_add_permission(self, request):  # imports go through the import flow, which validates them
        return False


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ("pk", "instrument", "wave", "student", "teacher", "language")
    list_filter = ("instrument", "wave", "language")
    raw_id_fields = ("student", "teacher", "batch")


@admin.register(ItemText)
class ItemTextAdmin(admin.ModelAdmin):
    list_display = ("item", "instrument", "language")
    list_filter = ("instrument", "language")
    search_fields = ("item", "text")
