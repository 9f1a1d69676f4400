"""The one place where a missing permission becomes a refusal (403); sign-in is required first."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext


def authorize(user, perm: str, obj=None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(gettext("You do not have permission to see this page (%(perm)s).") % {"perm": perm})
