"""Issue 14 attacked: the Hub's language filter on community posts (?language=), the language a post is written
in, and the rule that only members of a community (with current consent) post in it, as every role and with
hostile values. Refusals are 400/403/404 or a redirect, never a 500, and no post is written."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from safeschool.web.hub import services as hub
from safeschool.web.hub.models import Community, Post
from safeschool.web.network import services

ADULT = date.today().year - 30
ROLES = ("anonymous", "member", "staff_own", "staff_other", "researcher", "admin")
pytestmark = pytest.mark.django_db
GOOD = {"kind": "discussion", "title": "Hello", "body": "First post", "language": "en"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def join(name, level="b"):
    return services.member_join(username=name, password="pw-long-enough-1", email=f"{name}@example.org",
                                display_name=name.title(), stakeholder_type="teacher", country="ES",
                                birth_year=ADULT, level=level, consent=True)


@pytest.fixture
def topic(db):
    hub.communities_ensure()
    return Community.objects.get(slug="topic-inclusive")


@pytest.fixture
def posts(topic):
    ana = join("ana")
    hub.community_join(member=ana, community=topic)
    hub.post_create(user=ana.user, community=topic, title="Hola a todos", body="es", language="es")
    hub.post_create(user=ana.user, community=topic, title="Ciao a tutti", body="it", language="it")
    return ana


@pytest.mark.parametrize("value", ["xx", "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>",
                                   "e" * 5000, "-1", "es' OR '1'='1", "ES"])
def test_an_unknown_language_filter_shows_every_post_and_echoes_nothing(client, posts, topic, value):
    client.force_login(posts.user)
    response = client.get(reverse("hub:community", args=[topic.slug]), {"language": value})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Hola a todos" in page and "Ciao a tutti" in page  # read as no filter, not as an empty one
    assert "<script>alert" not in page and "onerror=alert" not in page  # escaped where echoed (the switcher's next)


def test_the_language_filter_filters(client, posts, topic):
    client.force_login(posts.user)
    page = client.get(reverse("hub:community", args=[topic.slug]), {"language": "es"}).content.decode()
    assert "Hola a todos" in page and "Ciao a tutti" not in page


@pytest.mark.parametrize("code", ["xx", "<script>", "", "e" * 50, "EN"])
def test_a_post_in_an_unknown_language_is_refused(client, posts, topic, code):
    client.force_login(posts.user)
    before = Post.objects.count()
    response = client.post(reverse("hub:community", args=[topic.slug]), GOOD | {"language": code})
    assert response.status_code == 400 and "<script>\"" not in response.content.decode()
    assert Post.objects.count() == before
    with pytest.raises(ValidationError):  # past the form, the service refuses it too
        hub.post_create(user=posts.user, community=topic, title="x", body="y", language=code or "zz")
    assert Post.objects.count() == before


@pytest.mark.parametrize("link", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
                                  "vbscript:msgbox(1)"])
def test_a_shared_link_with_a_script_scheme_is_refused(client, posts, topic, link):
    client.force_login(posts.user)
    before = Post.objects.count()
    response = client.post(reverse("hub:community", args=[topic.slug]), GOOD | {"kind": "share", "link": link})
    assert response.status_code == 400 and Post.objects.count() == before


@pytest.mark.usefixtures("cohort_shared")
class TestEveryRole:
    """Share one loaded cohort and set of users (tests/web/conftest.py); each test still starts from it fresh."""

    @pytest.mark.parametrize("role", ROLES)
    def test_only_members_of_the_community_post_in_it(self, client_as, topic, role):
        """Every role without a joined network profile: the member has not joined; staff, researchers and the admin
        have no network profile at all."""
        if role == "member":
            client = client_as("anonymous")
            client.force_login(join("outsider").user)
        else:
            client = client_as(role)
        response = client.post(reverse("hub:community", args=[topic.slug]), GOOD)
        assert response.status_code in (302, 400, 403)
        if response.status_code == 302:
            assert "/hub/p/" not in response["Location"]
        assert not Post.objects.exists()


def test_a_member_whose_consent_is_withdrawn_neither_posts_nor_comments(client, posts, topic):
    post = Post.objects.first()
    services.consent_withdraw(member=posts, kind="membership")
    client.force_login(posts.user)
    before = Post.objects.count()
    assert client.post(reverse("hub:community", args=[topic.slug]), GOOD).status_code in (400, 403)
    assert client.post(reverse("hub:post", args=[post.pk]), {"body": "still here"}).status_code in (400, 403)
    assert Post.objects.count() == before and not post.comments.exists()


@pytest.mark.parametrize("path", ["/hub/c/no-such-community/", "/hub/c/<script>/", "/hub/p/999999/",
                                  "/hub/p/99999999999999999999/", "/hub/p/abc/", "/hub/p/-1/"])
def test_wrong_and_non_numeric_ids_are_not_found(client, posts, path):
    client.force_login(posts.user)
    assert client.get(path).status_code == 404
    assert client.post(path, GOOD).status_code == 404
    assert Post.objects.count() == 2


def test_a_post_body_with_a_script_is_shown_as_text(client, posts, topic):
    client.force_login(posts.user)
    response = client.post(reverse("hub:community", args=[topic.slug]),
                           GOOD | {"title": "<script>alert('t')</script>", "body": "<script>alert('b')</script>"})
    page = client.get(response["Location"]).content.decode()
    listing = client.get(reverse("hub:community", args=[topic.slug])).content.decode()
    for html in (page, listing):
        assert "<script>alert(" not in html
    assert "&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt;" in page
