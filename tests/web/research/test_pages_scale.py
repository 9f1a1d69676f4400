"""Pages that read the whole network (the home page, the school list, the indicators with the network's measure
beside every country) make as many queries with six countries as with two: none grows with the network (issue 20,
the web at 250 schools), and the home page's map is drawn once for the same counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.indicators import services as indicators
from safeschool.web.research.models import Country, Outcome, School, SchoolClass, Student, Wave

CODES = ("IT", "ES", "PT", "EL", "RO", "PL")
PAGES = (("visitor", "/"), ("visitor", "/indicators/"), ("member", "/schools/"), ("member", "/"),
         ("member", "/reports/countries/IT/"))


def _release() -> bytes:
    """A national early-leaving release with every country of CODES (and the EU)."""
    lines = ["freq,unit,sex,age,geo\\TIME_PERIOD\t2021 \t2022 "]
    lines += [f"A,PC,T,Y18-24,{code}\t{10 + i}.0 \t{9 + i}.5 " for i, code in enumerate(("EU27_2020", *CODES))]
    return ("\n".join(lines) + "\n").encode()


def _grow(codes, waves, *, schools: int = 2, students: int = 12, first: int = 0) -> None:
    """Countries (made if missing) with `schools` more schools of one class of `students` students each, with
    outcomes in every wave; `first` numbers the new schools."""
    for code in codes:
        country, _ = Country.objects.get_or_create(code=code, defaults=dict(
            name=f"Country {code}", tracking_age=14, grade_repetition_pct=5, esl_rate_pct=10, esl_support=True,
            inclusion_index=0.5))
        for s in range(first, first + schools):
            school = School.objects.create(code=f"{code}-S{s}", name=f"School {code} {s}", country=country,
                                           stage="lower_secondary", context="urban", ses_composition=0.0)
            klass = SchoolClass.objects.create(code=f"{code}-S{s}-C1", school=school, grade=7)
            pupils = Student.objects.bulk_create(
                Student(pseudonym=f"{code}{s}{i:03d}", school_class=klass, gender="F", age=12, migrant_background=False,
                        roma_minority=False, ses_index=0.0, sen=False, out_of_parental_care=False)
                for i in range(students))
            Outcome.objects.bulk_create(Outcome(student=p, wave=w, dropped_out=w.number == 2 and i < 2)
                                        for i, p in enumerate(pupils) for w in waves)


def _queries(client, path: str) -> int:
    client.get(path)  # the first request fills the caches the others read
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_no_page_makes_more_queries_with_more_countries_and_schools(client, django_assert_max_num_queries):
    waves = [Wave.objects.create(number=n, label=f"Wave {n}", starts_on=dt.date(2024 + n, 9, 1)) for n in (1, 2)]
    indicators.release_import(data=_release(), name="estat_sdg_04_10.tsv")
    member = user_create(username="member", password="pw-member-12345", role=Role.MEMBER)
    _grow(CODES[:2], waves)
    small = {}
    for role, path in PAGES:
        client.logout()
        if role == "member":
            client.force_login(member)
        small[role, path] = _queries(client, path)
    _grow(CODES[:2], waves, schools=3, first=2)
    _grow(CODES[2:], waves, schools=4)  # three times the countries, five times the schools
    for role, path in PAGES:
        client.logout()
        if role == "member":
            client.force_login(member)
        client.get(path)
        with django_assert_max_num_queries(small[role, path]):
            response = client.get(path)
        assert response.status_code == 200
    assert b"PL" in client.get("/indicators/").content  # the page does show the added countries


@pytest.mark.django_db
def test_the_home_page_map_is_drawn_once_for_the_same_counts(client, monkeypatch):
    from safeschool.web.research import charts_compare

    waves = [Wave.objects.create(number=n, label=f"Wave {n}", starts_on=dt.date(2024 + n, 9, 1)) for n in (1, 2)]
    _grow(CODES[:2], waves)
    drawn = []
    draw = charts_compare.network_map
    monkeypatch.setattr(charts_compare, "network_map", lambda rows: drawn.append(rows) or draw(rows))
    for _ in range(3):
        assert client.get("/").status_code == 200
    assert len(drawn) == 1
    _grow(CODES[2:3], waves)  # new counts: a new map
    assert client.get("/").status_code == 200
    assert len(drawn) == 2
