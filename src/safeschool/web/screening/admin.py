"""The admin shows screening records read-only: models change state only through the services (approvals, the
gate, publication), and risk scores are never edited (the database refuses it)."""

from django.contrib import admin

from safeschool.web.screening.models import (
    FollowUp,
    ModelApproval,
    RiskModel,
    RiskScore,
    ScoringRun,
    SupportCapacity,
)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ApprovalInline(admin.TabularInline):
    model = ModelApproval
    extra = 0
    can_delete = False
    readonly_fields = ["user", "role", "approved_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RiskModel)
class RiskModelAdmin(ReadOnly):
    list_display = ["name", "version", "outcome", "algorithm", "status", "expires_on", "created_by", "created_at"]
    list_filter = ["outcome", "algorithm", "status"]
    exclude = ["estimator"]
    inlines = [ApprovalInline]


@admin.register(ScoringRun)
class ScoringRunAdmin(ReadOnly):
    list_display = ["id", "model", "cohort", "status", "n_scored", "created_at", "finished_at"]
    list_filter = ["status"]


@admin.register(RiskScore)
class RiskScoreAdmin(ReadOnly):
    list_display = ["id", "run", "student", "probability", "tier", "created_at"]
    list_filter = ["tier"]
    raw_id_fields = ["student"]


@admin.register(SupportCapacity)
class SupportCapacityAdmin(ReadOnly):
    list_display = ["school", "share", "updated_by", "updated_at"]


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnly):
    list_display = ["student", "who_acts", "review_on", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["student", "score"]
