"""Every Hub permission for every role: anonymous, members at levels a-d with and without consent, members under
16 with and without a parent's consent, community and network moderators (with and without consent), school
staff, researchers and administrators. The expected matrix is written out below, apart from the rules."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.hub import library_services
from safeschool.web.hub.models import Community, Practice
from safeschool.web.network import services as network
from safeschool.web.network.models import Member

pytestmark = pytest.mark.django_db

ADULT, CHILD = date.today().year - 30, date.today().year - 13
MEMBERS = [f"level_{level}{consent}" for level in "abcd" for consent in ("", "_withdrawn")]
MODERATORS = ["community_moderator", "community_moderator_withdrawn", "network_moderator",
              "network_moderator_withdrawn"]
ROLES = ["anonymous", *MEMBERS, "minor", "minor_with_parent", *MODERATORS, "staff", "researcher", "admin"]
# the specification, written out: who holds each permission; "@ours" is the community the community moderator
# moderates, "@other" another community, "@practice" a practice by someone else awaiting review
GRANTED = {
    "hub.review": {"network_moderator", "researcher", "admin"},
    "hub.curate": {"researcher", "admin"},
    "hub.view_moderation_queue": {"community_moderator", "community_moderator_withdrawn", "network_moderator",
                                  "admin"},
    "hub.moderate_community@ours": {"community_moderator", "network_moderator", "admin"},
    "hub.moderate_community@other": {"network_moderator", "admin"},
    # nobody here has joined "ours" or "other": only those who moderate a community write in it without joining
    "hub.write_in_community@ours": {"community_moderator", "network_moderator", "admin"},
    "hub.write_in_community@other": {"network_moderator", "admin"},
    "hub.review_practice@practice": {"network_moderator", "researcher", "admin"},
    "hub.view_practice_reviews@practice": {"network_moderator", "researcher", "admin"},
}
PRACTICE = {"title": "Mentoring for newcomers", "summary": "Older students mentor new arrivals.",
            "target_group": "students", "country": "ES", "language": "es", "level": "relational",
            "stages": ["lower_secondary"], "years_in_place": 4, "stakeholders_involved": "students, teachers",
            "funding": "school budget", "evaluation": "internal", "cost_band": "low", "licence": "cc-by"}


def join(name: str, level: str = "c", year: int = ADULT) -> Member:
    return network.member_join(username=name, password="pw-long-enough-1", email=f"{name}@example.org",
                               display_name=name.title(), stakeholder_type="teacher", country="ES",
                               birth_year=year, level=level, consent=True)


def user_in_role(role: str, ours: Community):
    if role == "anonymous":
        return AnonymousUser()
    if role in ("staff", "researcher", "admin"):  # accounts without a network profile
        return user_create(username=role, password="pw-long-enough-1", role=Role(role))
    member = join(role, level=role[len("level_")] if role.startswith("level_") else "a",
                  year=CHILD if role.startswith("minor") else ADULT)
    if role == "minor_with_parent":
        network.consent_give(member=member, kind="parental", given_by="Maria Rossi")
    if role.startswith("community_moderator"):
        ours.moderators.add(member)
    if role.startswith("network_moderator"):
        Member.objects.filter(pk=member.pk).update(moderator=True)
    if role.endswith("_withdrawn"):
        network.consent_withdraw(member=member, kind="membership")
    return get_user_model().objects.get(pk=member.user.pk)  # fresh: no cached relations


def test_the_matrix_names_every_role_it_grants():
    assert set().union(*GRANTED.values()) <= set(ROLES)


@pytest.mark.parametrize("perm", sorted(GRANTED))
@pytest.mark.parametrize("role", ROLES)
def test_hub_permissions(role, perm):
    ours, other = Community.objects.get(slug="topic-inclusive"), Community.objects.get(slug="country-it")
    practice = library_services.practice_submit(user=join("author").user, **PRACTICE)
    name, _, target = perm.partition("@")
    obj = {"": None, "ours": ours, "other": other, "practice": practice}[target]
    assert user_in_role(role, ours).has_perm(name, obj) is (role in GRANTED[perm])


@pytest.mark.parametrize("role", [*MEMBERS, "minor", "minor_with_parent"])
def test_joining_a_community_lets_a_member_write_in_it_level_and_consent_permitting(role):
    ours = Community.objects.get(slug="topic-inclusive")
    user = user_in_role(role, ours)
    ours.members.add(user.member)
    assert user.has_perm("hub.write_in_community", ours)  # the membership side; the network's side is separate:
    assert user.has_perm("network.post_in_community") is (not role.endswith("_withdrawn") and role != "minor")
    assert not user.has_perm("hub.write_in_community", Community.objects.get(slug="country-it"))


def test_authors_see_the_reviews_of_their_practice_but_never_review_it():
    author = join("author")
    Member.objects.filter(pk=author.pk).update(moderator=True)  # a reviewer, too
    user = get_user_model().objects.get(pk=author.user.pk)
    practice = library_services.practice_submit(user=user, **PRACTICE)
    assert user.has_perm("hub.review") and user.has_perm("hub.view_practice_reviews", practice)
    assert not user.has_perm("hub.review_practice", practice)
    reviewer = user_in_role("researcher", Community.objects.first())
    assert reviewer.has_perm("hub.review_practice", practice)
    Practice.objects.filter(pk=practice.pk).update(status=Practice.Status.RETURNED)
    practice.refresh_from_db()
    assert not reviewer.has_perm("hub.review_practice", practice)  # only a practice awaiting review
