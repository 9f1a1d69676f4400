"""The analysis result page shows figures a reader can use: model terms as words ("Gender: boys (vs girls)", never
"genderM"), p-values as "< 0.001" (never "<1e-16"), no "nan", "None" or "-0"; a MAIHDA whose main-effects model
puts the between-strata variance at the boundary says so in words and draws no flat chart."""

import copy
import html
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from safeschool.web.analysis.models import AnalysisRun, Status
from safeschool.web.analysis.selectors import at_boundary
from safeschool.web.analysis.services import analysis_run_create

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"
BOUNDARY_SENTENCE = "No evidence of intersectional interaction beyond the additive effects of the groups."
# a zero written with a minus sign: "-0", "-0.00", "-0,0" (not "-0.03", not a date's "-05")
NEGATIVE_ZERO = re.compile(r"(?<![\w])-0(?:[.,]0+)?(?![.,]?\d)")
RAW_WORDS = re.compile(r"\b(nan|None|NaN|TRUE|FALSE|inf)\b")


def _run(users, capture, **params):
    kind = params.pop("kind", "ecological")
    with capture(execute=True):
        run = analysis_run_create(user=users["researcher"], kind=kind, parameters=params)
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    run.refresh_from_db()
    assert run.status == Status.SUCCEEDED, run.error
    return run


def visible_text(page: str) -> str:
    """The page's text as a reader sees it: no scripts (chart JSON), no tags, entities decoded."""
    body = re.sub(r"<script.*?</script>", " ", page, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return html.unescape(body)


def assert_no_raw_output(text: str) -> None:
    assert not NEGATIVE_ZERO.search(text), NEGATIVE_ZERO.search(text).group(0)
    assert not RAW_WORDS.search(text), RAW_WORDS.search(text).group(0)
    assert "e-16" not in text and "e-0" not in text


def test_the_checkers_would_see_raw_output():
    for bad in ("-0 (-0–0)", "-0.00", "value nan", "None", "migrant_backgroundTRUE"[-4:]):
        with pytest.raises(AssertionError):
            assert_no_raw_output(bad)
    assert_no_raw_output("2026-01-05 · -0.03 · 0.00 · 10-0 ")  # dates and real negatives are fine


def test_ecological_result_reads_terms_as_words_and_p_values_as_less_than(users, client_as,
                                                                          django_capture_on_commit_callbacks):
    run = _run(users, django_capture_on_commit_callbacks, outcome="achievement")
    terms = {c["term"] for c in run.result["coefficients"]}
    assert "genderM" in terms  # the stored result keeps lme4's names …
    page = client_as("researcher").get(reverse("analysis:run_detail", args=[run.pk])).content.decode()
    text = visible_text(page)
    assert "Gender: boys (vs girls)" in text  # … the page says them in words
    assert "Migrant background" in text
    assert "genderM" not in page and "migrant_backgroundTRUE" not in page  # in the chart's data too
    assert "individual (estimate" not in page and "Individual: estimate, 95 % CI" in page  # the panels' axes
    assert f"<{NBSP}0.001" in text  # the steps' likelihood-ratio tests on a simulated cohort with real effects
    assert "Achievement (test score)" in text and "decomposition of achievement" not in text
    assert "Determinants in the final model" in text and 'class="table-scroll"' in page
    assert_no_raw_output(text)
    # in Spanish: the locale's decimal comma, and the terms in Spanish words
    client = client_as("researcher")
    spanish = visible_text(client.get(reverse("analysis:run_detail", args=[run.pk]),
                                      HTTP_ACCEPT_LANGUAGE="es").content.decode())
    assert f"<{NBSP}0,001" in spanish and "Género" in spanish and "Gender: boys" not in spanish
    assert_no_raw_output(spanish)


def test_maihda_at_the_boundary_says_so_in_words_and_draws_no_flat_chart(users, client_as,
                                                                          django_capture_on_commit_callbacks):
    run = _run(users, django_capture_on_commit_callbacks, kind="maihda", outcome="achievement",
               strata=["gender", "migrant"])
    client = client_as("researcher")
    url = reverse("analysis:run_detail", args=[run.pk])
    # with real interaction left between strata, the interactions are shown
    result = copy.deepcopy(run.result)
    main = result["models"][1]
    main.update(between_variance=0.2 * main["within_variance"], singular=False)
    AnalysisRun.objects.filter(pk=run.pk).update(result=result)
    shown = client.get(url).content.decode()
    assert BOUNDARY_SENTENCE not in shown and 'data-chart="interactions"' in shown
    assert "Interaction (95 % CI)" in shown

    # the main-effects model at the boundary, as lme4 fits it when the strata add nothing to the main effects:
    # the stratum variance 0 (printed "-0" before), every interaction -0 with an interval around it
    result = copy.deepcopy(run.result)
    result["models"][1]["between_variance"] = -0.0
    result["models"][1]["vpc"] = -0.0
    result["models"][1]["pcv"] = 1.0
    for s in result["strata"]:
        s.update(interaction=-0.0, interaction_low=-1e-9, interaction_high=1e-9, interaction_significant=False)
    AnalysisRun.objects.filter(pk=run.pk).update(result=result)
    page = client.get(url).content.decode()
    text = visible_text(page)
    assert BOUNDARY_SENTENCE in text
    assert "singular" in text and "boundary" in text
    assert 'data-chart="interactions"' not in page  # no flat chart at 0.000000
    assert 'data-chart="strata"' in page
    assert "Gender" in text and "Girls" in text and "Migrant background" in text
    assert_no_raw_output(text)


def test_boundary_follows_lme4s_tolerance():
    assert at_boundary({"between_variance": 0.0, "within_variance": 100.0})
    assert at_boundary({"between_variance": 1e-9, "within_variance": 1.0})
    assert at_boundary({"between_variance": 0.5, "within_variance": 1.0, "singular": True})
    assert not at_boundary({"between_variance": 0.01, "within_variance": 1.0})
    assert not at_boundary({"between_variance": None, "within_variance": 1.0})


def test_the_run_list_shows_outcome_labels_not_codes(users, client_as):
    AnalysisRun.objects.create(kind="ecological", parameters={"outcome": "attendance_rate"},
                               created_by=users["researcher"])
    text = visible_text(client_as("researcher").get(reverse("analysis:run_list")).content.decode())
    assert "Attendance rate" in text and "attendance_rate" not in text
