"""`safeschool label remind`: documented in --help, refuses a wrong date, and prints how many e-mails it sent
(the service itself is tested in test_label_services.py)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from safeschool.cli import app


def test_help_names_the_command_and_its_option():
    result = CliRunner().invoke(app, ["label", "remind", "--help"])
    assert result.exit_code == 0 and "--today" in result.output and "90 days" in result.output
    assert "remind" in CliRunner().invoke(app, ["label", "--help"]).output


def test_a_wrong_date_is_refused():
    result = CliRunner().invoke(app, ["label", "remind", "--today", "2026-13-01"])
    assert result.exit_code == 2


@pytest.mark.django_db
def test_it_prints_how_many_were_sent():
    result = CliRunner().invoke(app, ["label", "remind", "--today", "2026-06-01"])
    assert result.exit_code == 0, result.output
    assert "Sent 0 renewal reminders." in result.output
