"""Fixtures of the trial-design, power and protocol page tests: a 12-school cohort with two waves, one user per role and
an intervention, built once per test module; English and a small bootstrap on every test (helpers: design_world)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from design_world import SIZES
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import override_settings
from django.utils import translation

from safeschool.cohort import CohortConfig, simulate
from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.interventions import power_web
from safeschool.web.interventions.models import Intervention, InterventionVersion
from safeschool.web.research.models import School
from safeschool.web.research.services import cohort_load, staff_appoint


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory, test_settings_for):
    """A 12-school cohort, one user per role and an intervention, made once for the module inside a transaction
    that each test runs in as a savepoint (rolled back after the module)."""
    home, directory = tmp_path_factory.mktemp("trials-home"), tmp_path_factory.mktemp("trials-cohort")
    simulate(CohortConfig(sizes=SIZES, seed=11)).write(directory)
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(**test_settings_for(home)):
                cohort_load(directory=directory)
                schools = list(School.objects.order_by("code"))
                users = {role: user_create(username=f"t-{role}", password="pw-trials-12345", role=kind)
                         for role, kind in (("member", Role.MEMBER), ("staff_own", Role.STAFF),
                                            ("staff_other", Role.STAFF), ("researcher", Role.RESEARCHER),
                                            ("admin", Role.ADMIN))}
                staff_appoint(user=users["staff_own"], school=schools[0])
                staff_appoint(user=users["staff_other"], school=schools[-1])
                intervention = Intervention.objects.create(name="Check and connect", why="Attachment to school",
                                                           outcomes=["achievement", "exclusion"])
                InterventionVersion.objects.create(intervention=intervention, number=1, snapshot={})
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield SimpleNamespace(users={k: u.pk for k, u in users.items()}, intervention=intervention.pk,
                              schools=[s.pk for s in schools])
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _fast_english(monkeypatch, settings):
    monkeypatch.setattr(power_web, "N_BOOT", 20)  # the same estimate, a coarser interval
    # a cache outside the rolled-back transaction: the module's pages share one estimate per selection
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "trials-tests"}}
    with translation.override("en"):
        yield


@pytest.fixture
def as_role(db, client, world):
    def login(role: str):
        client.logout()
        if role != "anonymous":
            client.force_login(get_user_model().objects.get(pk=world.users[role]))
        return client
    return login
