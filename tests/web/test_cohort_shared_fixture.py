"""The `cohort_shared` fixture (tests/web/conftest.py): the tests of a class share one load, yet each starts from
the freshly loaded state, whatever an earlier test of the class wrote. The tests run in the order written."""

from __future__ import annotations

import pytest

from safeschool.web.accounts.models import Profile
from safeschool.web.accounts.services import profile_language_set
from safeschool.web.research.models import Student


@pytest.mark.usefixtures("cohort_shared")
class TestOneLoadForTheClass:
    def test_a_test_changes_users_and_data(self, users, loaded):
        assert Student.objects.count() == loaded.totals["students"] > 0
        profile_language_set(user=users["member"], language="el")
        users["admin"].username = "renamed"
        users["admin"].save()
        Student.objects.all().delete()

    def test_the_next_test_finds_none_of_it(self, users, loaded):
        assert Student.objects.count() == loaded.totals["students"] > 0
        assert users["admin"].username == "a"
        assert Profile.objects.get(user=users["member"]).language == ""
        assert {name: user.username for name, user in users.items()} == {
            "member": "m", "staff_own": "so", "staff_other": "sx", "researcher": "r", "admin": "a"}


def test_outside_the_class_the_cohort_is_loaded_afresh(users, loaded):
    assert Student.objects.count() == loaded.totals["students"] > 0 and not loaded.already_loaded
