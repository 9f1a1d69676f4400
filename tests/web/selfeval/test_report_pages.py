"""The school report, its PDF, its recommendations and the network comparison: who gets what (staff of the school,
researchers and administrators read; staff of another school and members 403; anonymous visitors sent to log in),
unknown and non-numeric ids, a group of 9 that shows nothing anywhere (HTML, chart JSON, PDF), the gap and change
arithmetic on a hand-built campaign, the peers' scope, the recommendation's reason, and a query count that does not
grow with the network. One small world for the module, rolled back at its end."""

from __future__ import annotations

import datetime as dt
import json
import re
from types import SimpleNamespace

import altair as alt
import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from fpdf import FPDF

from safeschool.selfeval import questionnaire as questionnaires
from safeschool.selfeval import report as report_core
from safeschool.selfeval.simulate import simulate_campaign
from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.hub.models import Practice, PracticeReview, Programme, ProgrammeSignoff
from safeschool.web.network.models import Member
from safeschool.web.research.models import Country, School
from safeschool.web.research.services import staff_appoint
from safeschool.web.selfeval import charts, reports, selectors_reports
from safeschool.web.selfeval.models import Campaign, Response

Q = questionnaires.load()
ROLES = ("anonymous", "member", "staff_own", "staff_other", "researcher", "admin")
READERS = {"staff_own", "researcher", "admin"}
# the hand-built campaign: every rating item answered the same within a group (0-100: leaders 50, teachers 25,
# students 0, families 100 but only 9 of them)
SIZES = {"leaders": 2, "teachers": 12, "students": 15, "families": 9}
POINTS = {"leaders": 3, "teachers": 2, "students": 1, "families": 5}
BEFORE = {"leaders": 3, "teachers": 3, "students": 1}  # the previous campaign: teachers 50, students 0
WISE = "wise_school_teaching_learning"


def answers(informant: str, point: int) -> dict:
    out = {}
    for code, indicator in Q.indicators.items():
        if informant not in indicator.informants:
            continue
        if indicator.type == "likert":
            out[code] = point
        elif indicator.type == "yes_no" and informant == "leaders":  # others leave practices blank
            out[code] = 1
    return out


def frame_of(school: str, points: dict, sizes: dict):
    import pandas as pd

    rows = [{"school": school, "informant": g, **answers(g, points[g])} for g in points for _ in range(sizes[g])]
    return pd.DataFrame(rows).reindex(columns=["school", "informant", *Q.indicators]).astype(
        {c: float for c in Q.indicators})


