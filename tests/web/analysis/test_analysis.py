"""Analyses on the web: configure, queue, execute in the real database task backend, results, failures, roles."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from safeschool.web.analysis.models import AnalysisRun, Status
from safeschool.web.analysis.services import analysis_run_create, analysis_run_rerun

pytestmark = pytest.mark.django_db


def _work():
    """Run the real django-tasks database worker until the queue is empty."""
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)


def _run(users, django_capture_on_commit_callbacks, **params):
    kind = params.pop("kind", "ecological")
    with django_capture_on_commit_callbacks(execute=True):
        run = analysis_run_create(user=users["researcher"], kind=kind, parameters=params)
    assert AnalysisRun.objects.get(pk=run.pk).status == Status.QUEUED
    _work()
    run.refresh_from_db()
    return run


@pytest.mark.usefixtures("cohort_shared")
class TestWithTheCohort:
    """Share one loaded cohort and set of users (tests/web/conftest.py); each test still starts from it fresh."""

    def test_ecological_run_executes_in_the_background_and_stores_provenance(self, users, django_capture_on_commit_callbacks):
        run = _run(users, django_capture_on_commit_callbacks, outcome="achievement")
        assert run.status == Status.SUCCEEDED, run.error
        assert run.task_id
        steps = [s["step"] for s in run.result["steps"]]
        assert steps == ["null model", "+individual", "+relational", "+community", "+political"]
        levels = {v["level"] for v in run.result["variance"]}
        assert levels == {"country", "school", "class", "student"}
        assert set(run.charts) == {"variance_partition", "coefficients"}
        prov = run.provenance
        assert len(prov["data_fingerprint"]) == 64 and prov["packages"]["mixedlm"]
        assert prov["parameters"]["outcome"] == "achievement"

    def test_maihda_run_hides_small_strata(self, users, django_capture_on_commit_callbacks):
        run = _run(users, django_capture_on_commit_callbacks, kind="maihda", outcome="achievement",
                   strata=["gender", "migrant", "ses", "sen"])
        assert run.status == Status.SUCCEEDED, run.error
        assert all(s["n"] >= 10 for s in run.result["strata"])
        assert run.result["n_strata_suppressed"] > 0  # 540 students over 36 cells: some are small
        assert len(run.result["strata"]) == run.result["n_strata"] - run.result["n_strata_suppressed"]

    def test_a_failed_run_is_stored_with_its_reason_and_no_results(self, users, django_capture_on_commit_callbacks):
        # wave 5 does not exist: the run fails inside the worker
        run = _run(users, django_capture_on_commit_callbacks, outcome="achievement", wave=5)
        assert run.status == Status.FAILED
        assert "wave 5 has no outcomes" in run.error
        assert run.result is None and run.charts is None

    def test_rerun_keeps_parameters_and_links_the_original(self, users, django_capture_on_commit_callbacks):
        first = _run(users, django_capture_on_commit_callbacks, outcome="belonging")
        with django_capture_on_commit_callbacks(execute=True):
            again = analysis_run_rerun(run=first, user=users["researcher"])
        _work()
        again.refresh_from_db()
        assert again.rerun_of == first and again.parameters == first.parameters
        assert again.provenance["data_fingerprint"] == first.provenance["data_fingerprint"]

    @pytest.mark.parametrize(("params", "field"), [
        ({"outcome": "shoe_size"}, "outcome"),
        ({"outcome": "achievement", "wave": 0}, "wave"),
        ({"outcome": "achievement", "stages": ["university"]}, "stages"),
    ])
    def test_bad_parameters_are_refused_and_nothing_is_stored(self, users, params, field):
        with pytest.raises(ValidationError) as info:
            analysis_run_create(user=users["researcher"], kind="ecological", parameters=params)
        assert field in info.value.message_dict
        assert not AnalysisRun.objects.exists()

    def test_maihda_needs_two_attributes(self, users):
        with pytest.raises(ValidationError, match="at least two"):
            analysis_run_create(user=users["researcher"], kind="maihda", parameters={"outcome": "achievement",
                                                                                   "strata": ["gender"]})

    def test_only_researchers_and_admins_may_run(self, users):
        for role in ("member", "staff_own"):
            with pytest.raises(PermissionDenied):
                analysis_run_create(user=users[role], kind="ecological", parameters={"outcome": "achievement"})

    @pytest.mark.parametrize(("role", "expected"), [("anonymous", "login"), ("member", 403), ("staff_own", 403),
                                                    ("staff_other", 403), ("researcher", 200), ("admin", 200)])
    def test_analysis_pages_by_role(self, client_as, role, expected):
        response = client_as(role).get(reverse("analysis:run_list"))
        if expected == "login":
            assert response.status_code == 302 and reverse("accounts:login") in response.url
        else:
            assert response.status_code == expected

    def test_the_form_queues_a_run_and_the_page_shows_its_status(self, client_as, django_capture_on_commit_callbacks):
        client = client_as("researcher")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("analysis:run_list"), {"kind": "ecological", "outcome": "achievement",
                                                                  "wave": 1})
        run = AnalysisRun.objects.get()
        assert response.status_code == 302 and response.url == reverse("analysis:run_detail", args=[run.pk])
        page = client.get(response.url).content.decode()
        assert 'data-status="queued"' in page and 'hx-trigger="every 2s"' in page
        _work()
        page = client.get(response.url).content.decode()
        assert 'data-status="succeeded"' in page and 'data-chart="variance_partition"' in page
        assert "hx-trigger" not in page  # no more polling once finished

    def test_the_form_shows_errors_without_queueing(self, client_as):
        response = client_as("researcher").post(reverse("analysis:run_list"), {"kind": "maihda", "outcome": "achievement",
                                                                               "wave": 1, "strata": ["gender"]})
        assert response.status_code == 400
        assert "at least two attributes" in response.content.decode()
        assert not AnalysisRun.objects.exists()
