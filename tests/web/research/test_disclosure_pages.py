"""No page lets a group of fewer than 10 students be seen or worked out: hidden cells carry no count or mean in
the HTML or the chart JSON, and no total minus the figures shown beside it gives a small group."""

import csv
import io
import itertools
import json
import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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

pytestmark = pytest.mark.django_db
User = get_user_model()
EXAMPLES = itertools.count()
FIGURES = ("n", "mean", "ci_low", "ci_high", "count", "value", "share")


def _add_students(klass, n: int, prefix: str):
    """n students with figures found nowhere else in the cohort (security 1.17, achievement 333)."""
    students = Student.objects.bulk_create([
        Student(pseudonym=f"{prefix}{i}", school_class=klass, gender="F", age=12, migrant_background=False,
                roma_minority=False, ses_index=0.0, sen=False, out_of_parental_care=False) for i in range(n)])
    waves = list(Wave.objects.all())
    StudentScales.objects.bulk_create([StudentScales(student=s, wave=w, security=1.17, belonging=1.23,
                                                     engagement=1.31) for s in students for w in waves])
    Outcome.objects.bulk_create([Outcome(student=s, wave=w, achievement=333.0, attendance_rate=0.613,
                                         dropped_out=False) for s in students for w in waves])


def _specs(html: str) -> dict:
    found = re.findall(r'<figure class="chart" data-chart="(\w+)"[^>]*>.*?<script type="application/json">(.*?)</script>',
                       html, re.S)
    return {name: json.loads(payload) for name, payload in found}


def _hidden_records(obj):
    if isinstance(obj, dict):
        if obj.get("suppressed") is True:
            yield obj
        for value in obj.values():
            yield from _hidden_records(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from _hidden_records(value)


def _assert_no_figure_in_hidden_cells(html: str):
    hidden = [r for spec in _specs(html).values() for r in _hidden_records(spec)]
    for record in hidden:
        assert all(record.get(key) is None for key in FIGURES), record
    return hidden


def _fact(html: str, name: str) -> int | None:
    found = re.search(rf"<dt>{name}</dt><dd>([\d,]+)</dd>", html)
    return int(found.group(1).replace(",", "")) if found else None


def _table_counts(html: str, heading: str, column: int) -> list[int | None]:
    """The numbers in one column of the table under `heading` (None where hidden)."""
    table = html.split(heading, 1)[1].split("</table>", 1)[0]
    counts = []
    for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S):
        cell = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[column]
        counts.append(None if "suppressed" in cell else int(cell.replace(",", "")))
    return counts


@pytest.fixture
def small_groups(loaded):
    """A class of 6 in the first school and a school of 8 in the first country."""
    school = School.objects.order_by("code").first()
    _add_students(SchoolClass.objects.create(code="SMALL-6", school=school, grade=5), 6, "six")
    country = school.country
    tiny = School.objects.create(code="TINY8", name="Tiny school", country=country, stage=Stage.PRIMARY,
                                 context="rural", ses_composition=0)
    _add_students(SchoolClass.objects.create(code="TINY8-C1", school=tiny, grade=1), 8, "eight")
    return school, tiny, country


def test_school_total_minus_shown_classes_reveals_no_small_class(client_as, small_groups):
    school, _tiny, _country = small_groups
    body = client_as("member").get(reverse("research:school_detail", args=[school.pk])).content.decode()
    total = _fact(body, "Students")
    classes = _table_counts(body, "Classes (wave 1)", 2)
    assert total == Student.objects.filter(school_class__school=school).count()
    assert None in classes
    assert not 0 < total - sum(n for n in classes if n is not None) < 10
    assert 'data-reason="protects"' in body and "Hidden to protect a small group" in body
    small_row = body.split("<td>SMALL-6</td>", 1)[1].split("</tr>", 1)[0]
    assert ">6<" not in small_row and "1.17" not in small_row and "61.3" not in small_row
    _assert_no_figure_in_hidden_cells(body)


def test_country_total_minus_shown_schools_reveals_no_small_school(client_as, small_groups):
    _school, tiny, country = small_groups
    body = client_as("member").get(reverse("research:country_detail", args=[country.code])).content.decode()
    total = _fact(body, "Students")
    schools = _table_counts(body, "<h2>Schools</h2>", 3)
    assert None in schools
    assert not 0 < total - sum(n for n in schools if n is not None) < 10
    assert "leave out 1 school with fewer than 10 students" in body
    listing = client_as("member").get(reverse("research:country_list")).content.decode()
    row = listing.split(f">{country.name}</a>", 1)[1].split("</tr>", 1)[0]
    assert f">{total:,}<" in row  # the list counts students as the country page does
    _assert_no_figure_in_hidden_cells(body)


