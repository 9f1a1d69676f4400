"""Importing Eurostat's files: all or nothing (row errors listed, nothing stored), the same file refused twice,
gzip accepted, and the upload page for researchers and administrators only."""

from __future__ import annotations

import gzip

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from esl_files import BAD, NATIONAL, REGIONAL

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.indicators import services
from safeschool.web.indicators.models import Observation, Release

pytestmark = pytest.mark.django_db


def _counts():
    return Release.objects.count(), Observation.objects.count()


def test_a_file_is_imported_with_its_values_flags_and_fingerprint():
    release = services.release_import(data=NATIONAL.encode(), name="estat_sdg_04_10.tsv")
    assert (release.dataset, release.format, release.n_observations, release.simulated) == \
        ("sdg_04_10", "tsv", 28, False)
    assert len(release.sha256) == 64 and release.observations.count() == 28
    row = release.observations.get(geo="IT", sex="T", year=2022)
    assert (row.value, row.flags, row.country, row.age, row.unit, row.other) == (11.5, "p", "IT", "Y18-24", "PC", "")
    assert release.observations.get(geo="EU27_2020", sex="T", year=2019).country == ""


def test_a_row_error_refuses_the_whole_file_and_stores_nothing():
    services.release_import(data=REGIONAL.encode(), name="edat_lfse_16.tsv")
    before = _counts()
    with pytest.raises(services.ImportRefused) as refused:
        services.release_import(data=BAD.encode(), name="sdg_04_10.tsv")
    errors = refused.value.row_errors
    assert [(e.row, e.field) for e in errors] == [(3, "2020")] and "'12,x'" in errors[0].message
    assert "1 problem" in refused.value.reason
    assert _counts() == before


def test_an_unreadable_file_is_refused_in_one_line():
    with pytest.raises(services.ImportRefused) as refused:
        services.release_import(data=b"", name="sdg_04_10.tsv")
    assert refused.value.row_errors == [] and "empty" in refused.value.reason
    with pytest.raises(services.ImportRefused):
        services.release_import(data=NATIONAL.encode(), name="whatever.tsv")  # which dataset? cannot tell
    assert _counts() == (0, 0)


def test_the_same_file_twice_is_refused_and_gzip_is_read():
    data = gzip.compress(NATIONAL.encode())
    services.release_import(data=data, name="estat_sdg_04_10.tsv.gz")
    with pytest.raises(services.ImportRefused) as refused:
        services.release_import(data=data, name="copy_of_sdg_04_10.tsv.gz")
    assert "already imported" in refused.value.reason and "estat_sdg_04_10.tsv.gz" in refused.value.reason
    assert _counts() == (1, 28)


def test_the_service_checks_the_permission_when_given_a_user():
    staff = user_create(username="st", password="pw-staff-123", role=Role.STAFF)
    with pytest.raises(PermissionDenied):
        services.release_import(data=NATIONAL.encode(), name="sdg_04_10.tsv", user=staff)
    assert _counts() == (0, 0)


@pytest.fixture
def people():
    return {role: user_create(username=role, password=f"pw-{role}-12345", role=value) for role, value in
            (("member", Role.MEMBER), ("staff", Role.STAFF), ("researcher", Role.RESEARCHER), ("admin", Role.ADMIN))}


def _upload(text: str | bytes, name: str = "estat_sdg_04_10.tsv") -> dict:
    data = text.encode() if isinstance(text, str) else text
    return {"file": SimpleUploadedFile(name, data, content_type="text/tab-separated-values"), "dataset": ""}


@pytest.mark.parametrize("role", ["researcher", "admin"])
def test_researchers_and_admins_import_on_the_page(client, people, role):
    client.force_login(people[role])
    url = reverse("indicators:import")
    assert client.get(url).status_code == 200
    response = client.post(url, _upload(gzip.compress(NATIONAL.encode()), "estat_sdg_04_10.tsv.gz"))
    release = Release.objects.get()
    assert response.status_code == 302 and response.url == reverse("indicators:release", args=[release.pk])
    assert release.imported_by == people[role]
    page = client.get(response.url).content.decode()
    assert "estat_sdg_04_10.tsv.gz" in page and "EU27_2020" in page


