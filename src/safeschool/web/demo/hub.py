"""The demo's Hub: communities with members, posts, an event, comments and one open report (for the moderation
queue); programmes, policies, documents, wiki pages and practices in every review state. Made through the Hub's
services, by members whose level and consent allow each action."""

from __future__ import annotations

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import slugify

from safeschool.vocabulary import LEVELS
from safeschool.web.hub import library_services as library
from safeschool.web.hub import services as communities
from safeschool.web.hub.models import PRINCIPLES, Community, Post, Programme
from safeschool.web.network.models import Member

POSTS = [  # (community topic, kind, title, body, the language they are written in)
    ("inclusive", "discussion", "Alternatives to exclusion that worked for us",
     "We replaced most fixed-term exclusions with restorative meetings and a mentor. What did you try?", "en"),
    ("attachment", "discussion", "Measuring belonging in primary school",
     "Has anyone used the PSSM with 9-year-olds? We are unsure about the reverse-keyed items.", "en"),
    ("gender", "event", "Workshop: safe-teaching competencies",
     "A half-day workshop for teachers on gender-responsive classroom practice.", "en"),
    ("economics", "share", "Costing early leaving: a short guide",
     "A guide to estimating what early school leaving costs a region, and what prevention saves.", "en"),
    ("attachment", "discussion", "Teacher-student closeness after transition",
     "Our STRS closeness scores drop after the move to secondary. Ideas for the first term?", "en"),
    ("inclusive", "discussion", "Alumnado mentor en el primer curso de la ESO",
     "En nuestro instituto, el alumnado de 4.º acompaña a los de 1.º durante el primer trimestre. "
     "¿Alguien lo ha evaluado con datos de asistencia?", "es"),
    ("attachment", "discussion", "L'accoglienza nella prima settimana di scuola media",
     "Quest'anno abbiamo provato una settimana di accoglienza con attività in piccoli gruppi e un docente di "
     "riferimento per ogni classe. Quali esperienze avete?", "it"),
]
REPLIES = ["Thank you, this is useful.", "We had the same experience in our school.", "Could you share the materials?",
           "Our network in the region is trying this too."]
PROGRAMMES = [
    ("Check & Connect mentoring", "US model adapted in IT and ES: a monitor follows attendance and engagement and "
     "meets the student weekly.", "IT", "relational", "strong", "students"),
    ("Restorative practice in secondary schools", "Circles and restorative meetings replace most exclusions.", "UK",
     "community", "moderate", "whole_school"),
    ("Nurture groups", "Small classes for children with unmet attachment needs, with a return to the main class.",
     "UK", "relational", "promising", "students"),
    ("Second-chance school pathways", "Flexible schedules, individual plans and work placements.", "PT", "community",
     "promising", "students"),
    ("Family-school partnership teams", "Teams of teachers, parents and a social worker in each school.", "EL",
     "community", "rationale", "families"),
    ("Teacher mentoring for safe teaching", "Peer coaching on classroom climate and gender-responsive teaching.",
     "ES", "relational", "moderate", "teachers"),
    ("Early warning dashboards", "Attendance, behaviour and grades flag students at risk each month.", "RO",
     "community", "promising", "leaders"),
    ("Inclusive tracking reform", "Later tracking and support classes instead of grade repetition.", "PL",
     "political", "moderate", "whole_school"),
]
DEMO_SUMMARY = "Summary written for the demo; see the national sources for the text."
POLICIES = [  # (title, country, level, year, language, summary): some described in the country's own language
    ("Piano nazionale contro la dispersione scolastica", "IT", "political", 2022, "it",
     "Sintesi scritta per la demo; il testo completo è nelle fonti nazionali."),
    ("Educação inclusiva: regime jurídico (Decreto-Lei n.º 54/2018)", "PT", "political", 2018, "pt",
     "Resumo escrito para a demonstração; o texto integral está nas fontes nacionais."),
    ("Plan regional de convivencia escolar", "ES", "community", 2021, "es",
     "Resumen redactado para la demostración; el texto completo está en las fuentes oficiales."),
    ("Alternatives-to-exclusion guidance", "UK", "community", 2019, "en", DEMO_SUMMARY),
    ("Teacher wellbeing programme", "EL", "relational", 2023, "en", DEMO_SUMMARY),
    ("Roma inclusion in schools action plan", "RO", "political", 2021, "en", DEMO_SUMMARY),
    ("Individual learning plans for students at risk", "PL", "individual", 2020, "en", DEMO_SUMMARY)]
DOCUMENTS = [("Safe Education model: overview", "deliverable"), ("Guide to the school profile", "guide"),
             ("Early leaving in six countries: baseline report", "report")]
WIKI = [("Secure base", "concept", "A teacher can act as a secure base: a predictable, caring adult a student returns "
         "to.", "Students explore and learn more when they can count on that adult."),
        ("Sense of belonging", "concept", "Feeling accepted, respected and supported at school.",
         "It is measured in the platform with the PSSM (18 items)."),
        ("Restorative meeting", "practice", "A structured meeting after harm, with the people involved.",
         "It replaces exclusion when the school has trained facilitators.")]
PRACTICES = ["Morning check-in", "Peer mentoring", "Parent café", "Attendance buddies", "Calm corner", "Teacher tandem",
             "Youth council", "Transition week"]
