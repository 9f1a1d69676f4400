"""An analysis within one country: the `country` parameter is validated against the registry, execution keeps only
that country's students, drops the country level and the (constant) political block, adds bootstrap intervals for
the shares of variance, and provenance says which country.

Execution reads a simulated analysis frame (two countries of twelve schools) instead of a loaded cohort: the same
table the registry would give, without the cost of loading it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from safeschool.cohort import CohortConfig, Sizes, simulate
from safeschool.ingest.cohort_files import analysis_frame
from safeschool.web.accounts.models import Role
from safeschool.web.accounts.services import user_create
from safeschool.web.analysis import execution
from safeschool.web.analysis.execution import analysis_run_execute, within_country_spec
from safeschool.web.analysis.models import AnalysisRun, Status
from safeschool.web.analysis.services import analysis_run_store, clean_parameters
from safeschool.web.core import formatting
from safeschool.web.research.models import Country

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def frame():
    sizes = Sizes(countries=2, schools=24, classes=48, teachers=48, students=1200, waves=2)
    return analysis_frame(simulate(CohortConfig(sizes=sizes, seed=5)).tables)


@pytest.fixture
def countries(frame, monkeypatch):
    monkeypatch.setattr(execution, "analysis_frame", lambda wave=1: frame)
    monkeypatch.setattr(execution, "ICC_BOOTSTRAP", 40)
    codes = sorted(frame["country_id"].astype(str).unique())
    return [Country.objects.create(code=code, name=code, tracking_age=14, grade_repetition_pct=10, esl_rate_pct=12,
                                   esl_support=True, inclusion_index=0.5) for code in codes]


def _execute(kind: str, **parameters) -> AnalysisRun:
    run = analysis_run_store(kind=kind, parameters=parameters, enqueue=False)
    return analysis_run_execute(run_id=run.pk)


def test_the_within_country_spec_has_no_country_level_and_no_political_block():
    spec = within_country_spec()
    assert list(spec.groups) == ["school_id", "class_id"]
    assert spec.blocks["political"] == [] and spec.blocks["individual"]


def test_clean_parameters_takes_a_registry_country_and_refuses_an_unknown_one(countries):
    code = countries[0].code
    clean = clean_parameters(kind="ecological", parameters={"outcome": "achievement", "country": f" {code.lower()} "})
    assert clean["country"] == code
    assert "country" not in clean_parameters(kind="ecological", parameters={"outcome": "achievement"})
    with pytest.raises(ValidationError) as info:
        clean_parameters(kind="maihda", parameters={"outcome": "achievement", "strata": ["gender", "ses"],
                                                    "country": "XX"})
    assert "country" in info.value.message_dict and "XX" in info.value.message_dict["country"][0]


def test_ecological_within_a_country(countries, frame):
    code = countries[0].code
    run = _execute("ecological", outcome="achievement", country=code)
    assert run.status == Status.SUCCEEDED, run.error
    assert run.created_by is None  # asked for by the platform (a country report), not by a reader
    assert [s["step"] for s in run.result["steps"]] == ["null model", "+individual", "+relational", "+community"]
    assert {v["level"] for v in run.result["variance"]} == {"school", "class", "student"}
    rows = int((frame["country_id"].astype(str) == code).sum())
    assert 0 < rows < len(frame)
    assert run.provenance["n_rows"] == rows
    assert run.provenance["country"] == code and run.provenance["parameters"]["country"] == code
    intervals = run.result["intervals"]
    assert intervals["available"] and intervals["n_boot"] == 40 and intervals["n_schools"] == 12
    for level in ("school", "class", "student"):
        low, high = intervals[f"{level}_ci"]
        assert 0 <= low <= intervals[level] <= high <= 1, level
    assert intervals["school"] + intervals["class"] + intervals["student"] == pytest.approx(1)


def test_maihda_within_a_country(countries, frame):
    code = countries[1].code
    run = _execute("maihda", outcome="achievement", strata=["gender", "migrant"], country=code)
    assert run.status == Status.SUCCEEDED, run.error
    assert run.provenance["n_rows"] == int((frame["country_id"].astype(str) == code).sum())
    assert run.provenance["country"] == code
    assert all(s["n"] >= 10 for s in run.result["strata"])


def test_the_form_offers_the_countries_and_stores_the_choice(countries, client):
    client.force_login(user_create(username="r", password="pw-research-1", role=Role.RESEARCHER))
    code = countries[0].code
    page = client.get(reverse("analysis:run_list")).content.decode()
    assert f'value="{code}"' in page
    response = client.post(reverse("analysis:run_list"), {"kind": "ecological", "outcome": "achievement", "wave": 1,
                                                          "country": code})
    assert response.status_code == 302
    run = AnalysisRun.objects.get()
    assert run.parameters["country"] == code
    detail = client.get(reverse("analysis:run_detail", args=[run.pk])).content.decode()
    assert f"<dt>Country</dt><dd>{formatting.label('country', code)}</dd>" in detail
    refused = client.post(reverse("analysis:run_list"), {"kind": "ecological", "outcome": "achievement", "wave": 1,
                                                         "country": "XX"})
    assert refused.status_code == 400 and AnalysisRun.objects.count() == 1
