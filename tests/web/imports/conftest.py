"""Fixtures of the import tests: an isolated staging folder, and wave 2 of the small cohort's student survey as CSV."""

import pytest


@pytest.fixture(autouse=True)
def _isolated_staging(settings, tmp_path):
    """Uploads of each test in its own folder, so a test can see exactly what staging holds."""
    settings.IMPORT_STAGING = tmp_path / "imports"


@pytest.fixture
def survey_file(small_cohort, tmp_path):
    """Wave 2 of the small cohort's student survey, as the survey platform exports it."""
    items = small_cohort["student_items"]
    path = tmp_path / "survey_w2.csv"
    items[items.wave == 2].to_csv(path, index=False)
    return path
