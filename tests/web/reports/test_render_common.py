"""The report layer's shared helpers (reports.common) and research.selectors.data_version(): a school's language
from its country, a chosen language that never raises, downloads named after the report, tables and hidden rows
that carry no figure, and a data version that names the data state and changes with it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from report_world import make_report

from safeschool.web.reports import common


@pytest.mark.parametrize(("code", "language"), [("IT", "it"), ("ES", "es"), ("PT", "pt"), ("EL", "el"),
                                                 ("CY", "el"), ("RO", "ro"), ("PL", "pl"), ("IE", "en"), ("", "en")])
def test_a_school_reads_its_country_s_language(code, language):
    school = SimpleNamespace(country=SimpleNamespace(code=code))
    assert common.language_of_school(school) == language


def test_a_chosen_language_falls_back_quietly():
    assert common.chosen_language("el", "it") == "el"
    assert common.chosen_language("PT-br", "it") == "pt"
    for bad in (None, "", "xx", "../../etc", "e" * 500):
        assert common.chosen_language(bad, "it") == "it"
    assert common.chosen_language("zz", "zz") == "en"


def test_tables_and_hidden_rows_carry_no_figure():
    row = common.suppressed_row({"group": "Roma"}, ("share", "n"), reason="protects")
    assert row == {"group": "Roma", "share": None, "n": None, "suppressed": True, "reason": "protects"}
    partly = common.hide({"group": "Girls", "share": 0.2, "n": 12}, "share")
    assert partly["share"] is None and partly["n"] == 12 and partly["hidden"] == ["share"]
    table = common.table("Caption", [("group", "Group", "text"), ("share", "Share", "percent:1")], [row])
    assert [c.format for c in table.columns] == ["text", "percent:1"] and table.rows == [row]


def test_a_download_is_named_after_the_report():
    report = make_report("es")
    pdf = common.file_response(report, "pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"] == 'attachment; filename="school-test-es.pdf"'
    html = common.file_response(report, "html")
    assert html["Content-Disposition"] == 'attachment; filename="school-test-es.html"'
    body = html.content.decode()
    assert '<html lang="es">' in body and '<script src="' not in body  # a download carries its scripts inside
    assert 'href="/research/countries/IT/"' in body  # no site address known: left relative
    with pytest.raises(ValueError):
        common.file_response(report, "docx")


def test_a_download_s_relative_links_point_at_the_site(rf):
    request = rf.get("/reports/schools/1/html/")
    body = common.file_response(make_report("es"), "html", request=request).content.decode()
    assert 'href="http://testserver/research/countries/IT/"' in body
    assert 'href="https://ec.europa.eu/eurostat"' in body and 'href="http://testserver/research/"' in body


@pytest.mark.django_db
def test_the_data_version_names_the_data_state():
    from safeschool.web.indicators.models import Release
    from safeschool.web.research.models import CohortLoad
    from safeschool.web.research.selectors import data_version

    assert data_version() == "none-i0-r0"
    CohortLoad.objects.create(fingerprint="c3f2a9c1e0" + "0" * 54, source="cohort", counts={})
    assert data_version() == "c3f2a9c1-i0-r0" == data_version()  # stable
    release = Release.objects.create(dataset=Release._meta.get_field("dataset").choices[0][0], file_name="f.tsv",
                                     sha256="0" * 64, format="tsv", n_observations=1)
    assert data_version() == f"c3f2a9c1-i0-r{release.pk}"
