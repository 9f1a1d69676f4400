"""A small country for the country report tests: one simulated country of ten schools (250 students over two
waves, enough schools for bootstrap intervals), whose early-childhood schools are moved to primary so that one
added early-childhood school of 7 students is the only one of its stage (its students must never be shown), a
Policy database entry, one user per role, and the report's three analyses run once (few bootstrap replicates)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from unittest import mock

from safeschool.cohort import CohortConfig, Sizes, simulate
from safeschool.stats import ecological
from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.analysis import execution
from safeschool.web.hub.models import Policy
from safeschool.web.reports.services_country import ensure_country_analyses
from safeschool.web.research.models import Country, School, SchoolClass, Student
from safeschool.web.research.services import cohort_load

SIZES = Sizes(countries=1, schools=10, classes=20, teachers=20, students=250, waves=2)
SMALL_SCHOOL = 7  # students of the one early-childhood school: a figure no report may show
POLICY = "Piano nazionale contro la dispersione scolastica"


def build(directory: Path) -> SimpleNamespace:
    simulate(CohortConfig(sizes=SIZES, seed=11)).write(directory)
    cohort_load(directory=directory)
    country = Country.objects.get()
    School.objects.filter(country=country, stage="ecec").update(stage="primary")
    small = School.objects.create(code="SMALL-1", name="Piccola scuola", country=country, stage="ecec",
                                  context="rural", ses_composition=0.0)
    klass = SchoolClass.objects.create(code="SMALL-1-A", school=small, grade=0)
    Student.objects.bulk_create([Student(pseudonym=f"small-{i}", school_class=klass, gender="F" if i % 2 else "M",
                                         age=5, migrant_background=False, roma_minority=False, ses_index=0.0,
                                         sen=False, out_of_parental_care=False) for i in range(SMALL_SCHOOL)])
    Policy.objects.create(title=POLICY, summary="Un piano per ridurre l'abbandono scolastico. " * 20,
                          country=country.code, language="it", level="political", year=2022,
                          url="https://example.org/piano")
    users = {
        "member": user_create(username="m", password="pw-member-123", role=Role.MEMBER),
        "staff": user_create(username="s", password="pw-staff-123", role=Role.STAFF),
        "researcher": user_create(username="r", password="pw-research-1", role=Role.RESEARCHER),
        "admin": user_create(username="a", password="pw-admin-1234", role=Role.ADMIN),
    }
    # in this process: starting worker processes for the logistic steps costs more than it saves on 250 students
    with mock.patch.object(execution, "ICC_BOOTSTRAP", 30), mock.patch.object(ecological.os, "cpu_count", lambda: 1):
        runs = ensure_country_analyses(country, run_now=True)
    return SimpleNamespace(country=country, small=small, users=users, runs=runs)
