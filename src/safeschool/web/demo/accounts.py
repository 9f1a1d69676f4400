"""The demo's logins, one per role, made through the accounts and research services; the staff login works at a
lower-secondary school, where early leaving starts to matter."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.research.models import School
from safeschool.web.research.services import staff_appoint

DEMO_ACCOUNTS = (
    ("admin", Role.ADMIN, "everything, Django admin"),
    ("researcher", Role.RESEARCHER, "every school's student records"),
    ("staff", Role.STAFF, "their own school's student records"),
    ("member", Role.MEMBER, "school and country profiles, small groups hidden"),
)


def demo_password(username: str) -> str:
    return f"safeschool-{username}"


def demo_users_ensure() -> list[dict]:
    """Create the demo accounts if missing (the staff account works at the first school) and describe them."""
    User = get_user_model()
    schools = School.objects.order_by("country__name", "code")
    school = schools.filter(stage="lower_secondary").first() or schools.first()
    accounts = []
    for username, role, what in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(username=username, password=demo_password(username), role=role)
        if role == Role.STAFF and school is not None:
            staff_appoint(user=user, school=school, position="school leader")
        accounts.append({"username": username, "password": demo_password(username), "role": role.label,
                         "what": what + (f" ({school.name})" if role == Role.STAFF and school else "")})
    return accounts