def test_a_small_schools_page_holds_no_count_or_mean_even_in_its_chart_data(client_as, small_groups):
    _school, tiny, _country = small_groups
    body = client_as("member").get(reverse("research:school_detail", args=[tiny.pk])).content.decode()
    hidden = _assert_no_figure_in_hidden_cells(body)
    assert hidden  # the wave means, bands and groups are all there, as hidden cells
    payload = "".join(re.findall(r'<script type="application/json">(.*?)</script>', body, re.S))
    assert '"n": 8' not in payload and "1.17" not in payload and "333" not in payload and "0.613" not in payload
    visible = re.sub(r"<script.*?</script>", "", body, flags=re.S)
    assert "1.17" not in visible and "333" not in visible and "61.3" not in visible
    csv_text = client_as("member").get(reverse("research:school_detail", args=[tiny.pk]), {"format": "csv"}).content
    rows = _csv_rows(csv_text)
    assert rows and all(r["not_shown"] or r["students"] in ("0", "") for r in rows)
    assert b"1.17" not in csv_text and b"333" not in csv_text and b"0.613" not in csv_text


def _csv_rows(content: bytes) -> list[dict]:
    rows = list(csv.DictReader(io.StringIO(content.decode())))
    for r in rows:  # a hidden cell says why, and holds no count or value
        assert not r["not_shown"] or (r["students"] == r["value"] == r["ci_low"] == r["ci_high"] == ""), r
    return rows


def test_profile_csv_downloads_hide_what_the_pages_hide(client_as, small_groups):
    school, _tiny, country = small_groups
    client = client_as("member")
    rows = _csv_rows(client.get(reverse("research:school_detail", args=[school.pk]), {"format": "csv"}).content)
    classes = [r for r in rows if r["table"] == "classes (wave 1)" and " " not in r["row"]]
    total = Student.objects.filter(school_class__school=school).count()
    shown = sum(int(r["students"]) for r in classes if r["students"])
    assert any(r["row"] == "SMALL-6" and r["not_shown"] == "fewer than 10 students" for r in classes)
    assert any(r["not_shown"] == "hidden to protect a small group" for r in classes)
    assert not 0 < total - shown < 10
    rows = _csv_rows(client.get(reverse("research:country_detail", args=[country.code]), {"format": "csv"}).content)
    assert any(r["table"] == "schools" and r["row"] == "TINY8" and r["not_shown"] for r in rows)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.integers(1, 9), st.integers(10, 25)), min_size=1, max_size=4))
def test_any_generated_schools_page_lets_no_small_class_be_worked_out(client, class_sizes):
    """A school of generated classes (1-9 students included), rendered through the test client."""
    if not Wave.objects.exists():
        Wave.objects.create(number=1, label="Wave 1", starts_on=date(2025, 9, 1))
    country, _ = Country.objects.get_or_create(code="ZZ", defaults=dict(
        name="Testland", tracking_age=15, grade_repetition_pct=3.0, esl_rate_pct=8.0, esl_support=True,
        inclusion_index=0.5))
    user, _ = User.objects.get_or_create(username="prop-member")
    client.force_login(user)
    code = f"GEN{next(EXAMPLES)}"  # examples share the test's transaction: each school is new
    school = School.objects.create(code=code, name="Generated school", country=country, stage=Stage.PRIMARY,
                                   context="urban", ses_composition=0)
    for i, n in enumerate(class_sizes):
        _add_students(SchoolClass.objects.create(code=f"{code}-{i}", school=school, grade=3), n, f"{code}-{i}-")
    body = client.get(reverse("research:school_detail", args=[school.pk])).content.decode()
    _assert_no_figure_in_hidden_cells(body)
    total = sum(class_sizes)
    shown_total = _fact(body, "Students")
    assert shown_total == (total if total >= 10 else None)
    if shown_total is not None:
        classes = _table_counts(body, "Classes (wave 1)", 2)
        assert not 0 < total - sum(n for n in classes if n is not None) < 10
    if shown_total is not None:
        assert all(shown is None for n, shown in zip(class_sizes, classes, strict=True) if n < 10)
