"""What people write records its language: by default the one its author is using the site in; shown as a badge
whose name is marked with its own `lang`, the content wrapped in an element with `lang`; lists filter by it."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.hub import library_services as library
from safeschool.web.hub import services as hub
from safeschool.web.hub.models import Community, Post
from safeschool.web.network import services as network

pytestmark = pytest.mark.django_db
ADULT = date.today().year - 30
POLICY = {"title": "Plan de convivencia", "summary": "Resumen del plan.", "country": "ES", "level": "community"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def author():
    return network.member_join(username="ana", password="pw-long-enough-1", email="ana@example.org",
                               display_name="Ana", stakeholder_type="teacher", country="ES", birth_year=ADULT,
                               level="c", consent=True).user


@pytest.fixture
def topic(author):
    hub.communities_ensure()
    community = Community.objects.get(slug="topic-inclusive")
    hub.community_join(member=author.member, community=community)
    return community


@pytest.fixture
def curator():
    user = user_create(username="cur", password="pw-long-enough-1", role=Role.RESEARCHER)
    network.member_profile_create(user=user, consent=True, display_name="Cur", stakeholder_type="scientific",
                                  sector="", country="IT", organisation="University", languages=["en"],
                                  topics=[], level="c", birth_year=ADULT, directory={})
    return user


def test_post_language_defaults_to_the_authors_active_language(author, topic):
    with translation.override("es"):
        post = hub.post_create(user=author, community=topic, title="Hola", body="Texto")
    assert post.language == "es"
    with translation.override("en-gb"):  # a regional variant counts as its language
        assert hub.post_create(user=author, community=topic, title="Hi", body="Text").language == "en"
    assert hub.post_create(user=author, community=topic, title="Ciao", body="Testo", language="it").language == "it"


def test_unknown_content_language_is_refused(author, topic, curator):
    with pytest.raises(ValidationError, match="language"):
        hub.post_create(user=author, community=topic, title="Bonjour", body="Texte", language="fr")
    with pytest.raises(ValidationError, match="language"):
        library.policy_create(user=curator, language="xx", **POLICY)


def test_library_entries_default_to_the_authors_active_language(curator):
    with translation.override("pt"):
        policy = library.policy_create(user=curator, year=2020, **POLICY)
        programme = library.programme_create(user=curator, tier="promising", fit={"1": 2}, **POLICY)
    assert policy.language == programme.language == "pt"
    assert library.policy_create(user=curator, year=2020, language="es", **POLICY).language == "es"


def test_post_form_offers_the_active_language(client, author, topic):
    client.force_login(author)
    page = client.get(reverse("hub:community", args=[topic.slug]), HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert re.search(r'<option value="it" selected>Italiano</option>', page)
    client.post(reverse("hub:community", args=[topic.slug]),
                {"kind": "discussion", "title": "Accoglienza", "body": "Testo", "language": "it"},
                HTTP_ACCEPT_LANGUAGE="it")
    assert Post.objects.get(title="Accoglienza").language == "it"


def test_posts_show_a_language_badge_and_carry_lang_and_filter_by_language(client, author, topic):
    hub.post_create(user=author, community=topic, title="Tutoría entre iguales", body="Cuerpo en castellano",
                    language="es")
    hub.post_create(user=author, community=topic, title="Peer tutoring", body="Body in English", language="en")
    client.force_login(author)
    url = reverse("hub:community", args=[topic.slug])
    page = client.get(url).content.decode()
    assert re.search(r'<span lang="es">Español</span>', page)  # the badge names the language in itself
    assert re.search(r'<p lang="es">\s*Cuerpo en castellano', page)  # the content switches the reader's voice
    assert re.search(r'lang="es"><strong>Tutoría entre iguales</strong>', page)
    only_es = client.get(url, {"language": "es"}).content.decode()
    assert "Tutoría entre iguales" in only_es and "Peer tutoring" not in only_es
    assert "Peer tutoring" in client.get(url, {"language": "zz"}).content.decode()  # unknown: no filter, no error
    post = Post.objects.get(title="Tutoría entre iguales")
    detail = client.get(reverse("hub:post", args=[post.pk])).content.decode()
    assert re.search(r'<h1 lang="es">Tutoría entre iguales</h1>', detail)
    assert re.search(r'class="post-body" lang="es"', detail) and '<span lang="es">Español</span>' in detail


def test_policy_list_marks_and_filters_by_language(client, author, curator):
    library.policy_create(user=curator, year=2020, language="es", **POLICY)
    library.policy_create(user=curator, year=2019, language="en", **(POLICY | {"title": "Climate plan",
                                                                             "summary": "A summary."}))
    client.force_login(author)
    page = client.get(reverse("hub:policies")).content.decode()
    assert '<span lang="es">Plan de convivencia</span>' in page and '<td lang="es">Resumen del plan.</td>' in page
    only_en = client.get(reverse("hub:policies"), {"language": "en"}).content.decode()
    assert "Climate plan" in only_en and "Plan de convivencia" not in only_en
