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
