"""Hub databases: practices with two-reviewer acceptance, programme sign-offs, wiki revisions and diffs, uploads,
filters."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.hub import library_services as services
from safeschool.web.hub import selectors
from safeschool.web.hub.models import Document, Practice, Programme
from safeschool.web.network import services as network

pytestmark = pytest.mark.django_db
ADULT = date.today().year - 40
FIT = {1: 2, 2: 1, 3: 2, 4: 0, 5: 1}
PRACTICE = {"title": "Mentoring for newcomers", "summary": "Older students mentor new arrivals.",
            "target_group": "students", "country": "ES", "language": "es", "level": "relational",
            "stages": ["lower_secondary"], "years_in_place": 4, "stakeholders_involved": "students, teachers",
            "funding": "school budget", "evaluation": "internal", "cost_band": "low", "licence": "cc-by"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def member(name, level="c"):
    return network.member_join(username=name, password="pw-long-enough-1", email=f"{name}@example.org",
                               display_name=name.title(), stakeholder_type="teacher", country="ES",
                               birth_year=ADULT, level=level, consent=True).user


def reviewer(name):
    user = user_create(username=name, password="pw-long-enough-1", role=Role.RESEARCHER)
    network.member_profile_create(user=user, consent=True, display_name=name.title(), stakeholder_type="scientific",
                                  sector="", country="IT", organisation="University", languages=["en"],
                                  topics=[], level="c", birth_year=ADULT, directory={})
    return user


def test_practice_needs_level_c_and_two_accepts():
    with pytest.raises(PermissionDenied, match="level \\(c\\)"):
        services.practice_submit(user=member("low", level="b"), **PRACTICE)
    author = member("aut")
    practice = services.practice_submit(user=author, **PRACTICE)
    r1, r2 = reviewer("rev1"), reviewer("rev2")
    with pytest.raises(ValidationError, match="own practice"):
        services.practice_review(user=reviewer_of(author), practice=practice, decision="accept", fit=FIT,
                                 tier="promising")
    with pytest.raises(PermissionDenied):
        services.practice_review(user=member("peer"), practice=practice, decision="accept", fit=FIT, tier="promising")
    services.practice_review(user=r1, practice=practice, decision="accept", fit=FIT, tier="promising")
    with pytest.raises(ValidationError, match="already reviewed"):
        services.practice_review(user=r1, practice=practice, decision="accept", fit=FIT, tier="promising")
    practice.refresh_from_db()
    assert practice.status == "submitted"
    services.practice_review(user=r2, practice=practice, decision="accept", fit={**FIT, 4: 2}, tier="moderate")
    practice.refresh_from_db()
    assert practice.status == "accepted"
    rubric = selectors.practice_rubric(practice)
    assert rubric["means"][4] == 1.0 and rubric["means"][1] == 2.0 and rubric["tiers"] == ["moderate", "promising"]


def reviewer_of(user):
    """The author made a reviewer: still may not review their own practice."""
    from safeschool.web.accounts.models import Profile

    Profile.objects.filter(user=user).update(role=Role.RESEARCHER)
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=user.pk)


def test_returned_practices_are_resubmitted_and_reviewed_afresh():
    author = member("aut")
    practice = services.practice_submit(user=author, **PRACTICE)
    r1, r2, r3 = reviewer("r1"), reviewer("r2"), reviewer("r3")
    services.practice_review(user=r1, practice=practice, decision="accept", fit=FIT, tier="promising")
    with pytest.raises(ValidationError, match="what the author should change"):
        services.practice_review(user=r2, practice=practice, decision="return", fit=FIT, tier="rationale")
    services.practice_review(user=r2, practice=practice, decision="return", fit=FIT, tier="rationale",
                             comment="Add the evaluation results.")
    practice.refresh_from_db()
    assert practice.status == "returned"
    with pytest.raises(ValidationError, match="returned"):
        services.practice_review(user=r3, practice=practice, decision="accept", fit=FIT, tier="promising")
    services.practice_resubmit(user=author, practice=practice, summary="Now with results.")
    assert practice.round == 2 and practice.status == "submitted"
    services.practice_review(user=r3, practice=practice, decision="accept", fit=FIT, tier="promising")
    practice.refresh_from_db()
    assert practice.status == "submitted"  # r1's accept was for round 1
    services.practice_review(user=r1, practice=practice, decision="accept", fit=FIT, tier="promising")
    practice.refresh_from_db()
    assert practice.status == "accepted"


def test_practice_pages_show_only_what_each_may_see(client):
    author = member("aut")
    practice = services.practice_submit(user=author, **PRACTICE)
    other = member("oth", level="a")
    client.force_login(other)
    assert client.get(reverse("hub:practice", args=[practice.pk])).status_code == 404
    assert client.get(reverse("hub:practice_new")).status_code == 403
    r1 = reviewer("rv1")
    client.force_login(r1)
    page = client.get(reverse("hub:practice", args=[practice.pk])).content.decode()
    assert "Your review" in page
    data = {"decision": "accept", "tier": "strong", **{f"fit_{n}": "2" for n in range(1, 6)}}
    assert client.post(reverse("hub:practice", args=[practice.pk]), data).status_code == 302
    client.force_login(author)
    response = client.post(reverse("hub:practice_new"), {**PRACTICE, "years_in_place": "-1"})
    assert response.status_code == 400 and "years_in_place" in response.context["form"].errors


def test_programme_needs_two_distinct_sign_offs(client):
    programme = Programme.objects.create(title="Check & Connect", country="IT", level="relational",
                                         fit={str(n): 2 for n in range(1, 6)}, tier="strong")
    r1, r2 = reviewer("s1"), reviewer("s2")
    services.programme_signoff(user=r1, programme=programme)
    with pytest.raises(ValidationError, match="already signed off"):
        services.programme_signoff(user=r1, programme=programme)
    with pytest.raises(PermissionDenied):
        services.programme_signoff(user=member("plain"), programme=programme)
    assert not programme.signed_off
    client.force_login(r2)
    client.post(reverse("hub:programme", args=[programme.pk]), {"note": "Agreed"})
    assert programme.signed_off
    page = client.get(reverse("hub:programme", args=[programme.pk])).content.decode()
    assert "S1" in page and "S2" in page and "Agreed" in page and "Strong" in page


def test_wiki_revisions_history_and_diff(client):
    author = member("wik", level="a")
    first = services.wiki_save(user=author, title="Secure base", kind="concept", body="A teacher as a secure base.\n")
    page = first.page
    with pytest.raises(ValidationError, match="Nothing changed"):
        services.wiki_save(user=author, page=page, body="A teacher as a secure base.\n")
    services.wiki_save(user=author, page=page, body="A teacher as a secure base.\nSee Bowlby (1988).\n",
                       note="reference")
    assert [r.number for r in page.revisions.all()] == [2, 1]
    diff = selectors.wiki_diff(page, 1, 2)
    assert ("add", "+See Bowlby (1988).") in diff
    client.force_login(author)
    history = client.get(reverse("hub:wiki_history", args=["en", page.slug]), {"old": 1, "new": 2})
    assert "+See Bowlby (1988)." in history.content.decode()
    bad = client.get(reverse("hub:wiki_history", args=["en", page.slug]), {"old": 1, "new": 9})
    assert "revision 1 or 9 does not exist" in bad.content.decode()
    services.wiki_save(user=author, page=page, body="<script>alert(1)</script>")
    shown = client.get(reverse("hub:wiki_page", args=["en", page.slug])).content.decode()
    assert "<script>alert(1)</script>" not in shown and "&lt;script&gt;" in shown


def test_uploads_are_limited_by_type_size_and_level(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fields = {"title": "Guide", "kind": "guide", "summary": "", "country": "IT", "language": "it",
              "level": "community", "target_group": "teachers"}
    client.force_login(member("low", level="a"))
    refused = client.post(reverse("hub:documents"),
                          {**fields, "file": SimpleUploadedFile("g.pdf", b"%PDF-1.4 x")})
    assert refused.status_code == 403 and not Document.objects.exists()
    client.force_login(member("up", level="b"))
    exe = client.post(reverse("hub:documents"), {**fields, "file": SimpleUploadedFile("g.exe", b"MZ")})
    assert exe.status_code == 400 and "extension" in exe.content.decode()
    big = client.post(reverse("hub:documents"),
                      {**fields, "file": SimpleUploadedFile("big.pdf", b"0" * (10 * 1024 * 1024 + 1))})
    assert big.status_code == 400 and "the limit is 10 MB" in big.content.decode()
    ok = client.post(reverse("hub:documents"), {**fields, "file": SimpleUploadedFile("g.pdf", b"%PDF-1.4 x")})
    assert ok.status_code == 302 and Document.objects.count() == 1


def test_databases_filter_by_country_stage_level_group_language(client):
    make = dict(years_in_place=2, stakeholders_involved="x", funding="x", evaluation="none", cost_band="low",
                licence="cc-by", status="accepted")
    author = member("aut")
    from safeschool.web.network.models import Member

    by = Member.objects.get(user=author)
    Practice.objects.create(title="Alpha", country="IT", language="it", level="community", stages=["primary"],
                            target_group="families", submitted_by=by, **make)
    Practice.objects.create(title="Beta", country="ES", language="es", level="relational",
                            stages=["upper_secondary"], target_group="students", submitted_by=by, **make)
    client.force_login(author)
    url = reverse("hub:practices")

    def titles(**params):
        page = client.get(url, params).content.decode()
        return [t for t in ("Alpha", "Beta") if f">{t}</a>" in page]

    assert titles() == ["Alpha", "Beta"]
    assert titles(country="IT") == ["Alpha"] and titles(stage="upper_secondary") == ["Beta"]
    assert titles(level="community") == ["Alpha"] and titles(target_group="students") == ["Beta"]
    assert titles(language="es") == ["Beta"] and titles(q="alp") == ["Alpha"]


def test_only_curators_add_programmes_and_policies():
    fields = {"title": "Nurture groups", "summary": "Small classes.", "country": "IT", "level": "relational",
              "language": "en"}
    with pytest.raises(PermissionDenied, match="Only researchers and administrators add policies"):
        services.policy_create(user=member("eva", level="d"), year=2020, **fields)
    with pytest.raises(ValidationError):  # curators go through the model's validation too
        services.policy_create(user=reviewer("rui"), year=2020, **(fields | {"level": "galactic"}))
    assert services.policy_create(user=reviewer("ria"), year=2020, **fields).pk
    with pytest.raises(PermissionDenied):
        services.programme_create(user=member("ivo", level="d"), tier="promising", target_group="students", **fields)
    assert services.programme_create(user=reviewer("rob"), tier="promising", target_group="students", fit={"1": 2},
                                     **fields).pk
