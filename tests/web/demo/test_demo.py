"""The demo, seeded in one place through the same services users go through: varied, complete and idempotent."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache

from safeschool.web.cocreation.models import DelphiStudy, ParCycle
from safeschool.web.demo import DEMO_STEPS, demo_seed
from safeschool.web.demo.accounts import demo_users_ensure
from safeschool.web.demo.hub import POSTS, demo_hub_ensure
from safeschool.web.demo.network import demo_members_ensure
from safeschool.web.hub.models import Comment, Document, Post, Practice, Programme, Report, WikiRevision
from safeschool.web.network.models import Member


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.mark.django_db
def test_demo_members_are_varied_and_idempotent():
    demo_users_ensure()
    assert demo_members_ensure(n=300) == 300
    assert demo_members_ensure(n=300) == 0
    members = Member.objects.all()
    assert members.values("stakeholder_type").distinct().count() == 8
    assert members.values("level").distinct().count() == 4
    minors = members.filter(birth_year__gt=date.today().year - 16)
    assert minors.filter(consents__text__kind="parental").exists()
    assert minors.exclude(consents__text__kind="parental").exists()
    assert members.filter(moderator=True).count() == 3
    assert members.get(user__username="member").level == "c"  # the demo login takes part in co-creation
    assert not members.get(user__username="member-001").user.has_usable_password()


@pytest.mark.django_db
def test_demo_hub_has_posts_and_entries_in_every_state(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    demo_users_ensure()
    demo_members_ensure(n=300)
    assert demo_hub_ensure() and not demo_hub_ensure()
    assert Post.objects.count() == len(POSTS) and Comment.objects.exists() and Report.objects.count() == 1
    assert set(Practice.objects.values_list("status", flat=True)) == {"accepted", "submitted", "returned"}
    assert {p.signed_off for p in Programme.objects.all()} == {True, False}
    assert Document.objects.count() == 3 and WikiRevision.objects.filter(number=2).count() == 3
    for post in Post.objects.select_related("author__user"):  # made by members whose level and consent allow it
        assert post.author.user.has_perm("network.share_item" if post.kind == "share" else "network.post_in_community")


@pytest.mark.django_db
def test_demo_seed_reports_every_step_and_adds_nothing_the_second_time(loaded, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    steps = []
    first = demo_seed(home=tmp_path, progress=steps.append)
    assert len(steps) == DEMO_STEPS
    assert first.notes[0] == "Reusing the existing database (540 students)."
    assert [a["username"] for a in first.accounts] == ["admin", "researcher", "staff", "member"]
    assert DelphiStudy.objects.count() == 1 and ParCycle.objects.count() == 3
    counts = (Member.objects.count(), Post.objects.count(), Practice.objects.count())
    steps.clear()
    again = demo_seed(home=tmp_path, progress=steps.append)
    assert len(steps) == DEMO_STEPS and again.notes == first.notes[:1]
    assert (Member.objects.count(), Post.objects.count(), Practice.objects.count()) == counts
