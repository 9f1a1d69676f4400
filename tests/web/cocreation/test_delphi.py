"""Delphi studies end to end: rule fixed before round 1, closed rounds immutable in the database, feedback,
settled statements leaving, reminders, results and reports."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.urls import reverse

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.cocreation import selectors, services
from safeschool.web.cocreation.models import DelphiStudy, Rating, Round
from safeschool.web.demo.accounts import demo_users_ensure
from safeschool.web.demo.cocreation import demo_cocreation_ensure
from safeschool.web.demo.network import demo_members_ensure
from safeschool.web.network import services as network
from safeschool.web.network.models import Member

pytestmark = pytest.mark.django_db
ADULT = date.today().year - 40


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def team():
    researcher = user_create(username="res", password="pw-long-enough-1", role=Role.RESEARCHER)
    panel = []
    for i, kind in enumerate(["teacher"] * 6 + ["family"] * 4):
        m = network.member_join(username=f"p{i}", password="pw-long-enough-1", email=f"p{i}@example.org",
                                display_name=f"Panellist {i}", stakeholder_type=kind, country="ES",
                                birth_year=ADULT, level="c", consent=True)
        panel.append(m)
    study = services.study_create(user=researcher, title="Safe Education principles", rule={"name": "comet"})
    services.panel_invite(user=researcher, study=study, members=panel)
    for code, text in (("S1", "Every student has a caring adult at school."), ("S2", "Grades matter most."),
                       ("S3", "Families take part in school decisions.")):
        services.statement_add(user=researcher, study=study, code=code, text=text, level="relational")
    return researcher, study, panel


def rate_all(round_, panel, values):
    for m, (s1, s2, s3) in zip(panel, values, strict=True):
        for code, v in (("S1", s1), ("S2", s2), ("S3", s3)):
            statement = round_.statements.filter(code=code).first()
            if statement is not None:
                services.rating_submit(user=m.user, round=round_, statement=statement, value=v,
                                       comment="needs examples" if code == "S3" and v < 5 else "")


ROUND1 = [(8, 2, 5)] * 7 + [(9, 3, 2), (7, 1, 8), (8, 9, 4)]  # S1 in (10/10 high), S2 out?, S3 split


def test_rule_is_fixed_once_round_one_opens(team):
    researcher, study, _ = team
    services.rule_change(user=researcher, study=study, rule={"name": "rand"})  # allowed before round 1
    services.round_open(user=researcher, study=study)
    with pytest.raises(ValidationError, match="fixed once round 1 has opened"):
        services.rule_change(user=researcher, study=study, rule={"name": "comet"})
    with pytest.raises(DatabaseError, match="fixed once round 1"), transaction.atomic():
        DelphiStudy.objects.filter(pk=study.pk).update(rule={"name": "agreement"})
    study.refresh_from_db()
    assert study.rule["name"] == "rand"


def test_closed_rounds_are_immutable_in_the_database(team):
    researcher, study, panel = team
    r1 = services.round_open(user=researcher, study=study)
    rate_all(r1, panel, ROUND1)
    services.round_close(user=researcher, round=r1)
    rating = Rating.objects.filter(round=r1).first()
    with pytest.raises(ValidationError, match="closed"):
        services.rating_submit(user=panel[0].user, round=r1, statement=rating.statement, value=5)
    for attempt in (lambda: Rating.objects.filter(pk=rating.pk).update(value=1),
                    lambda: Rating.objects.filter(pk=rating.pk).delete(),
                    lambda: Rating.objects.create(round=r1, panellist=rating.panellist, statement=rating.statement,
                                                  value=5),
                    lambda: Round.objects.filter(pk=r1.pk).update(status="open", closed_at=None)):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    assert Rating.objects.get(pk=rating.pk).value == rating.value and Rating.objects.filter(round=r1).count() == 30


def test_bad_ratings_are_refused_and_change_nothing(team):
    researcher, study, panel = team
    r1 = services.round_open(user=researcher, study=study)
    s1 = r1.statements.get(code="S1")
    with pytest.raises(ValidationError, match="Rate from 1 to 9"):
        services.rating_submit(user=panel[0].user, round=r1, statement=s1, value=10)
    services.rating_submit(user=panel[0].user, round=r1, statement=s1, value=8)
    with pytest.raises(ValidationError, match="already rated S1 in round 1"):
        services.rating_submit(user=panel[0].user, round=r1, statement=s1, value=3)
    outsider = user_create(username="out", password="pw-long-enough-1", role=Role.MEMBER)
    with pytest.raises(PermissionDenied):
        services.rating_submit(user=outsider, round=r1, statement=s1, value=5)
    with pytest.raises(DatabaseError, match="outside the study scale"), transaction.atomic():
        Rating.objects.create(round=r1, panellist=study.panel.last(), statement=s1, value=12)
    assert list(Rating.objects.values_list("value", flat=True)) == [8]


def test_only_level_c_or_d_members_join_a_panel(team):
    researcher, study, _ = team
    low = network.member_join(username="low", password="pw-long-enough-1", email="low@example.org",
                              display_name="Low Level", stakeholder_type="ngo", country="IT", birth_year=ADULT,
                              level="b", consent=True)
    with pytest.raises(ValidationError, match="Low Level"):
        services.panel_invite(user=researcher, study=study, members=[Member.objects.get(pk=low.pk)])


def test_round_two_feedback_settled_statements_and_new_statement(team, client):
    researcher, study, panel = team
    r1 = services.round_open(user=researcher, study=study)
    rate_all(r1, panel, ROUND1)
    services.round_close(user=researcher, round=r1)
    table = selectors.results(study=study, number=1).set_index("statement")
    # S1: 10 of 10 rate 7-9 -> in; S2: 9 of 10 rate 1-3 and 1 rates 9 (10 %) -> out; S3: split
    assert table.loc["S1", "verdict"] == "in" and table.loc["S2", "verdict"] == "out"
    assert table.loc["S3", "verdict"] == "no consensus"
    comment = Rating.objects.filter(round=r1, statement__code="S3").exclude(comment="").first()
    services.statement_add(user=researcher, study=study, code="S4", text="Schools give examples.",
                           level="community", from_comment=comment)
    r2 = services.round_open(user=researcher, study=study)
    assert sorted(r2.statements.values_list("code", flat=True)) == ["S3", "S4"]  # settled S1, S2 left
    client.force_login(panel[7].user)
    page = client.get(reverse("cocreation:rate", args=[study.pk])).content.decode()
    assert "Last round&#x27;s ratings" in page or "Last round's ratings" in page
    assert "Your previous rating: 2" in page and "needs examples" in page and "Panellist" not in page.split(
        "Comments (anonymous)")[1][:400]
    response = client.post(reverse("cocreation:rate", args=[study.pk]),
                           {"statement": r2.statements.get(code="S3").pk, "value": "4"})
    assert response.status_code == 302 and Rating.objects.filter(round=r2).count() == 1
    again = client.post(reverse("cocreation:rate", args=[study.pk]),
                        {"statement": r2.statements.get(code="S3").pk, "value": "9"})
    assert again.status_code == 400 and Rating.objects.get(round=r2).value == 4
    sent = services.reminders_send(user=researcher, round=r2)
    assert sent == 10 and len(mail.outbox) == 10  # everyone still has S4 (or both) to rate


def test_results_and_reports(team, client):
    researcher, study, panel = team
    r1 = services.round_open(user=researcher, study=study)
    rate_all(r1, panel, ROUND1)
    services.round_close(user=researcher, round=r1)
    r2 = services.round_open(user=researcher, study=study)
    rate_all(r2, panel, [(0, 0, 7)] * 8 + [(0, 0, 6), (0, 0, 8)])  # only S3 is rated in round 2
    services.round_close(user=researcher, round=r2)
    client.force_login(researcher)
    results = client.get(reverse("cocreation:results", args=[study.pk]), {"round": 2}).content.decode()
    assert "S3" in results and "<strong>In</strong>" in results
    report = client.get(reverse("cocreation:report", args=[study.pk])).content.decode()
    assert "COMET" in report and "fixed since round 1 opened" in report and "Family member: 4" in report
    assert "Every student has a caring adult" in report  # settled in round 1, still reported
    csv_text = client.get(reverse("cocreation:report_as", args=[study.pk, "csv"])).content.decode()
    assert csv_text.splitlines()[0].startswith("Statement,Level,Text,Round,Ratings,Median")
    assert len(csv_text.strip().splitlines()) == 4
    pdf = client.get(reverse("cocreation:report_as", args=[study.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    per_round = client.get(reverse("cocreation:results", args=[study.pk]), {"round": 1, "format": "csv"})
    assert per_round.content.decode().count("\n") == 4  # header + S1..S3
    assert client.get(reverse("cocreation:results", args=[study.pk]),
                      {"round": 2, "format": "pdf"}).content.startswith(b"%PDF")
    client.force_login(panel[0].user)
    assert client.get(reverse("cocreation:results", args=[study.pk])).status_code == 403
    assert client.get(reverse("cocreation:study", args=[study.pk])).status_code == 302  # panellists go to rating


def test_demo_study_is_in_round_two_with_the_demo_member_on_the_panel(loaded, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    demo_users_ensure()
    demo_members_ensure(n=300)
    assert demo_cocreation_ensure() and not demo_cocreation_ensure()
    study = DelphiStudy.objects.get()
    assert study.current_round.number == 2 and study.current_round.status == "open"
    assert study.rounds.get(number=1).results and study.panel.count() == 60
    member = Member.objects.get(user__username="member")
    client.force_login(member.user)
    page = client.get(reverse("cocreation:rate", args=[study.pk])).content.decode()
    assert "you have rated 0 of" in page and "Your previous rating" in page


def test_trigger_kept_counts_match_the_ratings(team):
    from django.db.models import Count

    from safeschool.web.cocreation.models import PairedChange, RatingCount

    researcher, study, panel = team
    r1 = services.round_open(user=researcher, study=study)
    rate_all(r1, panel, ROUND1)
    services.round_close(user=researcher, round=r1)
    r2 = services.round_open(user=researcher, study=study)
    rate_all(r2, panel, [(0, 0, 7)] * 8 + [(0, 0, 6), (0, 0, 8)])
    Rating.objects.filter(round=r2, panellist__member=panel[9]).delete()  # allowed while the round is open
    for r in (r1, r2):
        expected = {(row["statement"], row["panellist__group"], row["value"]): row["n"] for row in
                    Rating.objects.filter(round=r).values("statement", "panellist__group", "value")
                    .annotate(n=Count("id"))}
        kept = {(c.statement_id, c.group, c.value): c.n for c in RatingCount.objects.filter(round=r, n__gt=0)}
        assert kept == expected
    before = {(x.panellist_id, x.statement_id): x.value for x in Rating.objects.filter(round=r1)}
    changes: dict = {}
    for x in Rating.objects.filter(round=r2):
        d = x.value - before[(x.panellist_id, x.statement_id)]
        changes[(x.statement_id, d)] = changes.get((x.statement_id, d), 0) + 1
    assert {(c.statement_id, c.d): c.n for c in PairedChange.objects.filter(round=r2, n__gt=0)} == changes
    with pytest.raises(DatabaseError, match="final"), transaction.atomic():
        Rating.objects.filter(round=r2).update(value=9)
