"""The annual report on the web and as files: public, every year from 2000 to next year (others 404), ?language
chooses the document's language (a bad one falls back, never a 500), the PDF tagged in its language and title and
not blank, the HTML file self-contained, and `safeschool report annual` writing both."""

from __future__ import annotations

import annual_world
import pytest
from django.db import transaction
from django.test import override_settings
from report_checks import assert_not_blank, assert_tagged, pdf_text
from typer.testing import CliRunner

from safeschool.cli import app
from safeschool.web.reports import annual

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory, test_settings_for):
    with override_settings(**test_settings_for(tmp_path_factory.mktemp("annual-pages"))), \
            django_db_blocker.unblock(), transaction.atomic():
        yield annual_world.build()
        transaction.set_rollback(True)


def test_the_report_is_public_in_the_language_asked_for(world, client):
    page = client.get(f"/reports/annual/{world.year}/")
    assert page.status_code == 200 and page["Content-Language"] == "en"
    text = page.content.decode()
    assert f"Annual report {world.year}" in text and "Members by stakeholder type" in text
    assert "Mentoring trial" in text and f"/reports/annual/{world.year}/pdf/" in text
    assert "n&lt;10" in text or "n<10" in text  # a hidden count reads as such
    italian = client.get(f"/reports/annual/{world.year}/?language=it")
    assert italian.status_code == 200 and italian["Content-Language"] == "it"
    assert "?language=en" in italian.content.decode()  # "also in" English
    fallback = client.get(f"/reports/annual/{world.year}/?language=zz")
    assert fallback.status_code == 200 and fallback["Content-Language"] == "en"


@pytest.mark.parametrize("path", ["/reports/annual/1999/", "/reports/annual/{next2}/", "/reports/annual/{year}/docx/",
                                  "/reports/annual/1999/pdf/"])
def test_years_outside_the_range_and_unknown_formats_are_not_found(world, client, path):
    assert client.get(path.format(year=world.year, next2=world.year + 2)).status_code == 404


def test_next_year_has_a_report_that_says_it_has_nothing_yet(world, client):
    page = client.get(f"/reports/annual/{world.year + 1}/")
    assert page.status_code == 200
    assert f"No trial had been registered by the end of {world.year + 1}." not in page.content.decode()  # trials exist
    assert f"Nothing was published in {world.year + 1}." in page.content.decode()


def test_the_pdf_is_tagged_in_its_language_and_not_blank(world, client):
    response = client.get(f"/reports/annual/{world.year}/pdf/?language=it")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f'annual-report-{world.year}-it.pdf' in response["Content-Disposition"]
    data = response.content
    assert_tagged(data, "it", annual.build(world.year, language="it").title)
    assert_not_blank(data)
    assert "Mentoring trial" in pdf_text(data)


def test_the_html_file_stands_alone(world, client):
    response = client.get(f"/reports/annual/{world.year}/html/")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    assert body.lstrip().lower().startswith("<!doctype html") and 'lang="en"' in body
    assert "Members by stakeholder type" in body and "Brief on belonging" in body


def test_the_command_writes_the_pdf_and_the_html(world, tmp_path):
    result = CliRunner().invoke(app, ["report", "annual", "--year", str(world.year), "--out",
                                      str(tmp_path / "annual.pdf"), "--language", "es"])
    assert result.exit_code == 0, result.output
    assert_not_blank((tmp_path / "annual.pdf").read_bytes())
    result = CliRunner().invoke(app, ["report", "annual", "--year", str(world.year), "--out",
                                      str(tmp_path / "site" / "annual.html")])
    assert result.exit_code == 0, result.output
    assert "Members by stakeholder type" in (tmp_path / "site" / "annual.html").read_text()
    assert any((tmp_path / "site" / "assets").iterdir())
    refused = CliRunner().invoke(app, ["report", "annual", "--year", "1999", "--out", str(tmp_path / "x.pdf")])
    assert refused.exit_code == 2 and "Traceback" not in refused.output
    wrong = CliRunner().invoke(app, ["report", "annual", "--year", str(world.year), "--out", str(tmp_path / "x.doc")])
    assert wrong.exit_code == 2