def school_make(code: str, country: Country, stage: str = "lower_secondary") -> School:
    return School.objects.create(code=code, name=f"School {code}", country=country, stage=stage, context="urban",
                                 ses_composition=0.0)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        italy = Country.objects.create(code="IT", name="Italy", tracking_age=14, grade_repetition_pct=2.0,
                                       esl_rate_pct=3.0, esl_support=True, inclusion_index=0.5)
        spain = Country.objects.create(code="ES", name="Spain", tracking_age=16, grade_repetition_pct=8.0,
                                       esl_rate_pct=13.0, esl_support=True, inclusion_index=0.6)
        own, other = school_make("REP-A", italy), school_make("REP-B", italy)
        users = {role: user_create(username=f"rep-{role}", password=None, role=r) for role, r in (
            ("member", Role.MEMBER), ("staff_own", Role.STAFF), ("staff_other", Role.STAFF),
            ("researcher", Role.RESEARCHER), ("admin", Role.ADMIN))}
        staff_appoint(user=users["staff_own"], school=own)
        staff_appoint(user=users["staff_other"], school=other)
        now = timezone.now()
        # peers: 11 other lower-secondary schools in Italy (REP-B among them), 2 in Spain; closed campaigns only
        peers = [other] + [school_make(f"REP-P{i:02d}", italy) for i in range(10)]
        peers += [school_make(f"REP-S{i}", spain) for i in range(2)]
        n = {"leaders": 2, "teachers": 12, "students": 12, "families": 12}
        for i, school in enumerate(peers):
            frame = simulate_campaign(Q, school=school.code, n=n, level=(i % 5 - 2) / 2, seed=i)
            Campaign.objects.create(school=school, title="Peers", informants=list(n), closed_at=now,
                                    opened_at=now - dt.timedelta(days=30),
                                    results=report_core.results_rows(frame, Q))
        previous = Campaign.objects.create(
            school=own, title="Last year", informants=list(BEFORE), opened_at=now - dt.timedelta(days=400),
            closed_at=now - dt.timedelta(days=370),
            results=report_core.results_rows(frame_of(own.code, BEFORE, SIZES), Q))
        campaign = Campaign.objects.create(school=own, title="Spring", informants=list(SIZES),
                                           opened_at=now - dt.timedelta(days=20), closed_at=now,
                                           results=report_core.results_rows(frame_of(own.code, POINTS, SIZES), Q))
        Response.objects.bulk_create([Response(campaign=campaign, informant=g, answers=answers(g, POINTS[g]))
                                      for g in SIZES for _ in range(SIZES[g])])
        still_open = Campaign.objects.create(school=own, title="Open", informants=["students"])
        empty = Campaign.objects.create(school=own, title="Nobody answered", informants=["students"],
                                        opened_at=now - dt.timedelta(days=500), closed_at=now - dt.timedelta(days=480),
                                        results=[])
        author = Member.objects.create(user=users["member"], display_name="Author", stakeholder_type="teacher",
                                       country="IT", birth_year=1980)
        programme = Programme.objects.create(title="Inclusion without exclusion", country="IT", level="community",
                                             tier="strong", fit={"3": 2, "5": 1}, stages=["lower_secondary"])
        Programme.objects.create(title="Primary only", country="IT", level="community", tier="strong",
                                 fit={"3": 2}, stages=["primary"])
        unpublished = Programme.objects.create(title="Awaiting sign-off", country="IT", level="community",
                                               tier="strong", fit={"3": 2}, stages=["lower_secondary"])
        for i in range(2):  # the Hub publishes a programme once two reviewers signed it off
            reviewer = Member.objects.create(
                user=get_user_model().objects.create_user(f"programme-reviewer-{i}"), display_name=f"Reviewer {i}",
                stakeholder_type="scientific", country="IT", birth_year=1975)
            ProgrammeSignoff.objects.create(programme=programme, reviewer=reviewer)
        ProgrammeSignoff.objects.create(programme=unpublished, reviewer=reviewer)
        practice = Practice.objects.create(
            title="Restorative circles", status="accepted", country="IT", level="community", years_in_place=2,
            stakeholders_involved="x", funding="x", evaluation="none", cost_band="low", licence="cc-by",
            submitted_by=author)
        calm = Practice.objects.create(
            title="Calm corner", status="accepted", country="ES", level="individual", stages=["primary"],
            years_in_place=2, stakeholders_involved="x", funding="x", evaluation="none", cost_band="low",
            licence="cc-by", submitted_by=author)
        unrated = Practice.objects.create(
            title="Never rated", status="accepted", country="IT", level="community", years_in_place=2,
            stakeholders_involved="x", funding="x", evaluation="none", cost_band="low", licence="cc-by",
            submitted_by=author)
        for i, fit in enumerate(({"3": 2, "5": 1}, {"3": 1, "5": 1})):  # the published rubric: mean 1.5 and 1
            reviewer = Member.objects.create(
                user=get_user_model().objects.create_user(f"practice-reviewer-{i}"), display_name=f"Rater {i}",
                stakeholder_type="scientific", country="IT", birth_year=1975)
            PracticeReview.objects.create(practice=practice, reviewer=reviewer, decision="accept", fit=fit,
                                          tier="promising")
            PracticeReview.objects.create(practice=calm, reviewer=reviewer, decision="accept", fit={"3": 2},
                                          tier="moderate" if i else "strong")
        PracticeReview.objects.create(practice=unrated, reviewer=reviewer, decision="return", fit={"3": 2},
                                      tier="strong")  # a returned review is no rating of the accepted practice
        yield SimpleNamespace(users=users, own=own, other=other, campaign=campaign, previous=previous,
                              still_open=still_open, empty=empty, programme=programme, practice=practice)
        transaction.set_rollback(True)


@pytest.fixture
def w(world, db):
    return world


@pytest.fixture
def as_role(client, w):
    def login(role: str):
        if role != "anonymous":
            client.force_login(w.users[role])
        return client
    return login


@pytest.fixture(scope="module")
def view(world, django_db_blocker):
    with django_db_blocker.unblock(), translation.override("en"):  # its sentences are read in English
        data = selectors_reports.campaign_report(world.campaign, world.users["researcher"], Q)
        return data, reports.page(data, Q, world.own)


