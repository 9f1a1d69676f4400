"""The demo's network: the demo "member" login at level (c), and about 300 members across stakeholder types,
levels, countries and topics, some under 16 with and without a parent's consent, three of them moderators. Made
through the join, consent and moderator services a person's actions go through."""

from __future__ import annotations

import random
from datetime import date

from django.contrib.auth import get_user_model

from safeschool.web.network.models import COUNTRIES, LANGUAGES, Level, Member, Sector, StakeholderType, Topic
from safeschool.web.network.services import (
    consent_give,
    member_join,
    member_moderator_set,
    member_profile_create,
)

FIRST = ["Ana", "Marco", "Eleni", "Ioana", "João", "Kasia", "Liam", "Noor", "Sofia", "Tomás", "Giulia", "Nikos",
         "Andrei", "Marta", "Pedro", "Zofia", "Aoife", "Luca", "Maria", "Dimitra"]
LAST = ["Rossi", "García", "Papadopoulou", "Popescu", "Silva", "Nowak", "Murphy", "Bianchi", "López", "Georgiou",
        "Ionescu", "Costa", "Kowalski", "Byrne", "Ferrari"]
ORGANISATIONS = {"scientific": "University", "teacher": "School", "school_board": "School board",
                 "policymaker": "Ministry of Education", "ngo": "Foundation", "practitioner": "Service",
                 "family": "", "student": ""}
MODERATORS = 3  # the first demo members moderate the network


def demo_members_ensure(n: int = 300, seed: int = 11) -> int:
    """Make the members that are missing (idempotent); returns how many were made now."""
    User = get_user_model()
    demo_login = User.objects.filter(username="member", member__isnull=True).first()
    if demo_login is not None:  # the demo's "member" login takes part at level (c): co-creation, Delphi panels
        member_profile_create(user=demo_login, consent=True, display_name="Demo Member", stakeholder_type="family",
                              sector="", country="IT", organisation="", languages=["en", "it"],
                              topics=["attachment"], level="c", birth_year=date.today().year - 40,
                              directory={"in_directory": True, "show_country": True})
    if Member.objects.filter(user__username__startswith="member-").count() >= n:
        return 0
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    rng = random.Random(seed)
    countries = [c for c, _ in COUNTRIES[:8]]
    made = 0
    for i in range(1, n + 1):
        username = f"member-{i:03d}"
        kind = rng.choices(StakeholderType.values, weights=[12, 10, 14, 22, 8, 6, 10, 18])[0]
        adult_year = date.today().year - rng.randint(19, 66)
        year = date.today().year - rng.randint(12, 17) if kind == "student" else adult_year
        country = rng.choice(countries)
        profile = {
            "display_name": f"{rng.choice(FIRST)} {rng.choice(LAST)}", "stakeholder_type": kind,
            "sector": rng.choice(Sector.values) if kind == "practitioner" else "", "country": country,
            "organisation": f"{ORGANISATIONS[kind]} ({country})" if ORGANISATIONS[kind] else "",
            "languages": sorted({"en", rng.choice([c for c, _ in LANGUAGES[:6]])}),
            "topics": rng.sample(Topic.values, rng.randint(1, 3)),
            "level": rng.choices(Level.values, weights=[40, 25, 25, 10])[0], "birth_year": year,
            "directory": {"in_directory": rng.random() < 0.6, "show_organisation": rng.random() < 0.7,
                          "show_country": rng.random() < 0.8, "show_type": rng.random() < 0.8,
                          "show_topics": rng.random() < 0.5}}
        parent = rng.random() < 0.7
        if User.objects.filter(username=username).exists():
            continue  # the draws above keep every later member the same when an earlier one exists
        # no password: demo members do not sign in (hashing 300 passwords would take minutes)
        member = member_join(username=username, password=None, email=f"{username}@example.org", consent=True,
                             **profile)
        if member.is_minor and parent:
            consent_give(member=member, kind="parental", given_by=f"Parent of {member.display_name}")
        if i <= MODERATORS and admin is not None:
            member_moderator_set(user=admin, member=member)
        made += 1
    return made
