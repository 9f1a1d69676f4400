"""Writes for accounts: creating users with a role; the interface language a user chose."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from safeschool.web.accounts.models import Profile, Role


@transaction.atomic
def user_create(*, username: str, password: str | None, role: str, email: str = "", first_name: str = "") -> object:
    """Create a user with a platform role; administrators also get Django admin access. Without a password the
    account cannot sign in until one is set (a password reset)."""
    if role not in Role.values:
        raise ValueError(f"unknown role '{role}' (choose from {', '.join(Role.values)})")
    User = get_user_model()
    user = User(username=username, email=email, first_name=first_name)
    user.is_staff = user.is_superuser = role == Role.ADMIN
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.full_clean()
    user.save()
    Profile.objects.create(user=user, role=role)
    return user


def profile_language_set(*, user, language: str) -> Profile:
    """Save the interface language a signed-in user chose ('' to follow the browser); an unknown code is refused."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("'%(code)s' is not one of this site's languages.") % {"code": language}})
    profile = Profile.objects.filter(user=user).first()
    if profile is None:  # e.g. a superuser made with createsuperuser: administrators whatever the profile says
        profile = Profile(user=user, role=Role.ADMIN if user.is_superuser else Role.MEMBER)
    profile.language = language
    profile.full_clean()
    profile.save()
    return profile
