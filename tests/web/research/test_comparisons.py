"""The views people would rather look at than read: a school among its peers (no small school in it, nothing a
page does not already publish), the countries side by side, the network's map on the home page, trends by wave;
every chart with a caption, an accessible name, a summary and its data table; and the paged student list."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from safeschool.web.research.models import (
    Country,
    Outcome,
    School,
    SchoolClass,
    Stage,
    Student,
    StudentScales,
    Wave,
)
from safeschool.web.research.selectors import country_profile

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"


def _add_school(country, code: str, n: int, security: float, stage=Stage.SECOND_CHANCE) -> School:
    """A school of n students, every one with the same scores (so its mean is `security` exactly)."""
    school = School.objects.create(code=code, name=f"School {code}", country=country, stage=stage, context="urban",
                                   ses_composition=0)
    klass = SchoolClass.objects.create(code=f"{code}-C1", school=school, grade=9)
    students = Student.objects.bulk_create([
        Student(pseudonym=f"{code}-{i}", school_class=klass, gender="F", age=16, migrant_background=False,
                roma_minority=False, ses_index=0.0, sen=False, out_of_parental_care=False) for i in range(n)])
    waves = list(Wave.objects.all())
    StudentScales.objects.bulk_create([StudentScales(student=s, wave=w, security=security, belonging=3.21,
                                                     engagement=3.11) for s in students for w in waves])
    Outcome.objects.bulk_create([Outcome(student=s, wave=w, achievement=480.0, attendance_rate=0.9,
                                         dropped_out=False) for s in students for w in waves])
    return school


def _values(spec: dict) -> list[dict]:
    """The records a chart draws (the spec's data, or its first layer's when the layers differ)."""
    return spec["data"]["values"] if "data" in spec else next(
        layer["data"]["values"] for layer in spec["layer"] if "data" in layer)


def _specs(html: str) -> dict:
    found = re.findall(r'<figure class="chart" data-chart="(\w+)"[^>]*>.*?<script type="application/json">(.*?)'
                       r"</script>", html, re.S)
    return {name: json.loads(payload) for name, payload in found}


@pytest.fixture
def peers(loaded):
    """A fresh country with four second-chance schools: this one (12 students, security 2.50), two peers of 12
    (1.75, 3.25) and a small one of 7 (security 1.11, found nowhere else)."""
    country = Country.objects.create(code="HR", name="Croatia", tracking_age=14, grade_repetition_pct=2.0,
                                     esl_rate_pct=2.3, esl_support=True, inclusion_index=0.5)
    this = _add_school(country, "HR-A", 12, 2.5)
    _add_school(country, "HR-B", 12, 1.75)
    _add_school(country, "HR-C", 12, 3.25)
    _add_school(country, "HR-D", 7, 1.11)
    return this


@pytest.mark.usefixtures("cohort_shared")
class TestWithTheCohort:
    """Share one loaded cohort and set of users (tests/web/conftest.py); each test still starts from it fresh."""

    @pytest.mark.parametrize("role", ["member", "staff_own", "staff_other", "researcher", "admin"])
    def test_a_school_among_its_peers_leaves_out_small_schools_for_every_role(self, client_as, peers, role):
        body = client_as(role).get(reverse("research:school_detail", args=[peers.pk])).content.decode()
        specs = _specs(body)
        strip = specs["peer_security"]
        values = sorted(r["value"] for r in strip["data"]["values"])
        assert values == [1.75, 2.5, 3.25]  # this school and the two peers of at least 10 students
        assert [r["display"] for r in strip["data"]["values"] if r["this"]] == ["2.50"]
        assert "1.11" not in body  # the school of 7 is nowhere: not a dot, not a table cell, not in the JSON
        assert "Left out: 1 school whose figure covers fewer than 10 students" in body
        # the peers are not named on the chart
        assert "HR-B" not in json.dumps(strip) and "HR-C" not in json.dumps(strip)

    def test_no_comparison_when_fewer_than_two_peers_are_published(self, client_as, peers):
        Student.objects.filter(school_class__school__code="HR-C").delete()
        body = client_as("member").get(reverse("research:school_detail", args=[peers.pk])).content.decode()
        assert not [name for name in _specs(body) if name.startswith("peer_")]
        assert "too few comparable schools" in body
        assert "1.75" not in re.sub(r"<script.*?</script>", "", body, flags=re.S)  # the lone peer is not shown alone

    def test_a_small_schools_own_page_shows_no_comparison(self, client_as, peers):
        small = School.objects.get(code="HR-D")
        body = client_as("researcher").get(reverse("research:school_detail", args=[small.pk])).content.decode()
        assert not [name for name in _specs(body) if name.startswith("peer_")]
        assert "1.11" not in body and "2.50" not in body  # neither its own mean nor its peers'

    def test_school_pages_need_a_signed_in_user_and_an_existing_numeric_id(self, client, client_as, peers):
        response = client.get(reverse("research:school_detail", args=[peers.pk]))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        member = client_as("member")
        assert member.get(reverse("research:school_detail", args=[999999])).status_code == 404
        assert member.get("/schools/abc/").status_code == 404
        assert member.get("/schools/-1/").status_code == 404
        assert member.get(reverse("research:country_detail", args=["XX"])).status_code == 404

    def test_trends_by_wave_show_each_key_measure_with_formatted_labels(self, client_as, school):
        body = client_as("member").get(reverse("research:school_detail", args=[school.pk])).content.decode()
        specs = _specs(body)
        attendance = [r for r in specs["trend_attendance_rate"]["data"]["values"] if not r["suppressed"]]
        assert attendance and all(r["display"] == f"{r['mean'] * 100:.1f}{NBSP}%" for r in attendance)

    def test_every_chart_has_a_caption_a_name_a_summary_and_its_data_table(self, client_as, school):
        body = client_as("member").get(reverse("research:school_detail", args=[school.pk])).content.decode()
        figures = re.findall(r'<figure class="chart".*?</figure>', body, re.S)
        assert len(figures) >= 7
        for figure in figures:
            caption = re.search(r'<figcaption id="([^"]+)-title" class="chart-title">([^<]+)</figcaption>', figure)
            assert caption, figure[:200]
            assert f'role="img" aria-label="{caption.group(2)}" aria-describedby="{caption.group(1)}-summary"' in figure
            summary = re.search(rf'<p id="{caption.group(1)}-summary" class="chart-summary">([^<]+)</p>', figure)
            assert summary and summary.group(1).endswith(".")
            assert 'data-error="This chart could not be drawn:"' in figure
            table = figure.split("<summary>Data table</summary>", 1)[1]
            assert "<table" in table and "<tbody><tr>" in table
            spec = json.loads(re.search(r'<script type="application/json">(.*?)</script>', figure, re.S).group(1))
            assert "title" not in spec and spec["description"].startswith(caption.group(2))
            assert spec["config"]["range"]["category"][0] == "#0072B2"  # the one theme
        # the table is built from the chart's own records: the attendance bands' counts, formatted
        attendance = [f for f in figures if 'data-chart="attendance"' in f][0]
        spec = json.loads(re.search(r'<script type="application/json">(.*?)</script>', attendance, re.S).group(1))
        for row in spec["data"]["values"]:
            if not row["suppressed"]:
                assert f'<td class="num" data-label="Students">{int(row["count"]):,}</td>' in attendance

    def test_country_list_compares_the_countries_with_one_chart_per_indicator(self, client_as, loaded):
        body = client_as("member").get(reverse("research:country_list")).content.decode()
        specs = _specs(body)
        assert {"esl_rate", "security", "belonging", "attendance_rate", "tracking_age"} <= set(specs)
        country = Country.objects.order_by("name").first()
        profile = country_profile(country=country)
        published = profile.value(profile.last_wave, "security")["mean"]
        row = [r for r in specs["security"]["data"]["values"] if r["country"] == country.name][0]
        assert row["value"] == published and row["display"] == f"{published:.2f}"  # the country page's figure
        assert body.count("<summary>Data table</summary>") == len(specs)
        esl = [r for r in _values(specs["esl_rate"]) if "display" in r]
        assert {r["display"] for r in esl} == {f"{c.esl_rate_pct:.1f}{NBSP}%" for c in Country.objects.all()}

    def test_country_comparison_hides_a_country_of_fewer_than_ten_students(self, client_as, loaded):
        country = Country.objects.create(code="SI", name="Slovenia", tracking_age=15, grade_repetition_pct=1.0,
                                         esl_rate_pct=4.1, esl_support=True, inclusion_index=0.8)
        _add_school(country, "SI-A", 12, 1.11)  # 12 students, but scores only where the school counts
        body = client_as("member").get(reverse("research:country_list")).content.decode()
        row = [r for r in _specs(body)["security"]["data"]["values"] if r["country"] == "Slovenia"][0]
        assert row["value"] == 1.11  # a school of 12 is published, as on its country page
        School.objects.get(code="SI-A").classes.get().students.filter(pseudonym__in=[f"SI-A-{i}" for i in range(5)]) \
            .delete()
        body = client_as("member").get(reverse("research:country_list")).content.decode()
        row = [r for r in _specs(body)["security"]["data"]["values"] if r["country"] == "Slovenia"][0]
        assert row["value"] is None and row["suppressed"] and row["display"] == "n<10"
        assert "1.11" not in body

    def test_home_page_shows_the_network_map_to_everyone(self, client, loaded):
        body = client.get(reverse("core:home")).content.decode()
        spec = _specs(body)["network"]
        tiles = {r["code"]: r for r in spec["data"]["values"]}
        for country in Country.objects.all():
            assert tiles[country.code]["kind"] == "registry"
            assert tiles[country.code]["display"] == f"{country.schools.count():,}"
        assert "<summary>Data table</summary>" in body

    def test_home_map_hides_a_country_with_fewer_than_ten_members(self, client, loaded):
        from safeschool.web.research.charts_compare import network_map
        from safeschool.web.research.comparisons import network_by_country

        rows = network_by_country()
        rows.append({"code": "FI", "name": None, "n_schools": 0, "n_students": 0, "n_members": None,
                     "in_registry": False})
        spec = network_map(rows)
        finland = [r for r in spec["usermeta"]["table"]["rows"] if r["code"] == "FI"][0]
        assert finland["n_members"] is None and "n_members" in finland["hidden"]


@pytest.mark.usefixtures("cohort_shared")
class TestStudentList:
    def test_only_researchers_admins_and_own_staff_see_it(self, client, client_as, school):
        url = reverse("research:school_students", args=[school.pk])
        assert client.get(url).status_code == 302
        for role, status in (("member", 403), ("staff_other", 403)):
            assert client_as(role).get(url).status_code == status, role
        for role in ("staff_own", "researcher", "admin"):
            client.logout()
            assert client_as(role).get(url).status_code == 200, role

    def test_pages_of_fifty_with_one_row_per_student_and_real_columns(self, client_as, school):
        url = reverse("research:school_students", args=[school.pk])
        body = client_as("researcher").get(url).content.decode()
        rows = re.findall(r"<tr>\s*<td data-label=\"Pseudonym\">", body)
        n = Student.objects.filter(school_class__school=school).count()
        assert len(rows) == min(50, n)
        assert re.search(rf'data-label="Attendance" class="num">\d+\.\d{NBSP}%</td>', body)

    def test_bad_page_and_wave_numbers_read_page_one_and_the_last_wave(self, client_as, school):
        url = reverse("research:school_students", args=[school.pk])
        client = client_as("researcher")
        first = client.get(url).content.decode()
        for query in ({"page": "abc"}, {"page": ""}, {"page": "-3"}, {"wave": "abc"}, {"wave": "99"}):
            response = client.get(url, query)
            assert response.status_code == 200, query
        def rows(html):
            return html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]

        assert rows(client.get(url, {"page": "abc"}).content.decode()) == rows(first)
        last = Wave.objects.order_by("number").last().number
        assert f'<option value="{last}" selected>' in client.get(url, {"wave": "abc"}).content.decode()
        assert client.get(url, {"page": "9999"}).status_code == 200
        assert client.get(reverse("research:school_students", args=[999999])).status_code == 404
        assert client.get("/schools/abc/students/").status_code == 404