def urls(w) -> list[str]:
    pk = w.campaign.pk
    return [reverse("selfeval:report", args=[pk]), reverse("selfeval:report_pdf", args=[pk]),
            reverse("selfeval:recommendations", args=[pk])]


@pytest.mark.parametrize("role", ROLES)
def test_every_report_address_for_every_role(as_role, w, role):
    client = as_role(role)
    for url in urls(w):
        response = client.get(url)
        if role == "anonymous":
            assert response.status_code == 302 and "/login" in response["Location"], url
        else:
            assert response.status_code == (200 if role in READERS else 403), (url, role)
    network = client.get(reverse("selfeval:network"))
    expected = 302 if role == "anonymous" else 200 if role in {"researcher", "admin"} else 403
    assert network.status_code == expected


@pytest.mark.parametrize("path", ["/selfeval/campaigns/999999/report/", "/selfeval/campaigns/abc/report/",
                                  "/selfeval/campaigns/999999/report.pdf", "/selfeval/campaigns/-1/report.pdf",
                                  "/selfeval/campaigns/999999/recommendations/", "/selfeval/campaigns/1x/recommendations/"])
def test_unknown_and_non_numeric_ids_are_404(as_role, w, path):
    assert as_role("researcher").get(path).status_code == 404


def test_an_open_campaign_has_no_report_yet(as_role, w):
    client = as_role("staff_own")
    page = client.get(reverse("selfeval:report", args=[w.still_open.pk]))
    assert page.status_code == 200 and b"when the campaign closes" in page.content and b"data-chart" not in page.content
    assert client.get(reverse("selfeval:report_pdf", args=[w.still_open.pk])).status_code == 404


def _chart_records(html: str) -> list[dict]:
    payloads = re.findall(r'<script type="application/json">(.*?)</script>', html, flags=re.S)
    assert payloads
    records = []
    for payload in payloads:
        spec = json.loads(payload)
        for part in [spec, *spec.get("layer", [])]:
            records += (part.get("data") or {}).get("values") or []
    return records


def test_a_group_of_nine_shows_nothing_in_html_or_chart_data(as_role, w):
    html = as_role("staff_own").get(reverse("selfeval:report", args=[w.campaign.pk])).content.decode()
    # the families' row says why, and nothing else in the page names them
    row = re.search(r'<tr data-informant="families"[^>]*>(.*?)</tr>', html, flags=re.S).group(1)
    assert "fewer than 10 respondents: not shown" in row and ">9<" not in row
    assert html.count(">Families<") == 1  # (an indicator's wording may name families: "Families are welcome ...")
    records = _chart_records(html)
    groups = {r.get("group") for r in records if "group" in r}
    assert groups == {"School leaders", "Teachers", "Students"}
    assert not any(r.get("score_100") == 100 for r in records)  # the families' 100 never reaches the browser


def test_a_group_of_nine_shows_nothing_in_the_pdf(w, view, monkeypatch):
    written = []
    original = FPDF.multi_cell

    def spy(self, *args, **kwargs):
        written.append(str(kwargs.get("text", args[2] if len(args) > 2 else "")))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(FPDF, "multi_cell", spy)
    pdf = reports.report_pdf(view[1], w.campaign)
    assert pdf.startswith(b"%PDF")
    text = "\n".join(written)
    assert "fewer than 10 respondents: not shown" in text
    # "Families" only as the label of its row in "who answered", followed by why it is not shown (never a
    # column heading, never its n)
    at = [i for i, t in enumerate(written) if t == "Families"]
    assert at and all(written[i + 1] == "fewer than 10 respondents: not shown" for i in at)
    row = written.index("Families")
    assert written[row - 2:row] == ["Students", "15"]  # the groups' table: the families' n is never written
    assert "Teachers" in text and "Wise school" in text


def test_gaps_and_change_on_the_hand_built_campaign(view):
    data, page = view
    # every subdimension asked of both: teachers 25, students 0 -> a gap of 25 (large: >= 15)
    pairs = [g for g in data["gaps"] if {g["a"], g["b"]} == {"teachers", "students"} and g["level"] == "subdimension"]
    assert pairs and all(abs(g["gap"]) == pytest.approx(25) and g["large"] for g in pairs)
    sentences = [g["text"] for g in page["gaps"]]
    assert "Teachers rate Safe learner 25 points higher than Students (25 against 0)." in sentences
    # change since last year: teachers 50 -> 25, students 0 -> 0 (never "-0")
    teachers = next(r for r in page["change"] if r["code"] == "safe_learning" and r["informant"] == "teachers")
    students = next(r for r in page["change"] if r["code"] == "safe_learning" and r["informant"] == "students")
    assert (teachers["arrow"], teachers["signed"]) == ("↓", "-25")
    assert (students["arrow"], students["signed"]) == ("→", "0")


