"""Every co-creation permission walked through every role, participation level and consent case. The expected
matrix is written out here, apart from rules.py, so a change to a rule has to change the specification too."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.cocreation import fieldwork
from safeschool.web.network import services as network
from safeschool.web.research.services import staff_appoint

ADULT, CHILD = date.today().year - 35, date.today().year - 13
TEAM = {"researcher", "researcher_linked", "admin"}
# permission -> the people who hold it; everyone else (every member whatever their level or consent) does not
EXPECTED = {
    "cocreation.run_delphi": TEAM,
    "cocreation.run_interviews": TEAM,
    "cocreation.start_par_cycle": TEAM | {"staff_own"},  # object: the school
    "cocreation.work_on_par_cycle": {"admin", "staff_own", "researcher_linked"},  # object: the cycle
}
MEMBER_CASES = [f"member_{level}_{situation}" for level in "abcd"
                for situation in ("adult", "withdrawn", "minor", "minor_with_parent")]
PEOPLE = ["anonymous", *MEMBER_CASES, "staff_own", "staff_other", "researcher", "researcher_linked", "admin"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def _member(name: str, level: str, situation: str):
    member = network.member_join(username=name, password="pw-long-enough-1", email=f"{name}@example.org",
                                 display_name=name, stakeholder_type="teacher", country="IT", level=level,
                                 birth_year=CHILD if situation.startswith("minor") else ADULT, consent=True)
    if situation == "withdrawn":
        network.consent_withdraw(member=member, kind="membership")
    if situation == "minor_with_parent":
        network.consent_give(member=member, kind="parental", given_by="A parent")
    return member.user


@pytest.fixture
def people(loaded, school, other_school):
    made = {"anonymous": AnonymousUser()}
    for case in MEMBER_CASES:
        _, level, situation = case.split("_", 2)
        made[case] = _member(case.replace("_", "-"), level, situation)
    for name, role in (("staff_own", Role.STAFF), ("staff_other", Role.STAFF), ("researcher", Role.RESEARCHER),
                       ("researcher_linked", Role.RESEARCHER), ("admin", Role.ADMIN)):
        made[name] = user_create(username=name, password="pw-long-enough-1", role=role)
    staff_appoint(user=made["staff_own"], school=school)
    staff_appoint(user=made["staff_other"], school=other_school)
    User = get_user_model()
    # fresh objects: no relation cached from setting them up
    return {k: (User.objects.get(pk=u.pk) if u.is_authenticated else u) for k, u in made.items()}


@pytest.mark.django_db
def test_every_cocreation_permission_for_every_role_level_and_consent(people, school):
    cycle = fieldwork.cycle_start(user=people["staff_own"], school=school, title="Check-in", goal="Attendance",
                                  researchers=[people["researcher_linked"]])
    objects = {"cocreation.start_par_cycle": school, "cocreation.work_on_par_cycle": cycle}
    assert set(PEOPLE) == set(people)
    wrong = [f"{who} {'has' if not allowed else 'lacks'} {perm}"
             for perm, holders in EXPECTED.items() for who in PEOPLE
             if (allowed := who in holders) != people[who].has_perm(perm, objects.get(perm))]
    assert wrong == []


@pytest.mark.django_db
def test_par_pages_follow_the_rules(client, people, school):
    cycle = fieldwork.cycle_start(user=people["researcher_linked"], school=school, title="Mentors", goal="Belonging")
    for who in ("staff_own", "researcher_linked", "admin", "staff_other", "researcher", "member_d_adult"):
        client.force_login(people[who])
        page = client.get(f"/cocreation/par/{cycle.pk}/")
        assert page.status_code == (200 if who in EXPECTED["cocreation.work_on_par_cycle"] else 403), who
    client.force_login(people["staff_other"])  # a school that is not theirs is not offered, and a forged post fails
    assert school.name not in client.get("/cocreation/par/").content.decode()
    assert client.post("/cocreation/par/", {"school": school.pk, "title": "x", "goal": "y"}).status_code == 404
