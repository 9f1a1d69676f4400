"""The policy brief pages for every role: anyone reads a published brief and its files (a GET counts a download, a
HEAD does not); a draft is 404 to all but researchers and administrators (so drafts do not leak); members below
level (d), or at (d) without consent, are told what they miss instead of an endorse button; advocates endorse,
withdraw and see the reach; researchers write, edit and publish; hostile input is a form error or a 404, never a
server error."""

from __future__ import annotations

import brief_world
import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from safeschool.web.reports.models import Brief, Download, Endorsement

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory, test_settings_for, cohort_files):
    computed = brief_world.results(cohort_files)
    with override_settings(**test_settings_for(tmp_path_factory.mktemp("brief-pages-home"))), \
            django_db_blocker.unblock(), transaction.atomic():
        yield brief_world.build(computed)
        transaction.set_rollback(True)


def _as(client, user):
    if user is not None:
        client.force_login(user)
    return client


def _users(world) -> dict:
    return {"anonymous": None, "plain": world.plain, "staff": world.staff, "level_a": world.level_a.user,
            "level_c": world.level_c.user, "advocate": world.advocate.user, "researcher": world.researcher,
            "admin": world.admin}


EDITORS = {"researcher", "admin"}


def test_who_sees_what(world, client):
    published, draft = world.published, world.draft
    for role, user in _users(world).items():
        client.logout()
        c = _as(client, user)
        listing = c.get(reverse("reports:brief_list")).content.decode()
        assert published.title in listing, role
        assert (draft.title in listing) == (role in EDITORS), role
        assert c.get(reverse("reports:brief", args=[published.slug])).status_code == 200, role
        expected = 200 if role in EDITORS else 404  # a draft is not found, not forbidden: its existence is not told
        assert c.get(reverse("reports:brief", args=[draft.slug])).status_code == expected, role
        if role in ("anonymous", "advocate"):  # a file is a few PDF pages: two roles say enough
            assert c.get(reverse("reports:brief_file", args=[draft.slug, "html"])).status_code == 404, role
        edit = c.get(reverse("reports:brief_edit", args=[draft.slug])).status_code
        assert edit == (302 if user is None else 200 if role in EDITORS else 403), role
        new = c.get(reverse("reports:brief_new")).status_code
        assert new == (302 if user is None else 200 if role in EDITORS else 403), role
        reach = c.get(reverse("reports:brief_reach", args=[published.slug])).status_code
        assert reach == (302 if user is None else 200 if role in EDITORS | {"advocate"} else 403), role


def test_the_published_brief_page_shows_the_document_and_the_endorse_button_to_advocates(world, client):
    url = reverse("reports:brief", args=[world.published.slug])
    page = client.get(url).content.decode()
    assert "Where differences lie" in page and "What the network&#x27;s stakeholders agreed" in page
    assert 'data-endorsements="0"' in page and "Endorse this brief" not in page
    assert reverse("reports:brief_file", args=[world.published.slug, "pdf"]) in page
    page = _as(client, world.advocate.user).get(url).content.decode()
    assert "Endorse this brief" in page and reverse("reports:brief_reach", args=[world.published.slug]) in page
    page = _as(client, world.level_c.user).get(url).content.decode()
    assert "Endorse this brief" not in page and "level (d) is needed" in page


def test_endorsing_and_withdrawing_by_post_only(world, client):
    url = reverse("reports:brief_endorse", args=[world.published.slug])
    c = _as(client, world.advocate.user)
    assert c.get(url).status_code == 405
    response = c.post(url, {"action": "endorse"}, follow=True)
    assert Endorsement.objects.filter(brief=world.published, member=world.advocate).exists()
    assert 'data-endorsements="1"' in response.content.decode()
    c.post(url, {"action": "endorse"})  # twice: still one
    assert Endorsement.objects.filter(brief=world.published).count() == 1
    c.post(url, {"action": "withdraw"})
    assert not Endorsement.objects.filter(brief=world.published).exists()


def test_members_who_may_not_endorse_are_told_why(world, client):
    url = reverse("reports:brief_endorse", args=[world.published.slug])
    response = _as(client, world.level_a.user).post(url, follow=True)
    assert "participation level (a); level (d) is needed" in response.content.decode()
    brief_world.withdraw_consent(world.leaver)
    client.logout()
    response = _as(client, world.leaver.user).post(url, follow=True)
    assert "consent to the membership terms withdrawn" in response.content.decode()
    assert not Endorsement.objects.exists()
    client.logout()
    assert _as(client, world.advocate.user).post(reverse("reports:brief_endorse", args=[world.draft.slug])
                                                 ).status_code == 404