def test_peers_are_the_same_stage_in_the_country(view):
    data, page = view
    rows = [r for r in data["comparison"] if r.get("percentile") is not None]
    assert rows and {r["scope"] for r in rows} == {"stage_country"}
    assert max(r["peers_n"] for r in rows) == 11 and min(r["peers_n"] for r in rows) >= 10
    assert page["scopes"] == ["lower secondary schools in Italy"]
    # the students' 0 is below every peer
    assert next(r for r in rows if r["code"] == "safe_learning" and r["informant"] == "students")["percentile"] == 0


def test_recommendations_say_why_and_link_to_a_plan(as_role, w):
    html = as_role("staff_own").get(reverse("selfeval:recommendations", args=[w.campaign.pk])).content.decode()
    section = re.search(rf'data-subdimension="{WISE}"(.*?)</section>', html, flags=re.S).group(1)
    assert re.search(r"Recommended because your Wise school: teaching &amp; learning score is in the lowest quarter "
                     r"of lower secondary schools in Italy \(percentile \d+\)\. Its weakest indicator: “[^”]+”", section)
    assert "Inclusion without exclusion" in section and "Primary only" not in section
    assert "Awaiting sign-off" not in html  # one sign-off: not published by the Hub, so not recommended
    assert "fits principle 3 fully" in section and "Strong (experimental" in section
    # practices: on their reviewers' criterion A fit, at any level; the school's stage first, another stage marked
    practices = section[section.index(">Practices<"):section.index(">Policies that enable them<")]
    assert practices.index("Restorative circles") < practices.index("Calm corner")
    assert "Never rated" not in practices
    assert "Criterion A: fits principle 3 partly; criterion B: Promising" in practices
    assert "tried in primary schools" in practices and "Criterion A: fits principle 3 fully; criterion B: Moderate" \
        in practices
    assert f'/selfeval/schools/{w.own.pk}/plans/new/?subdimension={WISE}' in section
    # a researcher reads the same, without the link to plan for the school
    other = as_role("researcher").get(reverse("selfeval:recommendations", args=[w.campaign.pk])).content.decode()
    assert "Inclusion without exclusion" in other and "plans/new/" not in other


