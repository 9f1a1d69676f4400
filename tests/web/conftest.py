from __future__ import annotations

import pytest

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.research.models import School
from safeschool.web.research.services import cohort_load, staff_appoint

ROLES = ("anonymous", "member", "staff_own", "staff_other", "researcher", "admin")


@pytest.fixture
def loaded(db, cohort_dir):
    """The small cohort loaded through the real service."""
    return cohort_load(directory=cohort_dir)


@pytest.fixture
def school(loaded):
    return School.objects.order_by("code").first()


@pytest.fixture
def other_school(loaded):
    return School.objects.order_by("code").last()


@pytest.fixture
def users(loaded, school, other_school):
    made = {
        "member": user_create(username="m", password="pw-member-123", role=Role.MEMBER),
        "staff_own": user_create(username="so", password="pw-staff-123", role=Role.STAFF),
        "staff_other": user_create(username="sx", password="pw-staff-456", role=Role.STAFF),
        "researcher": user_create(username="r", password="pw-research-1", role=Role.RESEARCHER),
        "admin": user_create(username="a", password="pw-admin-1234", role=Role.ADMIN),
    }
    staff_appoint(user=made["staff_own"], school=school)
    staff_appoint(user=made["staff_other"], school=other_school)
    return made


@pytest.fixture
def client_as(client, users):
    def login(role: str):
        if role != "anonymous":
            client.force_login(users[role])
        return client

    return login