def test_a_file_download_is_counted_by_country_and_a_head_is_not(world, client):
    url = reverse("reports:brief_file", args=[world.published.slug, "pdf"])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f'filename="brief-{world.published.slug}-en.pdf"' in response["Content-Disposition"]
    assert list(Download.objects.values_list("country", "format")) == [("", "pdf")]
    assert client.head(url).status_code == 200 and Download.objects.count() == 1
    html = _as(client, world.advocate.user).get(reverse("reports:brief_file", args=[world.published.slug, "html"]))
    assert html.status_code == 200 and b"Where differences lie" in html.content
    assert Download.objects.filter(country="PT", format="html").count() == 1
    assert client.get(reverse("reports:brief_file", args=[world.published.slug, "docx"])).status_code == 404
    assert client.post(url).status_code == 405
    reach = _as(client, world.researcher).get(reverse("reports:brief_reach", args=[world.published.slug]))
    assert 'data-reach="total">2<' in reach.content.decode() and "Other countries" in reach.content.decode()


def _form(world, **changes) -> dict:
    return {"title": "Typed brief", "language": "en", "country": "", "analysis": world.eco.pk,
            "recommendations": [world.statements["S1"].pk], "programmes": [world.strong.pk],
            "key_messages": "A message."} | changes


def test_a_researcher_writes_edits_and_publishes_a_brief(world, client):
    c = _as(client, world.researcher)
    form = c.get(reverse("reports:brief_new") + f"?analysis={world.maihda.pk}").context["form"]
    assert form.initial["analysis"] == world.maihda
    assert form.initial["recommendations"] == [world.statements["S1"]]  # the strata's level: individual
    assert form.initial["programmes"] == [world.strong, world.moderate]
    response = c.post(reverse("reports:brief_new"), _form(world))
    brief = Brief.objects.get(title="Typed brief")
    assert response.status_code == 302 and response["Location"] == reverse("reports:brief", args=[brief.slug])
    response = c.post(reverse("reports:brief_edit", args=[brief.slug]), _form(world, title="Typed, edited"))
    assert response.status_code == 302 and Brief.objects.get(pk=brief.pk).title == "Typed, edited"
    assert c.get(reverse("reports:brief_publish", args=[brief.slug])).status_code == 405
    c.post(reverse("reports:brief_publish", args=[brief.slug]))
    assert Brief.objects.get(pk=brief.pk).status == "published"
    response = c.get(reverse("reports:brief_edit", args=[brief.slug]))  # published: never changes
    assert response.status_code == 302
    c.post(reverse("reports:brief_edit", args=[brief.slug]), _form(world, title="Changed after"))
    assert Brief.objects.get(pk=brief.pk).title == "Typed, edited"


def test_publishing_an_incomplete_draft_says_what_is_missing(world, client):
    c = _as(client, world.researcher)
    c.post(reverse("reports:brief_new"), _form(world, title="Empty", key_messages="", recommendations=[]))
    brief = Brief.objects.get(title="Empty")
    page = c.post(reverse("reports:brief_publish", args=[brief.slug]), follow=True).content.decode()
    assert "Write the key messages." in page and Brief.objects.get(pk=brief.pk).status == "draft"


def test_hostile_input_is_a_form_error_or_a_404(world, client):
    c = _as(client, world.researcher)
    for changes, field in (({"key_messages": "x" * 50_000}, "key_messages"), ({"analysis": "abc"}, "analysis"),
                           ({"analysis": world.failed.pk}, "analysis"), ({"title": "t" * 5000}, "title"),
                           ({"recommendations": [world.statements["S5"].pk]}, "recommendations"),
                           ({"recommendations": ["1; DROP TABLE"]}, "recommendations"),
                           ({"programmes": [world.half.pk]}, "programmes"), ({"country": "<script>"}, "country")):
        response = c.post(reverse("reports:brief_new"), _form(world, **changes))
        assert response.status_code == 400, field
        assert response.context["form"].errors.get(field), field
        assert "choice. <script>" not in response.content.decode()  # echoed input is escaped
    assert Brief.objects.count() == 2
    assert c.get(reverse("reports:brief_new") + "?analysis=abc").status_code == 200
    assert c.get(reverse("reports:brief_new") + "?analysis=99999999999999999999").status_code == 200
    for slug in ("no-such-brief", "x" * 300, "ünï"):
        assert client.get(f"/reports/briefs/{slug}/").status_code == 404
    assert c.get(reverse("reports:brief", args=[world.published.slug]) + "?language=zz").status_code == 200
