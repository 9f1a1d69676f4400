"""/reports/: each reader finds the reports the rules give them and no others — staff their own school's report,
researchers every school's and every country's, signed-in readers the countries, everyone the published briefs
(editors the drafts too) and the annual reports by year; the main menu offers it to signed-in users."""

from __future__ import annotations

import annual_world
import pytest
from django.db import transaction
from django.test import override_settings

from safeschool.web.reports.selectors_site import index_for

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory, test_settings_for):
    with override_settings(**test_settings_for(tmp_path_factory.mktemp("reports-index"))), \
            django_db_blocker.unblock(), transaction.atomic():
        yield annual_world.build()
        transaction.set_rollback(True)


def listed(world, role: str) -> dict:
    from django.contrib.auth.models import AnonymousUser

    user = AnonymousUser() if role == "anonymous" else world.users[role]
    found = index_for(user)
    return {"schools": sorted(i["school"].code for i in found["schools"]),
            "countries": sorted(i["country"].code for i in found["countries"]),
            "briefs": sorted(i["brief"].slug for i in found["briefs"]),
            "years": [i["year"] for i in found["years"]]}


EXPECTED = {  # role -> (schools, countries, briefs)
    "anonymous": ([], [], ["brief-belonging"]),
    "member": ([], ["ES", "IT", "PT"], ["brief-belonging"]),
    "staff": (["AN-LS"], ["ES", "IT", "PT"], ["brief-belonging"]),
    "researcher": (["AN-LS", "AN-PR", "AN-US"], ["ES", "IT", "PT"], ["brief-belonging", "draft-brief"]),
    "admin": (["AN-LS", "AN-PR", "AN-US"], ["ES", "IT", "PT"], ["brief-belonging", "draft-brief"]),
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_finds_what_the_rules_give_it(world, role):
    found = listed(world, role)
    assert (found["schools"], found["countries"], found["briefs"]) == EXPECTED[role]
    # annual reports for everyone, from the first year with anything (a member joined last year) to this year
    assert found["years"] == [world.year, world.year - 1]


@pytest.mark.parametrize("role", ["anonymous", "staff", "researcher"])
def test_the_page_lists_them_with_links(world, client, role):
    if role != "anonymous":
        client.force_login(world.users[role])
    page = client.get("/reports/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f'href="/reports/annual/{world.year}/"' in text and "Brief on belonging" in text
    assert ("Draft brief" in text) is (role == "researcher")
    assert ("School AN-LS" in text) is (role != "anonymous")
    assert ("School AN-PR" in text) is (role == "researcher")
    menu = text.split('<ul class="nav-links">')[1].split("</ul>")[0]
    assert ('href="/reports/"' in menu) is (role != "anonymous")  # the main menu's entry, signed in only
    assert 'href="/reports/"' in text.split("<footer")[1]  # the footer's, for everyone

