"""Profile pages are computed once per version of the data, in the cache every server process shares, and never
outlive their data; the chart specs, built without schema validation per request, are valid Vega-Lite."""

from __future__ import annotations

import altair.vegalite.v6.schema.core as vegalite
import pytest
from altair.utils.schemapi import validate_jsonschema
from django.core.cache import cache

from safeschool.web.research import selectors
from safeschool.web.research.charts_compare import country_panels, network_map
from safeschool.web.research.comparisons import country_indicators, network_by_country
from safeschool.web.research.models import Outcome
from safeschool.web.research.services import cohort_load
from safeschool.web.research.views import _country_figures, _school_figures


@pytest.mark.django_db
def test_a_profile_is_computed_once_per_data_version(loaded, school):
    calls = []

    def compute():
        calls.append(1)
        return {"figures": len(calls)}

    assert selectors.profile_cached("school", school.pk, compute) == {"figures": 1}
    assert selectors.profile_cached("school", school.pk, compute) == {"figures": 1}  # from the cache
    selectors.profiles_version_new()  # what a load, an import or an undo does when it commits
    assert selectors.profile_cached("school", school.pk, compute) == {"figures": 2}
    Outcome.objects.filter(pk=Outcome.objects.order_by("-pk").first().pk).delete()  # the data changed underneath
    assert selectors.profile_cached("school", school.pk, compute) == {"figures": 3}


@pytest.mark.django_db
def test_loading_a_cohort_makes_every_cached_profile_stale(cohort_dir, django_capture_on_commit_callbacks):
    before = selectors.profiles_version_new()
    with django_capture_on_commit_callbacks(execute=True):
        cohort_load(directory=cohort_dir)
    assert cache.get(selectors.PROFILE_VERSION_KEY) not in (None, before)


@pytest.mark.django_db
def test_profile_chart_specs_are_valid_vega_lite(loaded, school):
    schema = vegalite.load_schema()
    country = school.country
    school_context, country_context = _school_figures(school)[2], _country_figures(country)[3]
    specs = [*school_context["charts"].values(), *school_context["trends"].values(),
             *school_context["peer_charts"].values(), *country_context["charts"].values(),
             *country_context["trends"].values(), *country_panels(country_indicators()).values(),
             network_map(network_by_country())]
    assert len(specs) >= 20
    for spec in specs:
        validate_jsonschema(spec, schema)
