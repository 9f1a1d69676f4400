"""Fixtures of the web tests: the small cohort loaded through the real service, its first and last school, one user
per role, and a client signed in as a role.

Loading the cohort is the costliest set-up of the suite, so it is cut two ways without changing what a test sees:
the cohort's files are read and validated once per session (they never change) and handed to the real
`cohort_load`, which still writes every row; and the tests of a class marked
`@pytest.mark.usefixtures("cohort_shared")` share one load and one set of users (a test there that asks only for
`loaded` finds the users too), made in a transaction that each test runs inside as a savepoint rolled back at its
end (Django's `setUpTestData`), so every test of the class still starts from exactly the freshly loaded state.
Only for non-transactional tests.
"""

from __future__ import annotations

from types import SimpleNamespace
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import override_settings

from safeschool.ingest.cohort_files import read_cohort_dir
from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.research import services as research_services
from safeschool.web.research.models import School
from safeschool.web.research.services import cohort_load, staff_appoint

ROLES = ("anonymous", "member", "staff_own", "staff_other", "researcher", "admin")


@pytest.fixture(scope="session")
def cohort_files(cohort_dir):
    """The small cohort's files read and validated once (about half the time of a load)."""
    return read_cohort_dir(cohort_dir)


def _load(cohort_dir, cohort_files):
    """`cohort_load` of the small cohort, reading its (unchanged) files from the session's copy."""
    def read(directory):
        assert directory == cohort_dir, directory
        return cohort_files

    with mock.patch.object(research_services, "read_cohort_dir", read):
        return cohort_load(directory=cohort_dir)


def _users_make(school, other_school) -> dict:
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


@pytest.fixture(scope="class")
def cohort_shared(django_db_setup, django_db_blocker, cohort_dir, cohort_files, tmp_path_factory, test_settings_for):
    """The loaded cohort and the users, made once for a class of tests inside a transaction rolled back after its
    last test. Outside a class it is made per test (pytest's class scope), which is harmless but gains nothing."""
    home = tmp_path_factory.mktemp("shared-home")
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(**test_settings_for(home)):
                result = _load(cohort_dir, cohort_files)
                made = _users_make(School.objects.order_by("code").first(), School.objects.order_by("code").last())
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield SimpleNamespace(loaded=result, user_pks={name: user.pk for name, user in made.items()})
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _shared(request):
    """The class's shared cohort if the test asked for it, else None."""
    if "cohort_shared" not in request.fixturenames:
        return None
    marker = request.node.get_closest_marker("django_db")
    if (marker is not None and marker.kwargs.get("transaction")) or {"transactional_db", "live_server"} & set(
            request.fixturenames):
        pytest.fail("cohort_shared is for non-transactional tests: a transactional test commits and flushes")
    return request.getfixturevalue("cohort_shared")


@pytest.fixture
def loaded(request, db, cohort_dir, cohort_files):
    """The small cohort loaded through the real service."""
    shared = _shared(request)
    return shared.loaded if shared is not None else _load(cohort_dir, cohort_files)


@pytest.fixture
def school(loaded):
    return School.objects.order_by("code").first()


@pytest.fixture
def other_school(loaded):
    return School.objects.order_by("code").last()


@pytest.fixture
def users(request, loaded, school, other_school):
    """One user per signed-in role; staff_own is staff of `school`, staff_other of `other_school`."""
    shared = _shared(request)
    if shared is None:
        return _users_make(school, other_school)
    User = get_user_model()  # fresh instances: nothing cached on them by an earlier test of the class
    return {name: User.objects.get(pk=pk) for name, pk in shared.user_pks.items()}


@pytest.fixture
def client_as(client, users):
    def login(role: str):
        if role != "anonymous":
            client.force_login(users[role])
        return client

    return login