def test_the_report_reads_peers_in_a_fixed_number_of_queries(w, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        selectors_reports.campaign_report(w.campaign, w.users["researcher"], Q)


def test_network_comparison_hides_small_places_and_highlights_a_school(as_role, w):
    client = as_role("researcher")
    html = client.get(reverse("selfeval:network"), {"code": WISE, "school": w.own.pk}).content.decode()
    records = _chart_records(html)
    italy = [r for r in records if r.get("place", "").endswith("Italy") and "median" in r]
    spain = [r for r in records if r.get("place", "").endswith("Spain")]
    assert italy and all(r["median"] is not None and r["n_schools"] >= 10 for r in italy)
    assert max(r["n_schools"] for r in italy) == 12  # 11 peers and the school itself
    # two schools in Spain: no figure reaches the chart; the data table says why
    assert spain == [] and "Lower secondary, Spain" in html
    assert re.search(r'Lower secondary, Spain</td>.*?class="suppressed"', html, flags=re.S)
    assert any(r.get("school") == w.own.name for r in records)  # the highlighted dot
    # Spain's place is hidden, so the stage across the network (12 + 2 schools; 13 for the families, the school's
    # own nine hidden) is shown in its place, and said so
    everywhere = [r for r in records if r.get("place") == "Lower secondary, all countries"]
    assert everywhere and all(r["n_schools"] in (13, 14) and r["median"] is not None for r in everywhere)
    assert max(r["n_schools"] for r in everywhere) == 14
    assert re.search(r"Too few schools of this stage in some countries: the stage(?:'|&#x27;)s schools in all "
                     r"countries are shown", html)
    # a hidden place is in the data table only: it takes no band of the chart
    for payload in re.findall(r'<script type="application/json">(.*?)</script>', html, flags=re.S):
        assert all("Spain" not in label for label in json.loads(payload)["layer"][0]["encoding"]["y"]["sort"])
    assert client.get(reverse("selfeval:network"), {"code": "<script>", "school": "x"}).status_code == 200


def _network(monkeypatch, places: dict[str, tuple[str, str]], informant: str = "teachers"):
    """Stub the network's closed campaigns: one `informant` score of safe_learning per school of `places`."""
    results = {code: [{"level": "dimension", "code": "safe_learning", "informant": informant,
                       "score_100": 10.0 * k}] for k, code in enumerate(places)}
    meta = {code: {"stage": stage, "country": country} for code, (stage, country) in places.items()}
    monkeypatch.setattr(selectors_reports, "network_results", lambda user, version=1: (results, meta))


def test_network_falls_back_to_the_stage_across_countries(as_role, w, monkeypatch):
    # 12 primary schools, 4 per country: no country has 10, the stage has
    _network(monkeypatch, {f"N{k:02d}": ("primary", ("IT", "ES", "PT")[k % 3]) for k in range(12)})
    html = as_role("researcher").get(reverse("selfeval:network"), {"code": "safe_learning"}).content.decode()
    shown = {(r["place"], r["n_schools"], r["median"]) for r in _chart_records(html) if "median" in r
             and not r["suppressed"]}
    assert shown == {("Primary, all countries", 12, 55.0)}
    assert html.count('<figure class="chart"') == 1 and "Primary, Italy" in html  # Italy: in the table, no figure


def test_network_without_a_place_to_show_says_so_and_draws_no_frame(as_role, w, monkeypatch):
    _network(monkeypatch, {f"N{k}": ("primary", "IT") for k in range(9)}, informant="families")
    html = as_role("researcher").get(reverse("selfeval:network"), {"code": "safe_learning"}).content.decode()
    assert '<figure class="chart"' not in html
    assert "No stage has 10 schools with a score from Families, in one country or across the network: nothing is " \
           "shown." in html


def test_the_charts_are_valid_vega_lite(view):
    page = view[1]
    network = charts.network_ranges([{"place": "Lower secondary, Italy", "n_schools": 12, "p25": 30.0,
                                      "median": 40.0, "p75": 50.0}, {"place": "Lower secondary, Spain",
                                                                     "n_schools": 2, "suppressed": True}],
                                    {"place": "Lower secondary, Italy", "school": "A", "score_100": 33.0})
    for spec in (charts.dimension_bars(page["dimension_chart"], page["shown"]),
                 charts.gap_dots(page["gap_chart"], page["shown"]), network):
        alt.LayerChart.from_dict(spec, validate=True)  # raises on a spec Vega-Lite would not read
    assert [r for r in network["layer"][0]["data"]["values"] if r["place"].endswith("Spain")] == []


def test_reliability_counts_below_the_threshold_are_not_written(view):
    assert (reports._complete(9, 10), reports._complete(12, 10), reports._complete(1, 1)) == ("fewer than 10", "12", "1")
    teachers = next(r for r in view[1]["reliability"] if r["informant"] == "teachers" and r["dimension"] == "safe_learning")
    assert teachers["n_text"] == "12" and teachers["alpha"] is None  # every answer the same: no variance, no alpha


def test_a_closed_campaign_nobody_answered(as_role, w):
    client = as_role("staff_own")
    page = client.get(reverse("selfeval:report", args=[w.empty.pk]))
    assert page.status_code == 200 and b"No group has enough respondents" in page.content
    assert b"data-chart" not in page.content
    assert client.get(reverse("selfeval:report_pdf", args=[w.empty.pk])).content.startswith(b"%PDF")
    assert b"nothing is recommended" in client.get(reverse("selfeval:recommendations", args=[w.empty.pk])).content


def test_recommendations_open_with_an_index_of_the_weak_subdimensions_when_there_are_several(as_role, w):
    html = as_role("staff_own").get(reverse("selfeval:recommendations", args=[w.campaign.pk])).content.decode()
    weak = re.findall(r'<section class="recommendation" id="weak-([a-z_]+)" data-subdimension="\1"', html)
    assert weak, "the fixture's school has a weak subdimension"
    assert ("recommendation-index" in html) == (len(weak) > 1)
    index = re.findall(r'<li><a href="#weak-([a-z_]+)">', html)
    assert index == (weak if len(weak) > 1 else [])  # every weak subdimension, in the page's order
