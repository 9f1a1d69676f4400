"""Every id a co-creation, Hub or network page reads from GET or POST, tried with "abc", "", "-1" and a huge number,
and every action tried by an administrator without a network profile: a clear refusal (4xx, a redirect with a
message, or a form error), never a 500."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from safeschool.web.cocreation import fieldwork, services
from safeschool.web.cocreation.models import ParCycle
from safeschool.web.hub import library_services as library
from safeschool.web.hub import services as hub
from safeschool.web.hub.models import Community, Post, Report
from safeschool.web.network import services as network

BAD = ["abc", "", "-1", "9" * 30, "1.5", "１"]


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    cache.clear()


def member(name, level="c"):
    return network.member_join(username=name, password="pw-long-enough-1", email=f"{name}@example.org",
                               display_name=name.title(), stakeholder_type="teacher", country="ES",
                               birth_year=date.today().year - 40, level=level, consent=True)


@pytest.fixture
def world(users, school):
    """A study without a round, a community post with an open report, a PAR cycle; the admin has no network profile."""
    researcher, admin = users["researcher"], users["admin"]
    panel = [member(f"p{i}") for i in range(3)]
    study = services.study_create(user=researcher, title="Study", rule={"name": "comet"})
    services.panel_invite(user=researcher, study=study, members=panel)
    services.statement_add(user=researcher, study=study, code="S1", text="A caring adult.", level="relational")
    hub.communities_ensure()
    group = Community.objects.get(slug="topic-inclusive")
    hub.community_join(member=panel[0], community=group)
    post = hub.post_create(user=panel[0].user, community=group, title="Hello", body="First post")
    report = hub.report_create(user=panel[1].user, reason="spam", post=post)
    cycle = fieldwork.cycle_start(user=researcher, school=school, title="Cycle", goal="Belonging")
    return {"researcher": researcher, "admin": admin, "panel": panel, "study": study, "community": group,
            "post": post, "report": report, "cycle": cycle}


def crashes(client, requests):
    """The (method, url, data) requests that answer 500."""
    out = []
    for method, url, data in requests:
        response = getattr(client, method)(url, data)
        if response.status_code >= 500:
            out.append((method, url, data, response.status_code))
    return out


@pytest.mark.usefixtures("cohort_shared")
class TestWithTheCohort:
    """Share one loaded cohort and set of users (tests/web/conftest.py); each test still starts from it fresh."""

    def test_cocreation_ids_never_crash(self, world):
        client = Client(raise_request_exception=False)
        client.force_login(world["researcher"])
        study, cycle = world["study"], world["cycle"]
        requests = []
        for value in BAD:
            requests += [
                ("get", reverse("cocreation:results", args=[study.pk]), {"round": value}),
                ("get", reverse("cocreation:results", args=[study.pk]), {"round": value, "format": "csv"}),
                ("post", reverse("cocreation:action", args=[study.pk, "invite"]), {"members": [value]}),
                ("post", reverse("cocreation:action", args=[study.pk, "invite"]), {"members": [str(world["panel"][0].pk),
                                                                                            value]}),
                ("post", reverse("cocreation:action", args=[study.pk, "statement"]),
                 {"code": "S9", "text": "t", "level": "relational", "from_comment": value}),
                ("post", reverse("cocreation:interviews"), {"interviewee": value, "scheduled_at": "2030-01-01T10:00"}),
                ("post", reverse("cocreation:pars"), {"school": value, "title": "t", "goal": "g"}),
                ("post", reverse("cocreation:par_action", args=[cycle.pk, "action"]),
                 {"description": "d", "practice": value, "due": value}),
                ("post", reverse("cocreation:par_action", args=[cycle.pk, "note"]), {"kind": value, "text": "t"}),
            ]
        assert crashes(client, requests) == []

    def test_a_study_without_a_round_says_so(self, world, client):
        client.force_login(world["researcher"])
        study = world["study"]
        for action in ("close", "remind"):
            response = client.post(reverse("cocreation:action", args=[study.pk, action]), follow=True)
            assert response.status_code == 200 and "no open round" in response.content.decode()

    def test_rating_with_bad_statement_ids_never_crashes(self, world):
        researcher, study, panel = world["researcher"], world["study"], world["panel"]
        services.round_open(user=researcher, study=study)
        client = Client(raise_request_exception=False)
        client.force_login(panel[0].user)
        requests = [("post", reverse("cocreation:rate", args=[study.pk]), {"statement": value, "value": value})
                    for value in BAD]
        assert crashes(client, requests) == []

    def test_wiki_history_with_bad_revisions_never_crashes(self, world):
        client = Client(raise_request_exception=False)
        client.force_login(world["panel"][0].user)
        revision = library.wiki_save(user=world["panel"][0].user, title="Page", body="b", language="en")
        url = reverse("hub:wiki_history", args=["en", revision.page.slug])
        assert crashes(client, [("get", url, {"old": v, "new": v}) for v in BAD]) == []

    def test_an_admin_without_a_network_profile_gets_an_answer_not_a_crash(self, world):
        admin, post, report, group = world["admin"], world["post"], world["report"], world["community"]
        assert not hasattr(admin, "member")
        client = Client(raise_request_exception=False)
        client.force_login(admin)
        requests = [
            ("post", reverse("hub:moderate", args=[report.pk]), {"decision": "keep", "reason": ""}),
            ("post", reverse("hub:community", args=[group.slug]), {"title": "Hi", "body": "A post", "kind": "discussion",
                                                                    "language": "en"}),
            ("post", reverse("hub:post", args=[post.pk]), {"body": "A comment"}),
            ("post", reverse("hub:membership", args=[group.slug, "join"]), {}),
            ("post", reverse("hub:report", args=["post", post.pk]), {"reason": "spam"}),
            ("get", reverse("network:me"), {}),
            ("get", reverse("network:export"), {}),
            ("post", reverse("network:consent", args=["membership", "give"]), {}),
            ("post", reverse("network:consent", args=["membership", "withdraw"]), {}),
            ("get", reverse("network:erase"), {}),
            ("post", reverse("network:erase"), {"confirm": admin.username}),
            ("get", reverse("hub:home"), {}),
            ("get", reverse("hub:moderation"), {}),
            ("get", reverse("cocreation:studies"), {}),
        ]
        assert crashes(client, requests) == []

    def test_an_admin_moderates_without_a_network_profile(self, world, client):
        client.force_login(world["admin"])
        report, post = world["report"], world["post"]
        response = client.post(reverse("hub:moderate", args=[report.pk]), {"decision": "hide", "reason": "Off topic"})
        assert response.status_code == 302
        post.refresh_from_db()
        report.refresh_from_db()
        assert post.hidden_at and post.hidden_by is None and post.hidden_reason == "Off topic"
        assert report.resolved_at and report.resolved_by is None and report.outcome == "hidden"
        other = hub.report_create(user=world["panel"][2].user, reason="rude", post=Post.objects.create(
            community=world["community"], author=world["panel"][2], title="x", body="y"))
        assert client.post(reverse("hub:moderate", args=[other.pk]), {"decision": "keep"}).status_code == 302
        assert Report.objects.get(pk=other.pk).outcome == "kept"
        assert ParCycle.objects.exists()

    def test_every_other_parameter_never_crashes(self, world):
        """The remaining GET and POST fields of the co-creation, Hub and network pages, each with every bad value."""
        study, post, group, report = world["study"], world["post"], world["community"], world["report"]
        researcher = Client(raise_request_exception=False)
        researcher.force_login(world["researcher"])
        requests = []
        for value in BAD:
            requests += [
                ("post", reverse("cocreation:action", args=[study.pk, "rule"]), {"rule": value}),
                ("post", reverse("cocreation:action", args=[study.pk, "statement"]),
                 {"code": value, "text": value, "level": value}),
                ("post", reverse("cocreation:action", args=[study.pk, value or "x"]), {}),
                ("post", reverse("cocreation:studies"), {"title": value, "scale_min": value, "scale_max": value,
                                                         "rule": value, "threshold": value, "max_iqr": value}),
                ("get", reverse("cocreation:interviews"), {"by": value}),
                ("post", reverse("cocreation:interviews"), {"interviewee": str(world["panel"][0].pk),
                                                            "scheduled_at": value}),
                ("get", reverse("cocreation:results", args=[study.pk]), {"round": "1", "format": value}),
            ]
        assert crashes(researcher, requests) == []
        panellist = Client(raise_request_exception=False)
        panellist.force_login(world["panel"][1].user)
        requests = []
        for value in BAD:
            requests += [
                ("post", reverse("hub:community", args=[group.slug]),
                 {"kind": value, "title": value, "body": value, "language": value, "link": value,
                  "event_starts": value}),
                ("post", reverse("hub:post", args=[post.pk]), {"body": value}),
                ("post", reverse("hub:report", args=[value or "x", post.pk]), {"reason": value}),
                ("post", reverse("hub:membership", args=[group.slug, value or "x"]), {}),
                ("post", reverse("network:consent", args=[value or "x", value or "x"]), {"given_by": value}),
                ("post", reverse("network:me"), {"level": value, "display_name": value, "country": value,
                                                 "birth_year": value, "topics": [value]}),
                ("get", reverse("network:members"), {"q": value, "stakeholder_type": value, "country": value,
                                                     "topic": value, "page": value}),
                ("get", reverse("hub:programmes"), {"q": value, "country": value, "page": value}),
                ("get", reverse("hub:practices"), {"q": value, "level": value, "page": value}),
                ("get", reverse("hub:wiki"), {"language": value}),
            ]
        assert crashes(panellist, requests) == []
        admin = Client(raise_request_exception=False)
        admin.force_login(world["admin"])
        requests = [("post", reverse("hub:moderate", args=[report.pk]), {"decision": value, "reason": value})
                    for value in BAD]
        assert crashes(admin, requests) == []
