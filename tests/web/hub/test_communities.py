"""Hub communities: posting by level and consent, escaping, reports and moderation, notifications and digests."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from safeschool.web.hub import notifications
from safeschool.web.hub import services as hub
from safeschool.web.hub.models import Community, Post, Report
from safeschool.web.network import services
from safeschool.web.network.models import Member

ADULT = date.today().year - 30

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def member(name, level="a", year=ADULT, notify="none"):
    m = services.member_join(username=name, password="pw-long-enough-1", email=f"{name}@example.org",
                             display_name=name.title(), stakeholder_type="teacher", country="ES",
                             birth_year=year, level=level, consent=True)
    Member.objects.filter(pk=m.pk).update(notify=notify)
    m.refresh_from_db()
    return m


@pytest.fixture
def topic():
    hub.communities_ensure()
    return Community.objects.get(slug="topic-inclusive")


def test_communities_exist_per_topic_and_country(topic):
    assert Community.objects.filter(topic__gt="").count() == 4
    assert Community.objects.filter(country="ES").exists() and Community.objects.filter(country="IT").exists()


def test_communities_are_made_by_migrate_and_joining_not_by_viewing_the_hub(client):
    # the test database was migrated: the topics and the first countries exist without anyone asking
    assert Community.objects.filter(topic__gt="").count() == 4
    assert set(Community.objects.exclude(country="").values_list("country", flat=True)) >= {"IT", "ES", "HU"}
    assert not Community.objects.filter(country__in=["LT", "MT"]).exists()
    lt = services.member_join(username="vilte", password="pw-long-enough-1", email="vilte@example.org",
                              display_name="Vilte", stakeholder_type="teacher", country="LT",
                              birth_year=ADULT, level="b", consent=True)
    assert Community.objects.get(country="LT").name == "Lithuania"
    services.member_update(member=lt, country="MT")
    assert Community.objects.filter(country="MT").exists()
    # viewing the Hub reads, it does not write: communities removed stay removed
    Community.objects.all().delete()
    client.force_login(lt.user)
    assert client.get(reverse("hub:home")).status_code == 200
    assert not Community.objects.exists()


def test_posting_follows_level_and_consent(client, topic):
    reader = member("rea", level="a")
    client.force_login(reader.user)
    client.post(reverse("hub:membership", args=[topic.slug, "join"]))  # only members of a community post in it
    response = client.post(reverse("hub:community", args=[topic.slug]),
                           {"kind": "discussion", "title": "Hello", "body": "First post", "language": "en"})
    post = Post.objects.get()
    assert response["Location"] == reverse("hub:post", args=[post.pk]) and post.author == reader
    shared = client.post(reverse("hub:community", args=[topic.slug]),
                         {"kind": "share", "title": "A programme", "body": "See", "language": "en",
                          "link": "https://example.org/p"})
    assert shared.status_code == 400 and "participation level" in shared.content.decode()  # sharing needs (b)
    services.level_change(member=reader, level="b")
    assert client.post(reverse("hub:community", args=[topic.slug]),
                       {"kind": "share", "title": "A programme", "body": "See", "language": "en",
                        "link": "https://example.org/p"}).status_code == 302
    services.consent_withdraw(member=reader, kind="membership")
    refused = client.post(reverse("hub:community", args=[topic.slug]),
                          {"kind": "discussion", "title": "Again", "body": "x", "language": "en"})
    assert refused.status_code == 400 and "Posting needs your consent" in refused.content.decode()
    assert Post.objects.count() == 2


def test_a_member_joins_a_community_before_posting_in_it(client, topic):
    ana = member("ana", level="b")
    client.force_login(ana.user)
    page = client.get(reverse("hub:community", args=[topic.slug])).content.decode()
    assert "Join to post" in page and 'name="title"' not in page  # the join button, not the post form
    refused = client.post(reverse("hub:community", args=[topic.slug]),
                          {"kind": "discussion", "title": "Hello", "body": "First post", "language": "en"})
    assert refused.status_code == 400 and "Join this community to post in it." in refused.content.decode()
    with pytest.raises(PermissionDenied, match="Join this community"):
        hub.post_create(user=ana.user, community=topic, title="Hello", body="First post")
    assert not Post.objects.exists()
    client.post(reverse("hub:membership", args=[topic.slug, "join"]))
    page = client.get(reverse("hub:community", args=[topic.slug])).content.decode()
    assert "Join to post" not in page and 'name="title"' in page
    posted = client.post(reverse("hub:community", args=[topic.slug]),
                         {"kind": "discussion", "title": "Hello", "body": "First post", "language": "en"})
    assert posted.status_code == 302 and Post.objects.get().author == ana
    client.post(reverse("hub:membership", args=[topic.slug, "leave"]))  # leaving ends it again
    with pytest.raises(PermissionDenied, match="Join this community"):
        hub.post_create(user=ana.user, community=topic, title="Again", body="x")


@pytest.mark.parametrize("role", ["community_moderator", "network_moderator", "admin_with_profile"])
def test_moderators_and_administrators_post_without_joining(topic, role):
    m = member(role, level="b")
    if role == "community_moderator":
        topic.moderators.add(m)
    elif role == "network_moderator":
        Member.objects.filter(pk=m.pk).update(moderator=True)
    else:
        type(m.user).objects.filter(pk=m.user.pk).update(is_superuser=True)  # an administrator who is also a member
    user = type(m.user).objects.get(pk=m.user.pk)  # fresh: no cached relations
    assert not topic.members.filter(pk=m.pk).exists()
    post = hub.post_create(user=user, community=topic, title="Welcome", body="Rules of this community")
    assert post.author == m and topic.members.filter(pk=m.pk).exists()  # and they follow the thread from now on


def test_bad_posts_are_refused_with_the_field_named(client, topic):
    ana = member("ana")
    hub.community_join(member=ana, community=topic)
    client.force_login(ana.user)
    response = client.post(reverse("hub:community", args=[topic.slug]),
                           {"kind": "event", "title": "Meeting", "body": "Come", "language": "en"})
    assert response.status_code == 400 and "An event needs a start date" in response.content.decode()
    assert not Post.objects.exists()


@pytest.mark.parametrize("payload", ["<script>alert('x')</script>", "<img src=x onerror=alert(1)>",
                                     "<a href=\"javascript:alert(1)\">click</a>"])
def test_user_text_is_escaped_everywhere(client, topic, payload):
    author = member("mal")
    hub.community_join(member=author, community=topic)
    post = hub.post_create(user=author.user, community=topic, title=payload, body=payload)
    hub.comment_create(user=author.user, post=post, body=payload)
    client.force_login(author.user)
    for url in (reverse("hub:community", args=[topic.slug]), reverse("hub:post", args=[post.pk])):
        page = client.get(url).content.decode()
        assert payload not in page and "&lt;" in page


def test_report_and_moderation_queue(client, topic):
    author, reader, mod = member("aut"), member("rdr"), member("mod")
    Member.objects.filter(pk=mod.pk).update(moderator=True)
    hub.community_join(member=author, community=topic)
    post = hub.post_create(user=author.user, community=topic, title="Off topic", body="spam spam")
    client.force_login(reader.user)
    client.post(reverse("hub:report", args=["post", post.pk]), {"reason": "spam"})
    assert Report.objects.get().reason == "spam"
    assert client.get(reverse("hub:moderation")).status_code == 403
    with pytest.raises(PermissionDenied):
        hub.moderate(user=reader.user, report=Report.objects.get(), hide=True, reason="x")
    client.force_login(mod.user)
    page = client.get(reverse("hub:moderation")).content.decode()
    assert "Off topic" in page and "spam" in page
    client.post(reverse("hub:moderate", args=[Report.objects.get().pk]), {"decision": "hide", "reason": ""})
    assert Post.objects.get().hidden_at is None  # a hidden post needs a reason
    client.post(reverse("hub:moderate", args=[Report.objects.get().pk]), {"decision": "hide", "reason": "Spam"})
    post.refresh_from_db()
    report = Report.objects.get()
    assert post.hidden_reason == "Spam" and report.outcome == "hidden" and report.resolved_by == mod
    client.force_login(reader.user)
    assert client.get(reverse("hub:post", args=[post.pk])).status_code == 404
    assert "Off topic" not in client.get(reverse("hub:community", args=[topic.slug])).content.decode()
    client.force_login(author.user)  # the author still sees it, with the reason
    assert "Hidden by a moderator: Spam" in client.get(reverse("hub:post", args=[post.pk])).content.decode()


def test_community_moderators_moderate_only_their_community(topic):
    other = Community.objects.get(slug="country-it")
    mod, author, reader = member("cm"), member("au"), member("rd")
    topic.moderators.add(mod)
    for community in (topic, other):
        hub.community_join(member=author, community=community)
    here = hub.post_create(user=author.user, community=topic, title="Here", body="x")
    there = hub.post_create(user=author.user, community=other, title="There", body="x")
    hub.moderate(user=mod.user, report=hub.report_create(user=reader.user, reason="r", post=here), hide=False)
    with pytest.raises(PermissionDenied):
        hub.moderate(user=mod.user, report=hub.report_create(user=reader.user, reason="r", post=there), hide=False)


def test_immediate_notifications_and_digests(topic, django_capture_on_commit_callbacks):
    author = member("aut", notify="none")
    now_reader = member("now", notify="immediate")
    daily = member("day", notify="daily")
    weekly = member("wee", notify="weekly")
    kid = member("kid", year=date.today().year - 12, notify="immediate")  # no parental consent: no e-mails
    for m in (author, now_reader, daily, weekly, kid):
        hub.community_join(member=m, community=topic)
    with django_capture_on_commit_callbacks(execute=True):
        post = hub.post_create(user=author.user, community=topic, title="Workshop in Madrid", body="Details")
    from safeschool.web.hub.tasks import notify_post
    if not mail.outbox:  # the database task backend queued it: run the task as the worker would
        notify_post.call(post.pk)
    assert [m.to for m in mail.outbox] == [["now@example.org"]] and "Workshop in Madrid" in mail.outbox[0].subject
    mail.outbox.clear()
    later = timezone.now() + timedelta(hours=1)
    assert notifications.send_digests(frequency="daily", now=later) == 1
    assert mail.outbox[0].to == ["day@example.org"] and "Workshop in Madrid" in mail.outbox[0].body
    assert notifications.send_digests(frequency="daily", now=later + timedelta(hours=2)) == 0  # not due yet
    assert notifications.send_digests(frequency="weekly", now=later) == 1
    assert mail.outbox[1].to == ["wee@example.org"]
    with pytest.raises(ValueError, match="frequency must be one of"):
        notifications.send_digests(frequency="hourly")


def test_posting_is_rate_limited(client, topic):
    fast = member("fast")
    hub.community_join(member=fast, community=topic)
    client.force_login(fast.user)
    for i in range(20):
        client.post(reverse("hub:community", args=[topic.slug]),
                    {"kind": "discussion", "title": f"P{i}", "body": "x", "language": "en"})
    blocked = client.post(reverse("hub:community", args=[topic.slug]),
                          {"kind": "discussion", "title": "P21", "body": "x", "language": "en"})
    assert blocked.status_code == 429 and Post.objects.count() == 20


def test_newsletters_reach_opted_in_members_by_topic_country_and_level(client):
    def opted(name, level, topics, country="ES", newsletters=True):
        m = member(name, level=level)
        Member.objects.filter(pk=m.pk).update(topics=topics, country=country, newsletters=newsletters)
        return m

    opted("in1", "c", ["gender"])
    opted("in2", "d", ["gender", "inclusive"])
    opted("lowlevel", "a", ["gender"])
    opted("wrongtopic", "c", ["economics"])
    opted("wrongcountry", "c", ["gender"], country="IT")
    opted("notoptedin", "c", ["gender"], newsletters=False)
    withdrawn = opted("withdrawn", "c", ["gender"])
    services.consent_withdraw(member=withdrawn, kind="membership")
    sender = member("editor")
    client.force_login(sender.user)
    data = {"subject": "Gender workshop", "body": "Join us", "language": "en", "topics": ["gender"],
            "countries": ["ES"], "min_level": "c"}
    assert client.post(reverse("hub:newsletters"), data).status_code == 403  # only moderators send
    Member.objects.filter(pk=sender.pk).update(moderator=True)
    assert client.post(reverse("hub:newsletters"), data).status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["in1@example.org", "in2@example.org"]
    from safeschool.web.hub.models import Newsletter

    letter = Newsletter.objects.get()
    assert letter.recipients == 2 and letter.sent_at is not None
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="already sent"):
        hub.newsletter_send(user=get_user_model().objects.get(pk=sender.user.pk), newsletter=letter)
