from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy


class Role(models.TextChoices):
    MEMBER = "member", gettext_lazy("Network member")
    STAFF = "staff", gettext_lazy("School staff")
    RESEARCHER = "researcher", gettext_lazy("Researcher")
    ADMIN = "admin", gettext_lazy("Administrator")


class Profile(models.Model):
    """The platform role of a user. Superusers are administrators whatever this says."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    # the interface language chosen by the member; blank: follow the browser (then the switcher's cookie)
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="accounts_profile_role_valid"),
            models.CheckConstraint(condition=Q(language="") | Q(language__in=[c for c, _ in settings.LANGUAGES]),
                                   name="accounts_profile_language_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"