def test_the_page_lists_row_errors_and_stores_nothing(client, people):
    client.force_login(people["researcher"])
    response = client.post(reverse("indicators:import"), _upload(BAD))
    page = response.content.decode()
    assert response.status_code == 400 and _counts() == (0, 0)
    assert 'class="table-scroll" tabindex="0"' in page
    assert '<td data-label="Line" class="num">3</td><td data-label="Column">2020</td>' in page
    assert "&#x27;12,x&#x27; is not a number" in page


def test_a_wrong_kind_of_file_is_refused_on_the_form(client, people):
    client.force_login(people["admin"])
    response = client.post(reverse("indicators:import"), _upload(NATIONAL, "sdg_04_10.xlsx"))
    assert response.status_code == 400 and "sdg_04_10.xlsx" in response.content.decode() and _counts() == (0, 0)


@pytest.mark.parametrize("role", ["member", "staff"])
def test_others_are_refused_the_import(client, people, role):
    client.force_login(people[role])
    assert client.get(reverse("indicators:import")).status_code == 403
    assert client.post(reverse("indicators:import"), _upload(NATIONAL)).status_code == 403
    assert _counts() == (0, 0)


def test_visitors_are_sent_to_sign_in(client):
    response = client.post(reverse("indicators:import"), _upload(NATIONAL))
    assert response.status_code == 302 and reverse("accounts:login") in response.url and _counts() == (0, 0)


def test_the_empty_page_says_how_to_import(client):
    response = client.get(reverse("indicators:index"))
    page = response.content.decode()
    assert response.status_code == 200 and "No official figures have been imported yet." in page
    assert "safeschool indicators import --file" in page
    assert client.get(reverse("indicators:country", args=["IT"])).status_code == 404


def test_the_demo_imports_simulated_releases_once():
    from safeschool.web.demo.indicators import demo_indicators_ensure
    from safeschool.web.research.models import Country

    for code, rate in (("IT", 14.0), ("EL", 6.0)):
        Country.objects.create(code=code, name=code, tracking_age=14, grade_repetition_pct=3, esl_rate_pct=rate,
                               esl_support=True, inclusion_index=0.5)
    note = demo_indicators_ensure()
    assert "simulated" in note and demo_indicators_ensure() == ""
    national, regional = Release.objects.get(dataset="sdg_04_10"), Release.objects.get(dataset="edat_lfse_16")
    assert national.simulated and regional.simulated
    assert set(national.observations.values_list("geo", flat=True)) == {"EL", "IT", "EU27_2020"}
    assert national.observations.get(geo="IT", sex="T", year=2014).value == pytest.approx(14.0, abs=1.0)
    assert {"ITC4", "ITF3", "ITI4", "EL30"} <= set(regional.observations.values_list("geo", flat=True))
    assert national.observations.filter(year=2024).count() == 9


def test_a_country_only_in_edat_lfse_14_reads_the_whole_age_group():
    from safeschool.web.indicators import selectors

    lfse_14 = ("freq,wstatus,sex,age,unit,geo\\TIME_PERIOD\t2021 \t2022 \n"
               "A,EMP,T,Y18-24,PC,HU\t4.0 \t3.9 \n"
               "A,POP,T,Y18-24,PC,HU\t12.0 \t11.2 e\n")
    services.release_import(data=lfse_14.encode(), name="estat_edat_lfse_14.tsv")
    esl = selectors.country_esl("hu")
    assert [(p.year, p.value, p.flags) for p in esl["points"]] == [(2021, 12.0, ""), (2022, 11.2, "e")]
    assert esl["release"].dataset == "edat_lfse_14" and selectors.country_esl("IT") is None
