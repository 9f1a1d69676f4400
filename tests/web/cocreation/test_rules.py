"""Every co-creation permission walked through every role, participation level and consent case. The expected
matrix is written out here, apart from rules.py, so a change to a rule has to change the specification too."""

from __future__ import annotations

from datetime import date

import pytest
import rules
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.cocreation import fieldwork, services
from safeschool.web.cocreation.models import Panellist
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
    # object: a study on whose panel every member case sits (they were invited when eligible): only those still at
    # level (c) or (d) with current consent (and a parent's, under 16) rate; nobody else, whatever their role
    "cocreation.rate": {"member_c_adult", "member_c_minor_with_parent", "member_d_adult", "member_d_minor_with_parent"},
    # object: an interviewee at level (d) with consent: the research team interviews them
    "cocreation.interview_member": TEAM,
}
# cocreation.interview_member walked the other way: a researcher asks to interview each member case
INTERVIEWABLE = {"member_c_adult", "member_c_minor_with_parent", "member_d_adult", "member_d_minor_with_parent"}
CONSENT_BINDS = {"cocreation.rate", "cocreation.interview_member"}
MEMBER_CASES = [f"member_{level}_{situation}" for level in "abcd"
                for situation in ("adult", "withdrawn", "minor", "minor_with_parent")]
PEOPLE = ["anonymous", *MEMBER_CASES, "staff_own", "staff_other", "researcher", "researcher_linked", "admin"]


def _holds(user, perm: str, obj) -> bool:
    """What the services check: the rule itself for those a member's consent binds (superusers included, so
    `rules.has_perm`), Django's has_perm (superusers hold everything) for the rest."""
    return rules.has_perm(perm, user, obj) if perm in CONSENT_BINDS else user.has_perm(perm, obj)


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
    study = services.study_create(user=people["researcher"], title="Principles", rule={"name": "comet"})
    for case in MEMBER_CASES:  # on the panel whatever they are now: the rule, not the invitation, decides
        Panellist.objects.create(study=study, member=people[case].member, group="teacher")
    objects = {"cocreation.start_par_cycle": school, "cocreation.work_on_par_cycle": cycle,
               "cocreation.rate": study, "cocreation.interview_member": people["member_d_adult"].member}
    assert set(PEOPLE) == set(people)
    wrong = [f"{who} {'has' if not allowed else 'lacks'} {perm}"
             for perm, holders in EXPECTED.items() for who in PEOPLE
             if (allowed := who in holders) != _holds(people[who], perm, objects.get(perm))]
    assert wrong == []
    other = services.study_create(user=people["researcher"], title="Nobody's panel", rule={"name": "comet"})
    assert [who for who in PEOPLE if _holds(people[who], "cocreation.rate", other)] == []
    wrong = [f"{case} {'is' if case not in INTERVIEWABLE else 'is not'} interviewable by {who_asks}"
             for case in MEMBER_CASES for who_asks in ("researcher", "admin")
             if (case in INTERVIEWABLE) != _holds(people[who_asks], "cocreation.interview_member", people[case].member)]
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
