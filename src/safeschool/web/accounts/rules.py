"""Role predicates shared by every app's rules.py."""

import rules

from safeschool.web.accounts.models import Role


def role_of(user) -> str | None:
    if not user or not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMIN
    profile = getattr(user, "profile", None)
    return profile.role if profile else Role.MEMBER


@rules.predicate
def is_admin(user) -> bool:
    return role_of(user) == Role.ADMIN


@rules.predicate
def is_researcher(user) -> bool:
    return role_of(user) == Role.RESEARCHER


@rules.predicate
def is_school_staff(user) -> bool:
    return role_of(user) == Role.STAFF


is_signed_in = rules.is_authenticated
