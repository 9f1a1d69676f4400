"""User admin with the platform role inline; feature apps extend it (research adds school appointments)."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from safeschool.web.accounts.models import Profile


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    verbose_name = "platform role"


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class SafeschoolUserAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "email", "role", "is_active"]
    list_select_related = ["profile"]

    @admin.display(description="role")
    def role(self, user):
        profile = getattr(user, "profile", None)
        return "Administrator" if user.is_superuser else (profile.get_role_display() if profile else "Network member")


RESEARCH_DATA_READ_ONLY = ("Research data is read-only here: changes go through imports (and the co-creation pages), "
                           "which are validated, audited and can be undone.")


class ResearchDataAdmin(admin.ModelAdmin):
    """Research data (students, scales, outcomes, ratings, imports…) can be looked at in the admin, never added,
    changed or deleted there: an edit here would skip validation and the import audit trail, and could not be undone."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"subtitle": RESEARCH_DATA_READ_ONLY, **(extra_context or {})})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url,
                                       {"subtitle": RESEARCH_DATA_READ_ONLY, **(extra_context or {})})
