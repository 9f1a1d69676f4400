"""A researcher imports a survey export in Chromium: upload, preview, a refused file, import, undo."""

import pytest
from django.core.management import call_command

from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.imports.models import ImportBatch
from safeschool.web.research.models import StudentScales
from safeschool.web.research.services import cohort_load

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]  # kept by the PostgreSQL pass


def test_researcher_imports_and_undoes_a_survey(live_server, browser, cohort_dir, small_cohort, tmp_path, log_in):
    cohort_load(directory=cohort_dir)
    user_create(username="res", password="pw-res-123456", role=Role.RESEARCHER)
    items = small_cohort["student_items"]
    good = tmp_path / "survey.csv"
    items[items.wave == 1].to_csv(good, index=False)
    bad = tmp_path / "bad.csv"
    broken = items[items.wave == 1].astype(object)
    broken.iloc[2, broken.columns.get_loc("pssm_5")] = 8
    broken.to_csv(bad, index=False)
    before = list(StudentScales.objects.order_by("pk").values_list())

    page = browser.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/schools/imports/")
    log_in(page, "res", "pw-res-123456")
    page.set_input_files("input[name=file]", str(bad))
    page.click("text=Upload and check")
    assert "1 problem — nothing will be imported" in page.inner_text("main")
    row = page.inner_text("#problems ~ figure tbody tr")
    assert "4" in row and "pssm_5" in row and "8 is not an answer on the 1-5 scale of PSSM" in row
    page.click("button[value=import]")  # refused: still the preview, still nothing written
    assert ImportBatch.objects.count() == 0

    page.goto(f"{live_server.url}/schools/imports/")
    page.set_input_files("input[name=file]", str(good))
    page.click("text=Upload and check")
    assert "No problems found" in page.inner_text("main")
    page.click("button[value=import]")
    page.wait_for_selector("[data-status='queued']")
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    page.wait_for_selector("text=Undo this import")  # the status section follows the job and moves on by itself
    assert "created" in page.inner_text("main") and ImportBatch.objects.get().status == "applied"
    page.click("text=Undo this import")
    page.wait_for_selector("text=was undone")
    assert list(StudentScales.objects.order_by("pk").values_list()) == before
