"""Writes for accounts: creating users with a role."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

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
