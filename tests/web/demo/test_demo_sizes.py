"""`safeschool demo` takes `safeschool simulate`'s size options: the demo's cohort is simulated at that size."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from safeschool.cli import app
from safeschool.cohort import Sizes
from safeschool.web.demo.cohort import STEPS, demo_cohort_ensure
from safeschool.web.research.models import Country, School, SchoolClass, Student, Teacher


@pytest.mark.django_db
def test_the_demo_cohort_is_simulated_at_the_sizes_given(tmp_path):
    steps = []
    note = demo_cohort_ensure(home=tmp_path, progress=steps.append,
                              sizes=Sizes(countries=3, schools=6, classes=12, teachers=15, students=240))
    assert (Country.objects.count(), School.objects.count(), SchoolClass.objects.count()) == (3, 6, 12)
    assert (Teacher.objects.count(), Student.objects.count()) == (15, 240)
    assert len(steps) == STEPS
    assert "240 students in 6 schools" in note
    again = demo_cohort_ensure(home=tmp_path, progress=steps.append, sizes=Sizes(schools=250, students=40000))
    assert again == "Reusing the existing database (240 students)."  # sizes apply only to an empty database
    assert Student.objects.count() == 240


def test_demo_refuses_impossible_sizes_before_touching_the_database(monkeypatch):
    touched = []
    monkeypatch.setattr("safeschool.cli.server.setup_django", lambda: touched.append("setup"))
    monkeypatch.setattr("safeschool.cli.server.migrate", lambda: touched.append("migrate"))
    result = CliRunner().invoke(app, ["demo", "--no-serve", "--countries", "10", "--schools", "4"])
    assert result.exit_code != 0
    assert "more countries (10) than schools (4)" in result.output
    assert touched == []


def test_demo_lists_the_size_options():
    result = CliRunner().invoke(app, ["demo", "--help"], terminal_width=200)
    for option in ("--countries", "--schools", "--classes", "--teachers", "--students"):
        assert option in result.output
