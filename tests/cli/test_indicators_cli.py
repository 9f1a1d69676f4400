"""`safeschool indicators import --file F [--dataset D]`: prints what it imported; a file with row problems prints
each one ("line 3, column 2020: ...") on stderr, exits 2 and stores nothing; the same file twice is refused."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from safeschool.cli import app

NATIONAL = ("freq,unit,sex,age,geo\\TIME_PERIOD\t2020 \t2021 \n"
            "A,PC,T,Y18-24,EU27_2020\t9.9 \t9.7 \n"
            "A,PC,T,Y18-24,IT\t13.1 b\t12.7 p\n")
BAD = NATIONAL.replace("13.1 b", "12,x")


def test_help_names_the_options():
    result = CliRunner().invoke(app, ["indicators", "import", "--help"])
    assert result.exit_code == 0 and "--file" in result.output and "--dataset" in result.output


@pytest.mark.django_db
def test_import_prints_what_it_stored_and_refuses_the_same_file(tmp_path):
    from safeschool.web.indicators.models import Observation, Release

    path = tmp_path / "esl.tsv"
    path.write_text(NATIONAL)
    result = CliRunner().invoke(app, ["indicators", "import", "--file", str(path), "--dataset", "sdg_04_10"])
    assert result.exit_code == 0, result.output
    assert "Imported 4 observations of sdg_04_10 (esl.tsv)" in result.stdout
    assert Release.objects.get().file_name == "esl.tsv" and Observation.objects.count() == 4
    again = CliRunner().invoke(app, ["indicators", "import", "--file", str(path), "--dataset", "sdg_04_10"])
    assert again.exit_code == 2 and "already imported" in again.stderr and Release.objects.count() == 1


@pytest.mark.django_db
def test_row_errors_are_printed_and_nothing_is_stored(tmp_path):
    from safeschool.web.indicators.models import Observation, Release

    path = tmp_path / "estat_sdg_04_10.tsv"
    path.write_text(BAD)
    result = CliRunner().invoke(app, ["indicators", "import", "--file", str(path)])
    assert result.exit_code == 2
    assert "line 3, column 2020: '12,x' is not a number" in result.stderr
    assert "Traceback" not in result.output and Release.objects.count() == Observation.objects.count() == 0


def test_a_missing_file_fails_in_one_line(tmp_path):
    result = CliRunner().invoke(app, ["indicators", "import", "--file", str(tmp_path / "none.tsv")])
    assert result.exit_code == 2 and "cannot read" in result.stderr
