"""Disk full while writing a report or an upload: a clear error and nothing truncated or half-stored. The disk is a
real full filesystem (a 1 MB tmpfs, filled) where mounting is allowed, else RLIMIT_FSIZE (EFBIG) on this process:
faultkit.full_disk says which, and the outcome is the same."""

from __future__ import annotations

import pandas as pd
import pytest
from django.urls import reverse
from typer.testing import CliRunner

from safeschool.cli import app
from safeschool.files import write_atomic
from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.research.models import Country, School

from .faultkit import full_disk, listing

pytestmark = pytest.mark.faults


def test_write_atomic_leaves_the_old_file_or_none(tmp_path):
    target = tmp_path / "full" / "report.pdf"
    with full_disk(target.parent) as how:
        with pytest.raises(OSError) as failed:
            write_atomic(target, b"%PDF" + b"x" * 2_000_000)
        assert failed.value.errno in (28, 27)  # ENOSPC on a full disk, EFBIG under RLIMIT_FSIZE
        assert listing(target.parent) == [], how  # no truncated report, no temporary file


@pytest.fixture
def school(db):
    country = Country.objects.create(code="IT", name="Italy", tracking_age=14, grade_repetition_pct=3,
                                     esl_rate_pct=11.5, esl_support=True, inclusion_index=0.6)
    return School.objects.create(code="IT-F01", name="Scuola piena", country=country, stage="lower_secondary",
                                 context="urban", ses_composition=0.1)


def test_a_report_on_a_full_disk_is_a_one_line_error_and_no_file(school, tmp_path):
    out = tmp_path / "reports"
    with full_disk(out) as how:
        result = CliRunner().invoke(app, ["report", "school", "--school", "IT-F01", "--out", str(out),
                                          "--format", "pdf"])
        left = listing(out)
    assert result.exit_code == 2, (how, result.output)
    errors = [line for line in result.output.splitlines() if "Error" in line]  # (beside the progress bar)
    assert len(errors) == 1 and errors[0].startswith("Error: --out: cannot write")
    assert "No space left on device" in errors[0] or "File too large" in errors[0]
    assert "Traceback" not in result.output
    assert left == []  # no truncated school-IT-F01-it.pdf, no .part file


def test_an_upload_on_a_full_disk_is_a_form_error_and_nothing_is_stored(db, client, settings, tmp_path):
    settings.IMPORT_STAGING = tmp_path / "staging"
    admin = user_create(username="a", password="pw-admin-1234", role=Role.ADMIN)
    client.force_login(admin)
    path = tmp_path / "survey.csv"
    pd.DataFrame({"student_id": [f"S{i:05d}" for i in range(8000)], "wave": 1, "pssm_1": 3}).to_csv(path, index=False)
    with full_disk(settings.IMPORT_STAGING) as how:
        with open(path, "rb") as fh:
            response = client.post(reverse("imports:list"), {"file": fh, "target": "student_survey"},
                                   HTTP_ACCEPT_LANGUAGE="en")
        left = listing(settings.IMPORT_STAGING)
    assert response.status_code == 400, how
    page = response.content.decode()
    assert "The server could not store the file (its disk is full or cannot be written): nothing was kept." in page
    assert left == []  # no upload folder, half-written or whole
