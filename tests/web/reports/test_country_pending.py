"""A country report whose analyses are not done: the page queues them for the background worker (once, however
often it is asked) and says they are being computed instead of waiting; a run that failed is said so in words with
its page linked, and the report still has every section."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safeschool.publishing.document import Links, Notice
from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.analysis.models import AnalysisRun, Status
from safeschool.web.reports import country as country_report
from safeschool.web.reports.services_country import ensure_country_analyses
from safeschool.web.research.models import Country

pytestmark = pytest.mark.django_db


@pytest.fixture
def country():
    return Country.objects.create(code="PT", name="Portugal", tracking_age=15, grade_repetition_pct=17.5,
                                  esl_rate_pct=8.0, esl_support=True, inclusion_index=0.7)


def test_the_page_queues_the_analyses_once_and_does_not_wait(country, client, django_capture_on_commit_callbacks):
    member = user_create(username="m", password="pw-member-123", role=Role.MEMBER)
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(reverse("reports:country", args=["PT"]))
    assert page.status_code == 200 and page["Content-Language"] == "pt"
    runs = list(AnalysisRun.objects.all())
    assert len(runs) == 3 and {r.status for r in runs} == {Status.QUEUED}
    assert all(r.task_id and r.created_by == member and r.parameters["country"] == "PT" for r in runs)
    english = client.get(reverse("reports:country", args=["PT"]) + "?language=en").content.decode()
    assert "is being computed: refresh this page in a minute" in english
    assert AnalysisRun.objects.count() == 3  # asked again: the queued runs are the ones shown


def test_a_failed_analysis_is_said_so_with_its_page(country):
    runs = ensure_country_analyses(country, run_now=True)  # no students in the country: every run fails
    assert {r.status for r in runs.values()} == {Status.FAILED}
    report = country_report.build(country, language="en")
    assert [s.title for s in report.sections][-1] == "About this report"
    variance = next(s for s in report.sections if s.anchor == "variance")
    notices = [b.text for b in variance.blocks if isinstance(b, Notice)]
    assert len(notices) == 2 and all("could not be computed for this country" in n for n in notices)
    links = [url for b in variance.blocks if isinstance(b, Links) for _text, url in b.items]
    assert links == [f"/analysis/{runs['variance_achievement'].pk}/", f"/analysis/{runs['variance_dropout'].pk}/"]
    schools = next(s for s in report.sections if s.anchor == "schools")
    assert any(isinstance(b, Notice) and "no school in this country" in b.text for b in schools.blocks)
    again = ensure_country_analyses(country, run_now=True)  # a failure is not retried on every request
    assert {k: r.pk for k, r in again.items()} == {k: r.pk for k, r in runs.items()}
