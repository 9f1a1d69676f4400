"""User admin with the platform role and school appointments inline, so administrators give roles in one place."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from safeschool.web.accounts.models import Profile
from safeschool.web.research.models import StaffAppointment


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    verbose_name = "platform role"


class AppointmentInline(admin.TabularInline):
    model = StaffAppointment
    extra = 0
    raw_id_fields = ["school"]
    verbose_name = "school appointment"


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class SafeschoolUserAdmin(UserAdmin):
    inlines = [ProfileInline, AppointmentInline]
    list_display = ["username", "email", "role", "is_active"]
    list_select_related = ["profile"]

    @admin.display(description="role")
    def role(self, user):
        profile = getattr(user, "profile", None)
        return "Administrator" if user.is_superuser else (profile.get_role_display() if profile else "Network member")