# the review state each demo practice ends in ("submitted" with one acceptance: the 4th)
PRACTICE_STATES = ["accepted", "accepted", "accepted", "submitted", "submitted", "returned", "accepted", "submitted"]


def _allowed(members: list[Member], perm: str) -> list[Member]:
    return [m for m in members if m.user.has_perm(perm)]


def demo_communities_ensure(*, members: list[Member], admin, rng: random.Random) -> bool:
    """Members join the communities of their country and topics; each community's first member moderates it;
    five posts with replies and one report. Once: nothing is done when a post exists."""
    communities.communities_ensure()
    if Post.objects.exists() or not members:
        return False
    for community in Community.objects.all():
        pool = [m for m in members if m.country == community.country or community.topic in m.topics]
        for member in pool:
            communities.community_join(member=member, community=community)
        if pool and admin is not None:
            communities.community_moderator_add(user=admin, community=community, member=pool[0])
    topics = {c.topic: c for c in Community.objects.exclude(topic="")}
    now = timezone.now()
    for i, (topic, kind, title, body, language) in enumerate(POSTS):
        pool = _allowed([m for m in members if topic in m.topics],
                        "network.share_item" if kind == "share" else "network.post_in_community")
        post = communities.post_create(
            user=pool[i % len(pool)].user, community=topics[topic], kind=kind, title=title, body=body, language=language,
            link="https://example.org/guide" if kind == "share" else "",
            event_starts=now + timedelta(days=21) if kind == "event" else None,
            event_place="Online" if kind == "event" else "")
        for reply in rng.sample(pool, min(3, len(pool))):
            communities.comment_create(user=reply.user, post=post, body=rng.choice(REPLIES))
    first = Post.objects.order_by("pk").first()
    communities.report_create(user=members[-1].user, post=first, reason="Mentions a named student (please check)")
    return True


def demo_library_ensure(*, members: list[Member], curator, rng: random.Random) -> bool:
    """Programmes (signed off), policies, documents, wiki pages with two revisions, and practices in every review
    state. Once: nothing is done when a programme exists."""
    reviewers = _allowed([m for m in members if m.moderator], "hub.review")[:3]
    authors = _allowed([m for m in members if m.level in ("c", "d")], "network.submit_practice")[:12]
    if Programme.objects.exists() or curator is None or len(reviewers) < 3 or len(authors) < 2:
        return False
    for i, (title, summary, country, level, tier, group) in enumerate(PROGRAMMES):
        programme = library.programme_create(
            user=curator, title=title, summary=summary, country=country, level=level, tier=tier, target_group=group,
            language="en", stages=["lower_secondary", "upper_secondary"],
            fit={str(n): rng.choice([1, 2, 2]) for n in PRINCIPLES})
        for reviewer in reviewers[: 2 if i % 3 else 1]:
            library.programme_signoff(user=reviewer.user, programme=programme)
    for title, country, level, year, language, summary in POLICIES:
        library.policy_create(user=curator, title=title, country=country, level=level, year=year, language=language,
                              summary=summary)
    for title, kind in DOCUMENTS:
        text = f"{title}\n\nDemo document of the safeschool network.\n"
        library.document_upload(user=authors[0].user, file=ContentFile(text.encode(), name=f"{slugify(title)}.txt"),
                                title=title, kind=kind, country="IT", level="community", language="en",
                                summary="A demo document.")
    for title, kind, first, second in WIKI:
        revision = library.wiki_save(user=authors[0].user, title=title, kind=kind, language="en", body=first,
                                     note="first version")
        library.wiki_save(user=authors[1].user, page=revision.page, body=first + "\n\n" + second,
                          note="added measurement")
    for i, (title, state) in enumerate(zip(PRACTICES, PRACTICE_STATES, strict=True)):
        author = authors[i % len(authors)]
        practice = library.practice_submit(
            user=author.user, title=title, summary="A practice from the network's demo schools.",
            target_group=rng.choice(["students", "teachers", "families", "whole_school"]), country=author.country,
            language="en", level=rng.choice(LEVELS[:3]), stages=["primary"], years_in_place=rng.randint(1, 8),
            stakeholders_involved="teachers, students, parents", funding="school budget and a municipal grant",
            evaluation=rng.choice(["none", "internal", "external"]), cost_band=rng.choice(["low", "medium"]),
            licence="cc-by")
        fit = {str(n): rng.choice([1, 2]) for n in PRINCIPLES}
        others = [r for r in reviewers if r != author]
        if state == "accepted":
            for reviewer in others[:2]:
                library.practice_review(user=reviewer.user, practice=practice, decision="accept", fit=fit,
                                        tier="promising")
        elif state == "returned":
            library.practice_review(user=others[-1].user, practice=practice, decision="return", fit=fit,
                                    tier="rationale", comment="Please describe how you know it works.")
        elif i == 3:
            library.practice_review(user=others[0].user, practice=practice, decision="accept", fit=fit,
                                    tier="promising")
    return True


def demo_hub_ensure(seed: int = 11) -> bool:
    """The communities, then the databases; True when anything was made now."""
    User = get_user_model()
    members = list(Member.objects.filter(user__username__startswith="member-").select_related("user").order_by("pk"))
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    curator = User.objects.filter(username="researcher").first() or admin
    made = demo_communities_ensure(members=members, admin=admin, rng=random.Random(seed))
    return demo_library_ensure(members=members, curator=curator, rng=random.Random(5)) or made
