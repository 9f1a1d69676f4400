"""The research CSVs (student rows, school and country profiles) neutralise formula cells: class and school codes
come from imported files."""

from __future__ import annotations

import csv
import io

from django.urls import reverse

from safeschool.web.research.models import School, SchoolClass


def hostile_class_codes(school):
    for i, school_class in enumerate(SchoolClass.objects.filter(school=school)):
        SchoolClass.objects.filter(pk=school_class.pk).update(code=f"=cmd|' /C calc'!A{i}")


def cells(response) -> list[str]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return [c for row in csv.reader(io.StringIO(response.content.decode())) for c in row]


def test_students_csv_neutralises_formulas(client_as, school):
    hostile_class_codes(school)
    response = client_as("researcher").get(reverse("research:school_students", args=[school.pk]) + "?format=csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows and all(r["class"].startswith("'=cmd|") for r in rows)
    negative = [r["ses_index"] for r in rows if r["ses_index"].startswith(("-", "'-"))]
    assert negative and all(float(v) < 0 for v in negative)  # negative numbers stay numbers


def test_profile_csvs_neutralise_formulas(client_as, school):
    hostile_class_codes(school)
    School.objects.filter(pk=school.pk).update(code="@SUM(1+1)")
    client = client_as("researcher")
    school_cells = cells(client.get(reverse("research:school_detail", args=[school.pk]), {"format": "csv"}))
    assert any(c.startswith("'=cmd|") for c in school_cells)
    country_cells = cells(client.get(reverse("research:country_detail", args=[school.country.code]),
                                     {"format": "csv"}))
    assert "'@SUM(1+1)" in country_cells
    for c in school_cells + country_cells:
        assert not c.startswith(("=", "@", "\t", "\r")), c
