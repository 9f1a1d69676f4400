"""The label in Django's admin: applications with their evidence and reviews, and awards. Revoking goes through
the service (an admin action asks nothing, so the reason is the standard one; the application page asks for it)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext, gettext_lazy

from safeschool.web.label import services
from safeschool.web.label.models import Application, Award, Evidence, Review


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    raw_id_fields = ("uploaded_by",)


class ReviewInline(admin.TabularInline):
    model = Review
    extra = 0
    raw_id_fields = ("reviewer",)


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("school", "level", "status", "submitted_at", "decided_level")
    list_filter = ("level", "status")
    search_fields = ("school__name", "school__code")
    raw_id_fields = ("school", "campaign", "action_plan", "par_cycle", "submitted_by", "renews", "decided_by")
    inlines = [EvidenceInline, ReviewInline]


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    list_display = ("school", "level", "awarded_on", "valid_until", "verification_code", "revoked_at",
                    "reminder_sent_on")
    list_filter = ("level",)
    search_fields = ("school__name", "verification_code")
    raw_id_fields = ("application", "school")
    actions = ["revoke"]

    @admin.action(description=gettext_lazy("Revoke the selected labels"))
    def revoke(self, request, queryset):
        for award in queryset:
            try:
                services.award_revoke(user=request.user, award=award,
                                      reason=gettext("Revoked by an administrator."))
            except (PermissionDenied, ValidationError) as exc:
                self.message_user(request, f"{award}: {' '.join(getattr(exc, 'messages', [str(exc)]))}",
                                  messages.WARNING)
