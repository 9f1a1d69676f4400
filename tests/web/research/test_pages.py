"""Pages show what they claim: filters, profile charts, and n<10 wherever a group is small."""

import json
import re

import pytest
from django.urls import reverse

from safeschool.web.research.models import Country, School, SchoolClass, Stage, Student

pytestmark = pytest.mark.django_db


def _specs(html: str) -> dict:
    found = re.findall(r'<figure class="chart" data-chart="(\w+)"[^>]*>.*?<script type="application/json">(.*?)</script>',
                       html, re.S)
    return {name: json.loads(payload) for name, payload in found}


def test_school_list_filters_by_country_stage_and_search(client_as, loaded):
    client = client_as("member")
    country = Country.objects.first()
    body = client.get(reverse("research:school_list"), {"country": country.code}).content.decode()
    assert f"{School.objects.filter(country=country).count()} schools" in body
    stage = School.objects.first().stage
    n = School.objects.filter(stage=stage).count()
    body = client.get(reverse("research:school_list"), {"stage": stage}).content.decode()
    assert f"{n} school" in body
    target = School.objects.last()
    body = client.get(reverse("research:school_list"), {"q": target.code}).content.decode()
    assert "1 school" in body and target.name in body


def test_school_profile_has_charts_with_data(client_as, school):
    body = client_as("member").get(reverse("research:school_detail", args=[school.pk])).content.decode()
    specs = _specs(body)
    assert set(specs) >= {"trend_security", "trend_belonging", "trend_engagement", "trend_attendance_rate",
                          "achievement", "attendance", "dropout"}
    assert all("$schema" not in spec for spec in specs.values())  # nothing to fetch
    values = specs["trend_security"]["data"]["values"]
    means = [v["mean"] for v in values if not v["suppressed"]]
    assert len(means) == 2 and all(1 <= m <= 4 for m in means)
    # each figure written on the chart is the figure as the formatting layer writes it
    assert [v["display"] for v in values if not v["suppressed"]] == [f"{m:.2f}" for m in means]


def test_small_groups_are_suppressed_on_every_page(client_as, loaded):
    country = Country.objects.first()
    tiny = School.objects.create(code="TINY", name="Tiny school", country=country, stage=Stage.PRIMARY,
                                 context="rural", ses_composition=0)
    klass = SchoolClass.objects.create(code="TINY-C1", school=tiny, grade=1)
    for i in range(6):
        Student.objects.create(pseudonym=f"tiny{i}", school_class=klass, gender="F", age=8, migrant_background=False,
                               roma_minority=False, ses_index=0, sen=False, out_of_parental_care=False)
    client = client_as("researcher")
    body = client.get(reverse("research:school_detail", args=[tiny.pk])).content.decode()
    assert "n&lt;10" in body
    assert re.search(r"<dt>Students</dt><dd>[^<]*<span class=\"suppressed\"", body)
    listing = client.get(reverse("research:school_list"), {"q": "TINY"}).content.decode()
    row = listing.split("Tiny school")[1].split("</tr>")[0]
    assert "n&lt;10" in row and ">6<" not in row


def test_country_overview_shows_policies_and_stage_chart(client_as, loaded):
    country = Country.objects.first()
    body = client_as("member").get(reverse("research:country_detail", args=[country.code])).content.decode()
    assert f"{country.tracking_age}" in body and "Early leavers" in body
    assert "stage" in _specs(body)


def test_student_csv_export_has_one_row_per_student_and_wave(client_as, school):
    response = client_as("researcher").get(reverse("research:school_students", args=[school.pk]) + "?format=csv")
    lines = response.content.decode().strip().splitlines()
    n = Student.objects.filter(school_class__school=school).count()
    assert lines[0].startswith("pseudonym,class")
    assert len(lines) == 1 + 2 * n
