"""`safeschool report school --school ID|--country CODE --out DIR`: writes <slug>.pdf and <slug>.html per school and
the chart scripts once in DIR/assets; exactly one of --school and --country, else a one-line reason and exit 2; an
unknown school or country is refused in one line."""

from __future__ import annotations

import pytest
import school_world
from django.db import transaction
from django.test import override_settings
from typer.testing import CliRunner

from safeschool.cli import app, reports_school

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory, test_settings_for):
    with override_settings(**test_settings_for(tmp_path_factory.mktemp("school-cli-home"))), \
            django_db_blocker.unblock(), transaction.atomic():
        yield school_world.build()
        transaction.set_rollback(True)


def run(*args: str):
    return CliRunner().invoke(app, ["report", "school", *args])


def test_one_school_writes_its_pdf_html_and_assets(world, tmp_path):
    result = run("--school", str(world.school.pk), "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "school-IT-T01-it.pdf").read_bytes().startswith(b"%PDF")
    assert "School profile" in (tmp_path / "school-IT-T01-it.html").read_text() or \
        "Scuola Test" in (tmp_path / "school-IT-T01-it.html").read_text()
    assert (tmp_path / "assets" / "charts.js").exists()
    assert "Wrote 1 school report" in result.stdout


def test_a_country_writes_every_school_in_the_language_asked(world, tmp_path, monkeypatch):
    monkeypatch.setattr(reports_school, "WORKERS", 1)  # the test's data live in a transaction workers cannot see
    result = run("--country", "it", "--out", str(tmp_path), "--format", "html", "--language", "en")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.glob("*.html")) == ["school-IT-T01-en.html", "school-IT-T02-en.html"]
    assert not list(tmp_path.glob("*.pdf")) and "Wrote 2 school reports" in result.stdout


@pytest.mark.parametrize("args, reason", [
    (("--school", "1", "--country", "IT"), "exactly one of --school"),
    ((), "exactly one of --school"),
    (("--school", "99999"), "no school with the id or code '99999'"),
    (("--country", "ZZ"), "no country with the code 'ZZ'"),
    (("--school", "1", "--format", "docx"), "--format"),
    (("--school", "1", "--language", "xx"), "--language"),
])
def test_refusals_are_one_line(world, tmp_path, args, reason):
    result = run(*args, "--out", str(tmp_path))
    assert result.exit_code == 2 and reason in result.stderr
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1
